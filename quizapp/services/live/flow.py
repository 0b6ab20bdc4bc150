"""The flow of a live game: transitions from lobby to question, reveal, leaderboard, podium.

State lives in the database (LiveSession, Player, LiveAnswer, LiveEvent), so any
worker can serve any request of a game. Every change players see is a
*transition*: a conditional UPDATE of the session on its version (`last_seq`),
which also numbers the LiveEvent announcing it; the event is committed with the
change and published after the commit. So a double click, two host tabs, or a
timer firing in two workers advance the game once.

Closing a question needs no background scheduler: a question closes when its
deadline has passed and anyone notices it — each worker's timer for the
deadline (timers.py), the projector's tick, any state read, or a
late answer — all through `close_if_expired`, which is idempotent. It also
closes early when every active player has answered.

Answers and transitions of one game are ordered by a PostgreSQL advisory lock:
answers take it shared (they run in parallel), transitions exclusive (they wait
for the answers in flight and the next answers see the new phase). SQLite
serialises writers anyway.

Every function that depends on the time takes `now`; the views pass `clock()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, true, update

from quizapp import grading, markdown
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    LiveAnswer,
    LiveEvent,
    LiveSession,
    Player,
    QuestionVersion,
)
from quizapp.services.live.events import Event
from quizapp.services.live.standings import ranking
from quizapp.services.live.state import PIN_LIFETIME, broker, epoch_ms, lock

Plan = tuple[dict, str, Callable[[LiveSession], dict]]


def _transition(session_id: int, decide: Callable[[LiveSession], Plan | None]) -> Event | None:
    """Apply one change of a game exactly once; log and publish its event.

    `decide(live)` looks at the current state and returns a Plan or None (nothing
    to do). The UPDATE is conditional on the version it saw, so a concurrent
    transition makes this one decide again.
    """
    for _attempt in range(10):
        lock(session_id, shared=False)
        live = db.session.get(LiveSession, session_id, populate_existing=True)
        if live is None:
            db.session.rollback()
            raise ServiceError("missing_game")
        plan = decide(live)
        if plan is None:
            db.session.rollback()
            return None
        values, event_type, build = plan
        seq = live.last_seq + 1
        moved = db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == session_id, LiveSession.last_seq == live.last_seq)
            .values(**values, last_seq=seq)
        )
        if moved.rowcount != 1:
            db.session.rollback()
            continue
        live = db.session.get(LiveSession, session_id, populate_existing=True)
        data = build(live)
        db.session.add(LiveEvent(session_id=session_id, seq=seq, type=event_type, data=data))
        db.session.commit()
        event = Event(event_type, data, seq)
        broker().publish(session_id, event)
        return event
    raise ServiceError("busy")


def _shown(live: LiveSession, version: QuestionVersion) -> dict:
    """The running question as everyone sees it: prompt and options, never the key."""
    return {
        "index": live.current_index,
        "count": len(live.version_ids),
        "type": version.type,
        "prompt": version.prompt,
        "prompt_html": str(markdown.render_inline(version.prompt)),
        "image": (version.media or {}).get("image"),
        "view": grading.present(version.type, version.payload, order_seed=live.id),
    }


def _question_data(live: LiveSession) -> dict:
    """The question as players see it, with its times."""
    version = db.session.get(QuestionVersion, live.version_ids[live.current_index])
    return {
        **_shown(live, version),
        "question_ms": epoch_ms(live.question_at),
        "options_ms": epoch_ms(live.options_at),
        "deadline_ms": epoch_ms(live.deadline_at),
        "limit_ms": live.time_limit_s * 1000,
    }


def _start_question(index: int, now: datetime) -> Callable[[LiveSession], Plan]:
    """Return a decision that shows question `index` now."""

    def plan(live: LiveSession) -> Plan:
        options_at = now + timedelta(seconds=live.preview_s)
        values = {
            "state": "question",
            "current_index": index,
            "question_at": now,
            "options_at": options_at,
            "deadline_at": options_at + timedelta(seconds=live.time_limit_s),
            "paused_at": None,
        }
        return values, "question", _question_data

    return plan


def _podium(now: datetime) -> Plan:
    """The plan that ends the game with the podium (and frees the PIN)."""

    def build(live: LiveSession) -> dict:
        return {**ranking(live, top=3), "final": True}

    values = {"state": "podium", "finished_at": now, "open_pin": None, "paused_at": None}
    return values, "podium", build


def next_step(session_id: int, seen_seq: int, now: datetime) -> Event | None:
    """Move on from what the host saw (`seen_seq`): start, reveal, leaderboard, next, podium."""

    def decide(live: LiveSession) -> Plan | None:
        if live.last_seq != seen_seq:
            return None  # the host's click was about a state that has moved on
        last = live.current_index + 1 >= len(live.version_ids)
        if live.state == "lobby":
            return _start_question(0, now)(live)
        if live.state == "question":
            return _close_plan(live, now)
        if live.state == "reveal":
            if last:
                return _podium(now)
            return {"state": "leaderboard"}, "leaderboard", _leaderboard_data
        if live.state == "leaderboard":
            return _start_question(live.current_index + 1, now)(live)
        return None

    return _transition(session_id, decide)


def _leaderboard_data(live: LiveSession) -> dict:
    """The leaderboard after a question: the top of the table and everyone's own line."""
    return {"index": live.current_index, **ranking(live)}


