"""Learners take quizzes: quiz pages, questions, feedback with the source, results."""

from flask import Blueprint

bp = Blueprint("learn", __name__)

from quizapp.learn import guests, routes  # noqa: E402,F401 (register views and signal handlers)
