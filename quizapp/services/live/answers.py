"""The answer path of a live game: grade and store answers, close the question when all did.

The answers to one game that reach a process together are stored in one transaction.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import JSON, Text, bindparam, case, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite

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
from quizapp.services.live.groups import Groups
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

    The answers of one game that reach this process together are stored in one
    transaction (see groups.py); each returns once its answer is committed.
    """
    submitted = _Submitted(token, index, raw, now)
    outcome, recorded, led = _GROUPS.run(
        session_id, submitted, lambda group: _record_group(session_id, group)
    )
    if led and recorded is not None:
        _after_answers(session_id, recorded, now)
    if isinstance(outcome, ServiceError):
        if outcome.code == "late":
            close_if_expired(session_id, index, now)
        raise outcome
    return outcome


class _Submitted(NamedTuple):
    """One answer as it came in."""

    token: str | None
    index: int
    raw: grading.RawAnswer
    now: datetime


# Per process: the answers waiting for their game's transaction (see submit_answer).
_GROUPS = Groups()


class _Recorded(NamedTuple):
    """What a transaction of answers knows of their question after storing them."""

    index: int
    answered: int  # answers to the question, these included (see _answered)
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
# The game and the players who sent the answers, in one read: one player (every answer of a
# class, but for a moment's crowd) by the token, or several by a list (an IN list is built
# anew for each call, which made a single answer cost 0.015 ms more).
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
        _PLAYER.c.token_hash,
        _PLAYER.c.id.label("player_id"),
        _PLAYER.c.kicked,
        _PLAYER.c.streak,
        _PLAYER.c.user_id,
    )
    .select_from(_LIVE.join(_PLAYER, _PLAYER.c.session_id == _LIVE.c.id))
    .where(_LIVE.c.id == bindparam("session_id"))
)
_ONE_PLAYER = _ANSWER_STATE.where(_PLAYER.c.token_hash == bindparam("token"))
_PLAYERS = _ANSWER_STATE.where(_PLAYER.c.token_hash.in_(bindparam("tokens", expanding=True)))
_ANSWER_COLUMNS = [column for column in _ANSWER.c if not column.primary_key]


def _scored_by(points, correct, answered_at) -> dict:
    """The player's new score, streak and tie-break time from their stored answer's points,
    correctness and time: the points add up, a right answer extends the streak and a wrong
    one ends it, and only a rise of the score moves the tie-break time."""
    return {
        "score": _PLAYER.c.score + points,
        "streak": case((correct, _PLAYER.c.streak + 1), else_=0),
        "last_score_at": case((points > 0, answered_at), else_=_PLAYER.c.last_score_at),
    }


_ANSWER_KEY = [_ANSWER.c.player_id, _ANSWER.c.question_index]


def _unnested(column):
    """The column's values of all the answers, as rows: unnest of the array bound as
    "all_<column>". JSON goes as text (a list, as an answer, would read as an array)."""
    if isinstance(column.type, JSON):
        texts = bindparam("all_" + column.name, type_=postgresql.ARRAY(Text))
        return cast(func.unnest(texts), column.type)
    return func.unnest(bindparam("all_" + column.name, type_=postgresql.ARRAY(column.type)))


# The answer's values, bound as "a_<column>" (the players' update in the same statement
# binds values of its own).
_ANSWER_VALUES = {
    column.name: bindparam("a_" + column.name, type_=column.type) for column in _ANSWER_COLUMNS
}


def _insert_and_score(insert):
    """PostgreSQL: the answers' `insert` as a CTE, and the update of the players it returns,
    in one statement. A player's second answer to a question is left out (the unique
    constraint decides) and so adds nothing. Returns the players whose answer was stored."""
    inserted = (
        insert.on_conflict_do_nothing(index_elements=_ANSWER_KEY)
        .returning(_ANSWER.c.player_id, _ANSWER.c.points, _ANSWER.c.correct, _ANSWER.c.answered_at)
        .cte("inserted")
    )
    return (
        _PLAYER.update()
        .where(_PLAYER.c.id == inserted.c.player_id)
        .values(_scored_by(inserted.c.points, inserted.c.correct, inserted.c.answered_at))
        .returning(_PLAYER.c.id)
    )


