"""Teaching a school year: pupil accounts and login cards, item statistics, xlsx exports."""

from flask import Blueprint

bp = Blueprint("teach", __name__)

from quizapp.teach import routes  # noqa: E402,F401
