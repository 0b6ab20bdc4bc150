"""Learners take quizzes: quiz pages, questions, feedback with the source, results."""

from flask import Blueprint

bp = Blueprint("learn", __name__)

from quizapp import owners  # noqa: E402,F401 (adopts guest attempts at login)
from quizapp.learn import routes  # noqa: E402,F401
