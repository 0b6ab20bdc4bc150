"""Review queue of draft questions proposed from an article (teachers only)."""

from flask import Blueprint

bp = Blueprint("drafts", __name__, url_prefix="/drafts")

from quizapp.drafts import routes  # noqa: E402,F401
