"""Classes: a teacher's class with a join code, its members and the quizzes assigned to it."""

from flask import Blueprint

bp = Blueprint("classes", __name__)


@bp.record_once
def _set_up(state) -> None:
    """Set the per-address limit of refused joins (a whole class may join from one address)."""
    state.app.config.setdefault("CLASSES_JOIN_LIMIT", "10 per minute;50 per hour")


from quizapp.classes import routes  # noqa: E402,F401
