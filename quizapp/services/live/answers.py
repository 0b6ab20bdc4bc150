"""The answer path of a live game: grade and store one answer; close the question when all did."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from quizapp import grading
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    LiveAnswer,
    LiveSession,
    Player,
    QuestionVersion,
)
from quizapp.security import token_digest
from quizapp.services.live.events import Event
from quizapp.services.live.flow import ANSWERED_COUNT, close_if_all_answered, close_if_expired
from quizapp.services.live.scoring import points, streak_bonus
from quizapp.services.live.state import broker, lock
from quizapp.signals import answer_recorded


def submit_answer(
    session_id: int, token: str | None, index: int, raw: grading.RawAnswer, now: datetime
) -> int:
    """Record the answer of the player with this cookie token to question `index`.

    The score stays hidden until the reveal. Returns the server-measured time
    since the options opened (ms). Refused (ServiceError): an unknown token
    ("unknown"), another question running, options not open yet, a paused game,
    the time is up, a removed player, a second answer (the unique constraint
    decides), or a malformed answer.
    """
    try:
        recorded = _record(session_id, token, index, raw, now)
    except ServiceError as error:
        db.session.rollback()
        if error.code == "late":
            close_if_expired(session_id, index, now)
        raise
    _after_answer(session_id, index, recorded, now)
    return recorded.elapsed_ms


class _Recorded(NamedTuple):
    """What the answer path knows after storing an answer."""

    elapsed_ms: int
    answered: int  # answers to the question, this one included (see _answered)
    counted: bool  # whether `answered` was counted in the database just now
    active: int  # players not removed


@dataclass(frozen=True)
class _Version:
    """What grading an answer needs of a question version (versions never change)."""

    id: int
    question_id: int
    type: str
    payload: dict


# Per process: a game's versions, keyed by game id and its random secret (ids restart in
# tests; the secret does not repeat), so answers need no query for them.
_VERSIONS: dict[tuple[int, str], list[_Version]] = {}


def _versions(session_id: int, secret: str, version_ids: list[int]) -> list[_Version]:
    """Return the game's question versions in order, cached for the process."""
    key = (session_id, secret)
    found = _VERSIONS.get(key)
    if found is None:
        rows = db.session.execute(
            select(
                QuestionVersion.id,
                QuestionVersion.question_id,
                QuestionVersion.type,
                QuestionVersion.payload,
            ).where(QuestionVersion.id.in_(version_ids))
        )
        by_id = {row.id: _Version(row.id, row.question_id, row.type, row.payload) for row in rows}
        found = [by_id[i] for i in version_ids]
        if len(_VERSIONS) > 500:
            _VERSIONS.clear()
        _VERSIONS[key] = found
    return found


# The statements of the answer path, built once on the tables (Core): building a statement,
# and the ORM's handling of its result, cost more than running it on a warm connection.
_LIVE, _PLAYER, _ANSWER = LiveSession.__table__, Player.__table__, LiveAnswer.__table__
_ANSWER_STATE = (
    select(
        _LIVE.c.state,
        _LIVE.c.current_index,
        _LIVE.c.paused_at,
        _LIVE.c.options_at,
        _LIVE.c.deadline_at,
        _LIVE.c.version_ids,
        _LIVE.c.two_step_secret,
        _LIVE.c.time_limit_s,
        _LIVE.c.base_points,
        _LIVE.c.scoring,
        _LIVE.c.streak_bonus,
        _LIVE.c.player_count,
        _PLAYER.c.id.label("player_id"),
        _PLAYER.c.kicked,
        _PLAYER.c.streak,
        _PLAYER.c.user_id,
    )
    .select_from(_LIVE.join(_PLAYER, _PLAYER.c.session_id == _LIVE.c.id))
    .where(_LIVE.c.id == bindparam("session_id"), _PLAYER.c.token_hash == bindparam("token"))
)
# The answer's values, bound as "a_<column>" (a name of its own: the player's update in the
# same statement also sets a column called score).
_ANSWER_VALUES = {
    column.name: bindparam("a_" + column.name, type_=column.type)
    for column in _ANSWER.c
    if not column.primary_key
}
_INSERT_ANSWER = _ANSWER.insert().values(_ANSWER_VALUES)
_SCORE = {
    "score": _PLAYER.c.score + bindparam("gained"),
    "streak": bindparam("new_streak"),
    "last_score_at": func.coalesce(
        bindparam("scored_at", type_=_PLAYER.c.last_score_at.type), _PLAYER.c.last_score_at
    ),
}
_SCORE_PLAYER = _PLAYER.update().where(_PLAYER.c.id == bindparam("a_player_id")).values(_SCORE)
# On PostgreSQL the answer and the player's new score go in one statement (one round trip
# fewer per answer): the insert as a CTE, the update of the player it returns. SQLite has no
# INSERT in a WITH clause; there the two statements cost no round trip.
_INSERTED = _INSERT_ANSWER.returning(_ANSWER.c.player_id).cte("inserted")
_INSERT_AND_SCORE = (
    _PLAYER.update()
    .where(_PLAYER.c.id == select(_INSERTED.c.player_id).scalar_subquery())
    .values(_SCORE)
)


def _store(connection, row: dict, scored: dict) -> None:
    """Insert the answer `row` and add its points to the player (`scored`), in one statement
    where the database allows it; a second answer raises IntegrityError."""
    params = {**{"a_" + name: value for name, value in row.items()}, **scored}
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_AND_SCORE, params)
    else:
        connection.execute(_INSERT_ANSWER, params)
        connection.execute(_SCORE_PLAYER, params)


