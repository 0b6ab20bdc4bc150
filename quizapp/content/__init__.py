"""Reading content: the list of banks, a bank's claims and questions, and the article view."""

from flask import Blueprint

bp = Blueprint("content", __name__)

from quizapp.content import routes  # noqa: E402,F401
