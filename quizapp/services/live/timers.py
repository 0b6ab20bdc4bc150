"""Deadline timers: each worker closes the questions whose time runs out (no scheduler).

Every worker that sees a question start (through its broker's hub) sets one
timer for its deadline. When it fires, `close_if_expired` closes the question;
the transition is conditional, so with several workers only one of them does
it and the others find nothing to do. The projector's tick, state reads and
late answers close it too, should no worker be listening.
"""

import logging
import threading
import time

from flask import Flask

from quizapp.services.live.events import Event

log = logging.getLogger(__name__)
# Fire a little after the deadline, so the database agrees the time is up.
GRACE_S = 0.05


class DeadlineTimers:
    """A hub observer that schedules one close per (game, question, deadline)."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._pending: set[tuple[int, int, int]] = set()

    def __call__(self, session_id: int, event: Event) -> None:
        """Schedule a close when a question starts or resumes."""
        if event.type not in ("question", "resumed") or not self.app.config.get("LIVE_TIMERS"):
            return
        key = (session_id, event.data["index"], event.data["deadline_ms"])
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        delay = max(0.0, key[2] / 1000 - time.time()) + GRACE_S
        timer = threading.Timer(delay, self._fire, args=key)
        timer.daemon = True
        timer.start()

    def _fire(self, session_id: int, index: int, deadline_ms: int) -> None:
        """Close the question if it is still running past its deadline."""
        from quizapp.extensions import db
        from quizapp.services import live as game

        try:
            with self.app.app_context():
                try:
                    game.close_if_expired(session_id, index, game.clock())
                finally:
                    db.session.remove()
        except Exception:  # a failed close is retried by the next tick or state read
            log.exception("closing question %s of game %s failed", index, session_id)
        finally:
            with self._lock:
                self._pending.discard((session_id, index, deadline_ms))
