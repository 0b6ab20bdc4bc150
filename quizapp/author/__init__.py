"""Authoring: teachers add articles, mark claims and write question banks in the app."""

from flask import Blueprint

bp = Blueprint("author", __name__)

from quizapp.author import routes  # noqa: E402,F401