# One answer (every answer of a class, but for a moment's crowd): one row of values.
_STORE_ONE = _insert_and_score(postgresql.insert(_ANSWER).values(_ANSWER_VALUES))
# Several answers: one array per column, bound as "all_<column>", made rows by unnest, so
# the statement is the same however many answers. (A list of VALUES rows would make
# SQLAlchemy compile the statement anew for each call; unnest costs PostgreSQL more than one
# row of values, 0.42 against 0.13 ms per single answer here, so one answer keeps its row.)
_STORE_MANY = _insert_and_score(
    postgresql.insert(_ANSWER).from_select(
        [column.name for column in _ANSWER_COLUMNS],
        select(*[_unnested(column) for column in _ANSWER_COLUMNS]),
    )
)
# SQLite has no INSERT in a WITH clause: there each answer is inserted, and if it was stored
# (not a second answer) its player's update follows (statements cost it no round trip).
_INSERT_SQLITE = (
    sqlite.insert(_ANSWER)
    .values(_ANSWER_VALUES)
    .on_conflict_do_nothing(index_elements=_ANSWER_KEY)
    .returning(_ANSWER.c.player_id)
)
_SCORE_SQLITE = (
    _PLAYER.update()
    .where(_PLAYER.c.id == _ANSWER_VALUES["player_id"])
    .values(
        _scored_by(
            _ANSWER_VALUES["points"], _ANSWER_VALUES["correct"], _ANSWER_VALUES["answered_at"]
        )
    )
)


def _store(connection, rows: list[dict]) -> set[int]:
    """Insert the answers `rows` and add their points to their players; return the ids of
    the players whose answer was stored (not a second answer).

    The rows go in in the order of their players: two workers' transactions can hold
    answers of the same players (a double tap's requests reach both), and an insert waits
    for the other's uncommitted row of the same player; in one order, neither can wait for
    the other while the other waits for it (in the order they came, they deadlocked).
    """
    rows = sorted(rows, key=lambda row: row["player_id"])
    if connection.dialect.name == "postgresql":
        if len(rows) == 1:
            params = {"a_" + name: value for name, value in rows[0].items()}
            return set(connection.execute(_STORE_ONE, params).scalars())
        arrays = {"all_" + name: [row[name] for row in rows] for name in rows[0]}
        # The one JSON column goes as text (see _unnested).
        arrays["all_answer"] = [json.dumps(row["answer"]) for row in rows]
        return set(connection.execute(_STORE_MANY, arrays).scalars())
    stored = set()
    for row in rows:
        params = {"a_" + name: value for name, value in row.items()}
        if connection.execute(_INSERT_SQLITE, params).first() is not None:
            connection.execute(_SCORE_SQLITE, params)
            stored.add(row["player_id"])
    return stored


class _Answer(NamedTuple):
    """An answer graded and ready to store."""

    row: dict  # the live_answer row
    version: _Version
    user_id: int | None
    result: grading.Grade


def _graded(live, submitted: _Submitted, session_id: int) -> _Answer:
    """Check one answer against the game and its player (`live`: their row of the read,
    None for an unknown token) and grade it; raise ServiceError if it is refused."""
    index, now = submitted.index, submitted.now
    if live is None:
        raise ServiceError("unknown")
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
        parsed = grading.parse_answer(version.type, version.payload, submitted.raw)
    except grading.AnswerError as error:
        raise ServiceError("invalid", answer_error=error) from None
    result = grading.grade(version.type, version.payload, parsed)
    elapsed_ms = int((now - live.options_at).total_seconds() * 1000)
    correct = result.correct is True
    gained = points(
        result.score or 0.0, elapsed_ms, live.time_limit_s * 1000, live.base_points, live.scoring
    )
    bonus = streak_bonus(live.streak + 1) if correct and live.streak_bonus else 0
    row = {
        "player_id": live.player_id,
        "session_id": session_id,
        "question_index": index,
        "version_id": version.id,
        "answer": parsed,
        "score": result.score or 0.0,
        "correct": correct,
        "elapsed_ms": elapsed_ms,
        "points": gained + bonus,
        "bonus": bonus,
        "answered_at": now,
    }
    return _Answer(row, version, live.user_id, result)


