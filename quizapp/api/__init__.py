"""The JSON API under /api/v1: quizzes, attempts and answers, described by an OpenAPI document."""

from flask import Blueprint

from quizapp.api.openapi import PREFIX

bp = Blueprint("api", __name__, url_prefix=PREFIX)

from quizapp.api import routes  # noqa: E402,F401 (register the views)
