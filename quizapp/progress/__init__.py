"""Progress: a learner's history, mastery, streak and reviews; their data to take or delete."""

from flask import Blueprint

bp = Blueprint("progress", __name__)

from quizapp.progress import routes  # noqa: E402,F401