def _record_group(
    session_id: int, group: list[_Submitted]
) -> tuple[list[int | ServiceError], _Recorded | None]:
    """Grade and store answers to one game in one transaction (see submit_answer): for each,
    its time since the options opened (ms) or why it was refused; and what is known of the
    question after them (None when none was stored).

    The hot path of a game, so few round trips however many answers: the lock, one read,
    one store (see `_store`), now and then a count (see `_answered`), the commit.
    """
    tokens = {item.token: token_digest(item.token) for item in group if item.token}
    lock(session_id, shared=True)
    connection = db.session.connection()
    hashes = sorted(set(tokens.values()))
    if len(hashes) == 1:
        found = connection.execute(_ONE_PLAYER, {"session_id": session_id, "token": hashes[0]})
    else:
        found = connection.execute(_PLAYERS, {"session_id": session_id, "tokens": hashes})
    lives = {live.token_hash: live for live in found}
    outcomes: list[int | ServiceError | _Answer] = []
    answers: dict[int, _Answer] = {}  # by player: their first answer of the group
    for item in group:
        try:
            answer = _graded(lives.get(tokens.get(item.token)), item, session_id)
            if answer.row["player_id"] in answers:
                raise ServiceError("twice")
        except ServiceError as error:
            outcomes.append(error)
            continue
        answers[answer.row["player_id"]] = answer
        outcomes.append(answer)
    if not answers:
        db.session.rollback()
        return outcomes, None
    stored = _store(connection, [answer.row for answer in answers.values()])
    for answer in answers.values():
        if answer.user_id is not None and answer.row["player_id"] in stored:
            answer_recorded.send(
                current_app._get_current_object(),
                user_id=answer.user_id,
                question_id=answer.version.question_id,
                version_id=answer.version.id,
                score=answer.result.score,
                elapsed_ms=answer.row["elapsed_ms"],
                answered_at=answer.row["answered_at"],
            )
    recorded = None
    if stored:
        # Every stored answer is to the running question: the one index all were checked on.
        live = next(iter(lives.values()))
        index = live.current_index
        answered, counted = _answered(
            connection, session_id, live.two_step_secret, index, live.player_count, len(stored)
        )
        recorded = _Recorded(index, answered, counted, live.player_count)
    db.session.commit()
    return [_outcome(outcome, stored) for outcome in outcomes], recorded


def _outcome(outcome: ServiceError | _Answer, stored: set[int]) -> int | ServiceError:
    """One answer's outcome after the store: its time (ms), or why it was refused."""
    if not isinstance(outcome, _Answer):
        return outcome
    if outcome.row["player_id"] not in stored:
        return ServiceError("twice")
    return outcome.row["elapsed_ms"]


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
    connection, session_id: int, secret: str, index: int, active: int, added: int
) -> tuple[int, bool]:
    """Return how many have answered question `index`, the `added` answers just stored
    included, and whether that was counted in the database now (else it is this process's
    estimate).

    Counting the question's answers on every answer would make each answer cost more
    than the one before (O(n²) per question). So the database counts at most every
    RECOUNT_S per process; in between, the count is that count plus the answers this
    process stored since (other processes' answers show at the next count). Once
    fewer than RECOUNT_MARGIN answers may be missing, every answer counts exactly, so
    the last answer is seen and closes the question (see _after_answers).
    """
    key = (session_id, secret, index)
    tally = _TALLIES.get(key)
    moment = time.monotonic()
    if tally is not None and moment - tally.at < RECOUNT_S:
        estimate = tally.counted + tally.since + added
        if active - estimate > RECOUNT_MARGIN:
            tally.since += added
            return estimate, False
    counted = connection.execute(ANSWERED_COUNT, {"session_id": session_id, "index": index})
    counted = counted.scalar_one()
    if len(_TALLIES) > 500:
        _TALLIES.clear()
    _TALLIES[key] = _Tally(moment, counted)
    return counted, True


# The count inside an answers' transaction misses answers committed meanwhile. The answers
# that commit last re-count after their commit (then they see every answer) if they may be
# last: when fewer than this many answers are missing, more than can be in flight at once
# (each process stores one group of at most MAX_GROUP answers of a game at a time).
RECOUNT_MARGIN = 200


def _after_answers(session_id: int, recorded: _Recorded, now: datetime) -> None:
    """Tell the host how many have answered; close the question when all have.

    The host hears the count when it was counted: on every answer in a class, at most every
    RECOUNT_S per process while more than RECOUNT_MARGIN answers are missing (at 4,096
    players an event per answer cost each answer a publish and every worker its delivery).
    """
    index, answered, active = recorded.index, recorded.answered, recorded.active
    if recorded.counted:
        data = {"index": index, "count": answered, "total": active}
        broker().publish(session_id, Event("answered", data, audience="host"))
    if active - answered <= RECOUNT_MARGIN:
        close_if_all_answered(session_id, now)