def _record(
    session_id: int, token: str | None, index: int, raw: grading.RawAnswer, now: datetime
) -> _Recorded:
    """Grade and store one answer in one transaction (see submit_answer).

    The hot path of a game, so few round trips: the lock, one read, the insert and the
    update (one statement on PostgreSQL, see `_store`), and now and then a count (see
    `_answered`).
    """
    if not token:
        raise ServiceError("unknown")
    lock(session_id, shared=True)
    connection = db.session.connection()
    live = connection.execute(
        _ANSWER_STATE, {"session_id": session_id, "token": token_digest(token)}
    ).one_or_none()
    if live is None:
        raise ServiceError("unknown")
    player_id = live.player_id
    if live.kicked:
        raise ServiceError("kicked")
    if live.state != "question" or live.current_index != index:
        raise ServiceError("closed")
    if live.paused_at is not None:
        raise ServiceError("paused")
    if now < live.options_at:
        raise ServiceError("early")
    if now > live.deadline_at:
        raise ServiceError("late")
    version = _versions(session_id, live.two_step_secret, live.version_ids)[index]
    try:
        parsed = grading.parse_answer(version.type, version.payload, raw)
    except grading.AnswerError as error:
        raise ServiceError("invalid", answer_error=error) from None
    result = grading.grade(version.type, version.payload, parsed)
    elapsed_ms = int((now - live.options_at).total_seconds() * 1000)
    score = result.score or 0.0
    correct = result.correct is True
    gained = points(score, elapsed_ms, live.time_limit_s * 1000, live.base_points, live.scoring)
    streak = live.streak + 1 if correct else 0
    bonus = streak_bonus(streak) if correct and live.streak_bonus else 0
    row = {
        "player_id": player_id,
        "session_id": session_id,
        "question_index": index,
        "version_id": version.id,
        "answer": parsed,
        "score": score,
        "correct": correct,
        "elapsed_ms": elapsed_ms,
        "points": gained + bonus,
        "bonus": bonus,
        "answered_at": now,
    }
    scored = {
        "gained": gained + bonus,
        "new_streak": streak,
        # Only a rise of the score moves the tie-break time.
        "scored_at": now if gained + bonus > 0 else None,
    }
    try:
        _store(connection, row, scored)
    except IntegrityError:
        raise ServiceError("twice") from None
    if live.user_id is not None:
        answer_recorded.send(
            current_app._get_current_object(),
            user_id=live.user_id,
            question_id=version.question_id,
            version_id=version.id,
            score=result.score,
            elapsed_ms=elapsed_ms,
            answered_at=now,
        )
    answered, counted = _answered(
        connection, session_id, live.two_step_secret, index, live.player_count
    )
    db.session.commit()
    return _Recorded(elapsed_ms, answered, counted, live.player_count)


@dataclass
class _Tally:
    """A process's running count of one question's answers: a count from the database and the
    answers this process stored after it."""

    at: float
    counted: int
    since: int = 0


# Per process, keyed like _VERSIONS (and the question's index).
_TALLIES: dict[tuple[int, str, int], _Tally] = {}
# How old a count from the database may be before an answer counts again.
RECOUNT_S = 0.1


def _answered(
    connection, session_id: int, secret: str, index: int, active: int
) -> tuple[int, bool]:
    """Return how many have answered question `index`, this answer included, and whether
    that was counted in the database now (else it is this process's estimate).

    Counting the question's answers on every answer would make each answer cost more
    than the one before (O(n²) per question). So the database counts at most every
    RECOUNT_S per process; in between, the count is that count plus the answers this
    process stored since (other processes' answers show at the next count). Once
    fewer than RECOUNT_MARGIN answers may be missing, every answer counts exactly, so
    the last answer is seen and closes the question (see _after_answer).
    """
    key = (session_id, secret, index)
    tally = _TALLIES.get(key)
    moment = time.monotonic()
    if tally is not None and moment - tally.at < RECOUNT_S:
        estimate = tally.counted + tally.since + 1
        if active - estimate > RECOUNT_MARGIN:
            tally.since += 1
            return estimate, False
    counted = connection.execute(ANSWERED_COUNT, {"session_id": session_id, "index": index})
    counted = counted.scalar_one()
    if len(_TALLIES) > 500:
        _TALLIES.clear()
    _TALLIES[key] = _Tally(moment, counted)
    return counted, True


# The count inside an answer's transaction misses answers committed meanwhile. The answer
# that commits last re-counts after its commit (then it sees every answer) if it may be
# last: when fewer than this many answers are missing, more than can be in flight at once
# (transactions in flight are bounded by the connection pools).
RECOUNT_MARGIN = 200


def _after_answer(session_id: int, index: int, recorded: _Recorded, now: datetime) -> None:
    """Tell the host how many have answered; close the question when all have.

    The host hears the count when it was counted: on every answer in a class, at most every
    RECOUNT_S per process while more than RECOUNT_MARGIN answers are missing (at 4,096
    players an event per answer cost each answer a publish and every worker its delivery).
    """
    answered, active = recorded.answered, recorded.active
    if recorded.counted:
        data = {"index": index, "count": answered, "total": active}
        broker().publish(session_id, Event("answered", data, audience="host"))
    if active - answered <= RECOUNT_MARGIN:
        close_if_all_answered(session_id, now)