def skip(session_id: int, seen_seq: int, now: datetime) -> Event | None:
    """Skip ahead: close the running question now, or go to the next question directly."""

    def decide(live: LiveSession) -> Plan | None:
        if live.last_seq != seen_seq:
            return None
        if live.state == "question":
            return _close_plan(live, now)
        if live.state in ("reveal", "leaderboard"):
            if live.current_index + 1 >= len(live.version_ids):
                return _podium(now)
            return _start_question(live.current_index + 1, now)(live)
        return None

    return _transition(session_id, decide)


def end(session_id: int, now: datetime) -> Event | None:
    """End the game now and show the podium."""

    def decide(live: LiveSession) -> Plan | None:
        return None if live.state == "podium" else _podium(now)

    return _transition(session_id, decide)


def pause(session_id: int, now: datetime) -> Event | None:
    """Stop the clock of the running question."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state != "question" or live.paused_at is not None or live.deadline_at <= now:
            return None
        remaining = int((live.deadline_at - now).total_seconds() * 1000)
        return (
            {"paused_at": now},
            "paused",
            lambda lv: {"index": lv.current_index, "remaining_ms": remaining},
        )

    return _transition(session_id, decide)


def resume(session_id: int, now: datetime) -> Event | None:
    """Restart the clock: the pause does not count toward anyone's time."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state != "question" or live.paused_at is None:
            return None
        gap = now - live.paused_at
        values = {
            "paused_at": None,
            "question_at": live.question_at + gap,
            "options_at": live.options_at + gap,
            "deadline_at": live.deadline_at + gap,
        }
        return values, "resumed", _question_data

    return _transition(session_id, decide)


def set_locked(session_id: int, locked: bool) -> Event | None:
    """Lock or unlock the game for new players."""

    def decide(live: LiveSession) -> Plan | None:
        if live.locked == locked:
            return None
        return {"locked": locked}, "lock", lambda lv: {"locked": locked}

    return _transition(session_id, decide)


def kick(session_id: int, player_id: int, now: datetime) -> Event | None:
    """Remove a player for good: their token stops working and their name stays taken."""
    player = db.session.get(Player, player_id)
    if player is None or player.session_id != session_id:
        raise ServiceError("missing_player")

    def decide(live: LiveSession) -> Plan | None:
        db.session.refresh(player)
        if player.kicked:
            return None
        player.kicked = True
        return (
            {"player_count": LiveSession.player_count - 1},
            "kicked",
            lambda lv: {"player_id": player_id, "nickname": player.nickname},
        )

    event = _transition(session_id, decide)
    # The players left may all have answered already.
    close_if_all_answered(session_id, now)
    return event


# The read of close_if_expired, built once: every late answer runs it.
_EXPIRY_CHECK = select(
    LiveSession.state, LiveSession.current_index, LiveSession.paused_at, LiveSession.deadline_at
).where(LiveSession.id == bindparam("session_id"))


