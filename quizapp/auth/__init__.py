"""Accounts: register, log in, log out, change password, first admin, roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from quizapp.auth import routes  # noqa: E402,F401
