"""What a live page starts from and catches up with: snapshot, event log, what each client sees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    LiveAnswer,
    LiveEvent,
    LiveSession,
    Player,
)
from quizapp.services.live.events import Event, dumps, sse_message
from quizapp.services.live.flow import answer_counts, close_if_idle, expire_if_due
from quizapp.services.live.standings import last_ranked, own_line
from quizapp.services.live.state import PHASE_EVENTS, epoch_ms


def view_for(event: Event, player_id: int | None) -> dict | None:
    """Return what one client sees of an event: a player gets their own line, not all ranks."""
    data = event.data
    if event.type == "kicked":
        if player_id is None:
            return data
        return {**data, "final": True} if data.get("player_id") == player_id else None
    if "ranks" not in data:
        return data
    public = {k: v for k, v in data.items() if k != "ranks"}
    if player_id is not None:
        public["me"] = own_line(data, player_id)
    return public


def sse_for(event: Event, player_id: int | None) -> tuple[str, bool] | None:
    """Return one client's SSE message of an event (as view_for sees it) and whether it ends
    the stream (None: the client does not see it).

    What every client of the process sees alike is serialised once per event: the whole
    message, or a ranked event without the ranks, to which each player's own line is added.
    """
    data = event.data
    if event.type == "kicked":
        view = view_for(event, player_id)
        return None if view is None else (sse_message(event, view), bool(view.get("final")))
    final = bool(data.get("final"))
    shared = event.rendered
    if "ranks" not in data or player_id is None:
        message = shared.get("all")
        if message is None:
            message = shared["all"] = sse_message(event, view_for(event, None))
        return message, final
    head = shared.get("head")
    if head is None:
        public = {k: v for k, v in data.items() if k != "ranks"}
        # 'data: {...}\n\n' without its closing '}\n\n', ready for the player's "me".
        head = sse_message(event, public)[:-3] + ("," if public else "") + '"me":'
        shared["head"] = head
    return head + dumps(own_line(data, player_id)).decode() + "}\n\n", final


def events_after(session_id: int, after: int, before: int | None = None) -> list[Event]:
    """Return the logged events with after < seq (< before), in order, for catching up."""
    query = select(LiveEvent).where(LiveEvent.session_id == session_id, LiveEvent.seq > after)
    if before is not None:
        query = query.where(LiveEvent.seq < before)
    return [Event(e.type, e.data, e.seq) for e in db.session.scalars(query.order_by(LiveEvent.seq))]


def current_event(live: LiveSession) -> Event | None:
    """Return the latest event that set what the screens show (question, reveal, …)."""
    row = db.session.scalar(
        select(LiveEvent)
        .where(LiveEvent.session_id == live.id, LiveEvent.type.in_(PHASE_EVENTS))
        .order_by(LiveEvent.seq.desc())
        .limit(1)
    )
    return Event(row.type, row.data, row.seq) if row else None


def own_answer(player: Player, index: int) -> LiveAnswer | None:
    """Return the player's answer to question `index`, if any."""
    return db.session.scalar(
        select(LiveAnswer).where(
            LiveAnswer.player_id == player.id, LiveAnswer.question_index == index
        )
    )


def snapshot(live: LiveSession, now: datetime, player: Player | None = None) -> dict:
    """Return the state a page starts from: phase, version, the phase's event as this client
    sees it, and (players) their answer and their score as last revealed."""
    close_if_idle(live, now)
    expire_if_due(live, now)
    event = current_event(live)
    state = {
        "session": live.id,
        "phase": live.state,
        "seq": live.last_seq,
        "paused": live.paused_at is not None,
        "locked": live.locked,
        "players": live.player_count,
        "server_ms": epoch_ms(now),
        "event": None,
    }
    if event is not None:
        state["event"] = {
            "type": event.type,
            "seq": event.seq,
            "data": view_for(event, player.id if player else None),
        }
    if live.paused_at is not None and live.deadline_at is not None:
        state["remaining_ms"] = int((live.deadline_at - live.paused_at).total_seconds() * 1000)
    if player is not None:
        state["me"] = {
            "id": player.id,
            "nickname": player.nickname,
            "kicked": player.kicked,
            **(last_ranked(live, player.id) or {"rank": None, "score": 0, "streak": 0}),
        }
        if live.state == "question":
            state["answered"] = own_answer(player, live.current_index) is not None
    else:
        answered, active = answer_counts(live.id, live.current_index)
        state["answered"] = answered
    return state
