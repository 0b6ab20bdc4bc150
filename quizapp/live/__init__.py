"""Live classroom games: host a quiz, players join by PIN, a live leaderboard."""

from flask import Blueprint

bp = Blueprint("live", __name__)


@bp.record_once
def _set_up(state) -> None:
    """Give the app its event broker and the deadline timers of its worker process."""
    from quizapp.services.live import timers
    from quizapp.services.live.events import make_broker

    app = state.app
    app.config.setdefault("LIVE_TIMERS", True)
    app.config.setdefault("LIVE_HEARTBEAT_S", 10.0)
    app.config.setdefault("LIVE_JOIN_LIMIT", "100 per minute;1000 per hour")
    app.config.setdefault("LIVE_PIN_LIMIT", "30 per minute;300 per hour")
    broker = make_broker(app.config.get("REDIS_URL"), app.config["SQLALCHEMY_DATABASE_URI"])
    app.extensions["live_broker"] = broker
    broker.hub.observers.append(timers.DeadlineTimers(app))


from quizapp.live import routes  # noqa: E402,F401