def _expired(live, index: int | None, now: datetime) -> bool:
    """Whether the running question (question `index`, if given) is open past its deadline."""
    return (
        live.state == "question"
        and live.paused_at is None
        and (index is None or live.current_index == index)
        and live.deadline_at is not None
        and live.deadline_at <= now
    )


def close_if_expired(session_id: int, index: int | None, now: datetime) -> Event | None:
    """Close the running question if its deadline has passed (idempotent; any worker)."""
    # One cheap read first: late answers come in crowds when a server is overloaded, and a
    # transition takes the game's exclusive lock, which waits for every answer in flight.
    seen = db.session.execute(_EXPIRY_CHECK, {"session_id": session_id}).one_or_none()
    db.session.rollback()
    if seen is not None and not _expired(seen, index, now):
        return None

    def decide(live: LiveSession) -> Plan | None:
        return _close_plan(live, now) if _expired(live, index, now) else None

    return _transition(session_id, decide)


def expire_if_due(live: LiveSession, now: datetime) -> None:
    """Close the running question if its time is up (cheap when it is not)."""
    if live.state == "question" and live.paused_at is None and live.deadline_at <= now:
        close_if_expired(live.id, live.current_index, now)
        db.session.refresh(live)


def close_if_all_answered(session_id: int, now: datetime) -> Event | None:
    """Close the running question early once every active player has answered it."""
    # One cheap read first: a transition takes the game's exclusive lock.
    live = db.session.execute(_CLOSE_CHECK, {"session_id": session_id}).one_or_none()
    db.session.rollback()
    if live is None or live.state != "question" or live.paused_at is not None:
        return None
    index, answered, active = live.current_index, live[4], live.player_count
    if active == 0 or answered < active:
        return None

    def decide(current: LiveSession) -> Plan | None:
        if current.state != "question" or current.current_index != index:
            return None
        answered, active = answer_counts(session_id, index)
        return _close_plan(current, now) if active and answered >= active else None

    return _transition(session_id, decide)


def answered_count(session_id, index):
    """The number of answers to question `index` by players not removed, as a column.

    All the question's answers, counted from their index alone, less those of removed
    players, found from the few removed players by their own index. (Joining every answer
    to its player to look at `kicked` cost 1.3 ms per count at 4,096 players on SQLite; the
    last answers of a question each count, so that was a tenth of a game's server CPU.)
    """
    every = select(func.count()).where(
        LiveAnswer.session_id == session_id, LiveAnswer.question_index == index
    )
    removed = (
        select(func.count())
        .select_from(Player)
        .join(LiveAnswer, LiveAnswer.player_id == Player.id)
        .where(
            Player.session_id == session_id,
            Player.kicked == true(),
            LiveAnswer.question_index == index,
        )
    )
    return every.scalar_subquery() - removed.scalar_subquery()


ANSWERED_COUNT = select(answered_count(bindparam("session_id"), bindparam("index")))
# The read of close_if_all_answered, built once: each of a question's last answers runs it
# (building it per call cost more than running it).
_CLOSE_CHECK = select(
    LiveSession.state,
    LiveSession.current_index,
    LiveSession.paused_at,
    LiveSession.player_count,
    answered_count(bindparam("session_id"), LiveSession.current_index),
).where(LiveSession.id == bindparam("session_id"))


def answer_counts(session_id: int, index: int) -> tuple[int, int]:
    """Return (answers to question `index` by active players, active players) in one query."""
    active = select(LiveSession.player_count).where(LiveSession.id == session_id)
    row = db.session.execute(
        select(answered_count(session_id, index), active.scalar_subquery())
    ).one()
    return int(row[0]), int(row[1])


def _close_plan(live: LiveSession, now: datetime) -> Plan:
    """The plan that closes the running question and reveals its answer."""
    index = live.current_index
    # Whoever did not answer loses their streak.
    answered_ids = select(LiveAnswer.player_id).where(
        LiveAnswer.session_id == live.id, LiveAnswer.question_index == index
    )
    db.session.execute(
        update(Player)
        .where(Player.session_id == live.id, Player.id.not_in(answered_ids), Player.streak != 0)
        .values(streak=0)
    )
    return {"state": "reveal", "paused_at": None}, "reveal", _reveal_data


