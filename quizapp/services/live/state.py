"""What every part of a live game shares: the clock, the broker, the per-game lock, the limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import text

from quizapp.extensions import db
from quizapp.models import (
    utcnow,
)
from quizapp.services.live.events import Broker, make_broker

# Types a class can answer on a phone in seconds: buttons or one number.
LIVE_TYPES = ("single_choice", "multiple_choice", "true_false", "fact_or_opinion", "numeric")
PHASE_EVENTS = ("question", "reveal", "leaderboard", "podium")
TOP = 10
TWO_STEP_WINDOW_S = 10
# A game nobody touched this long closes itself and frees its PIN (see close_idle_games).
PIN_LIFETIME = timedelta(hours=12)
LOCK_CLASS = 0x4C495645  # "LIVE": the advisory-lock namespace of live games


def clock() -> datetime:
    """Return the server time the views use (tests replace this to script times)."""
    return utcnow()


def epoch_ms(moment: datetime | None) -> int | None:
    """Return a naive UTC datetime as milliseconds since the epoch, for the browser."""
    if moment is None:
        return None
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


def broker() -> Broker:
    """Return this app's broker (created with the app by the live blueprint)."""
    app = current_app
    found = app.extensions.get("live_broker")
    if found is None:
        found = make_broker(app.config.get("REDIS_URL"), app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["live_broker"] = found
    return found


_LOCKS = {
    True: text("SELECT pg_advisory_xact_lock_shared(:c, :s)"),
    False: text("SELECT pg_advisory_xact_lock(:c, :s)"),
}


def lock(session_id: int, shared: bool) -> None:
    """Order answers and transitions of one game (PostgreSQL; SQLite serialises writers)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(_LOCKS[shared], {"c": LOCK_CLASS, "s": session_id})
