"""The JSON API under /api/v1: quizzes, attempts and answers, described by an OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from quizapp.api import routes  # noqa: E402,F401 (register the views)