def _reveal_data(live: LiveSession) -> dict:
    """The reveal: right answer, distribution, explanation with its source, and the ranks."""
    index = live.current_index
    version = db.session.get(QuestionVersion, live.version_ids[index])
    claim = version.question.claim
    article = claim.article if claim is not None else None
    # Removed players' answers count nowhere: not in "answered", nor in the distribution.
    answers = db.session.execute(
        select(LiveAnswer.player_id, LiveAnswer.answer, LiveAnswer.correct, LiveAnswer.points)
        .join(Player, Player.id == LiveAnswer.player_id)
        .where(
            LiveAnswer.session_id == live.id,
            LiveAnswer.question_index == index,
            Player.kicked.is_(False),
        )
    ).all()
    distribution = _distribution(version, [a.answer for a in answers])
    gained = {a.player_id: (a.points, a.correct) for a in answers}
    ranks = ranking(live, gained=gained)
    return {
        **_shown(live, version),
        "solution": grading.solution(version.type, version.payload),
        "distribution": distribution,
        "answered": len(answers),
        "correct": sum(1 for a in answers if a.correct),
        "explanation": version.explanation,
        "explanation_html": str(markdown.render(version.explanation)),
        # A question without a source has no quote (the screens say so).
        "quote": claim.quote if claim else None,
        "kind": claim.kind if claim else None,
        "verdict": claim.verdict if claim else None,
        "source": {
            "title": article.title,
            "name": article.source_name,
            "url": article.source_url,
        }
        if article
        else None,
        **ranks,
    }


def _distribution(version: QuestionVersion, answers: list) -> dict:
    """Count the answers per option (choices), per value (true/false, categories) or right/wrong."""
    counts: Counter = Counter()
    for answer in answers:
        if version.type == "multiple_choice":
            counts.update(answer)
        elif version.type == "numeric":
            right = grading.grade(version.type, version.payload, answer).correct
            counts["right" if right else "wrong"] += 1
        else:
            counts[str(answer).lower()] += 1
    return dict(counts)


# --- lifecycle: a game nobody touches closes itself ------------------------------------------


def _idle(cutoff: datetime):
    """SQL condition: the game is not over and nothing happened in it since `cutoff`.

    Touching a game is creating it, a player joining, or any change of its state (an
    event); a question closes within its time limit, so answers need no check of their own.
    """
    touched_event = select(LiveEvent.id).where(
        LiveEvent.session_id == LiveSession.id, LiveEvent.created_at >= cutoff
    )
    touched_join = select(Player.id).where(
        Player.session_id == LiveSession.id, Player.joined_at >= cutoff
    )
    return (
        (LiveSession.state != "podium")
        & (LiveSession.created_at < cutoff)
        & ~touched_event.exists()
        & ~touched_join.exists()
    )


def _close_idle(session_id: int, now: datetime) -> Event | None:
    """End one idle game (podium, PIN freed); its event says it closed for want of activity."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state == "podium":
            return None
        values, event_type, build = _podium(now)
        return values, event_type, lambda lv: {**build(lv), "idle": True}

    return _transition(session_id, decide)


def close_idle_games(now: datetime) -> int:
    """Close every game nobody touched for 12 hours; return how many (no scheduler needed:
    creating a game, joining by PIN and the host's list call this, as reading a game does)."""
    ids = list(db.session.scalars(select(LiveSession.id).where(_idle(now - PIN_LIFETIME))))
    for session_id in ids:
        _close_idle(session_id, now)
    return len(ids)


def close_if_idle(live: LiveSession, now: datetime) -> bool:
    """Close this game if nobody touched it for 12 hours (cheap when it is younger)."""
    cutoff = now - PIN_LIFETIME
    if live.state == "podium" or live.created_at >= cutoff:
        return False
    idle = db.session.scalar(select(LiveSession.id).where(LiveSession.id == live.id, _idle(cutoff)))
    if idle is None:
        return False
    _close_idle(live.id, now)
    db.session.refresh(live)
    return True
