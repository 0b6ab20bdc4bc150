"""A learner's own data: download all of it, or delete the account.

Deleting keeps attempts and responses only as anonymous statistics: the attempts lose
their owner, free-text reflections are erased, personal rows (review cards, class
memberships) are deleted, and every other reference to the account is cleared.
"""

import json
from datetime import datetime

from sqlalchemy import case, delete, exists, func, null, select, update

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    Card,
    LiveAnswer,
    LiveSession,
    Membership,
    Player,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    SchoolClass,
    User,
    answer_revealed,
    response_revealed,
    unrevealed_questions,
    utcnow,
)
from quizapp.security import check_password
from quizapp.services import schedule
from quizapp.spreadsheets import csv_text

# Rows that only describe the person: deleted with the account.
PERSONAL_TABLES = ("card", "membership")

CSV_COLUMNS = [
    "attempt_id",
    "quiz",
    "mode",
    "bank",
    "attempt_started_at",
    "attempt_finished_at",
    "question",
    "type",
    "prompt",
    "answer",
    "score",
    "correct",
    "answered_at",
    "elapsed_ms",
]


def _iso(moment: datetime | None) -> str | None:
    """Return a naive-UTC moment as ISO 8601 with its zone, or None."""
    return moment.isoformat() + "Z" if moment else None


def _parts(row) -> frozenset[str]:
    """What the review options of the row's quiz show now."""
    return schedule.parts_of(row.review_now, row.review_after_due, row.due_at, utcnow())


def _attempts(user_id: int) -> list[dict]:
    """Return the learner's attempts, each with its responses (two queries)."""
    attempts = {
        row.id: {
            "id": row.id,
            "quiz": row.quiz_title,
            "mode": row.mode,
            "bank": row.bank_title,
            "started_at": _iso(row.started_at),
            "finished_at": _iso(row.finished_at),
            # The quiz's review options hold in the export too (an exam before its due date).
            "score": row.score if "score" in _parts(row) else None,
            "max_score": row.max_score if "score" in _parts(row) else None,
            "responses": [],
            "_parts": _parts(row),
        }
        for row in db.session.execute(
            select(
                Attempt.id,
                Quiz.title.label("quiz_title"),
                Quiz.mode,
                Bank.title.label("bank_title"),
                Attempt.started_at,
                Attempt.finished_at,
                Attempt.score,
                Attempt.max_score,
                Quiz.review_now,
                Quiz.review_after_due,
                Quiz.due_at,
            )
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .outerjoin(Bank, Bank.id == Quiz.bank_id)
            .where(Attempt.user_id == user_id)
            .order_by(Attempt.started_at, Attempt.id)
        )
    }
    rows = db.session.execute(
        select(
            Response.attempt_id,
            Question.key,
            QuestionVersion.type,
            QuestionVersion.prompt,
            Response.answer,
            # An open exam's results stay secret, as in the exam.
            case((response_revealed(), Response.score), else_=null()).label("score"),
            case((response_revealed(), Response.correct), else_=null()).label("correct"),
            Response.answered_at,
            Response.elapsed_ms,
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Attempt.user_id == user_id)
        .order_by(Response.answered_at, Response.id)
    )
    for row in rows:
        answer = _answer(row)
        if "correctness" not in attempts[row.attempt_id]["_parts"]:
            answer.update(score=None, correct=None)
        attempts[row.attempt_id]["responses"].append(answer)
    for attempt in attempts.values():
        del attempt["_parts"]
    return list(attempts.values())


def _answer(row, **more) -> dict:
    """One answer (of a quiz or a live game) as exported."""
    return {
        "question": row.key,
        "type": row.type,
        "prompt": row.prompt,
        "answer": row.answer,
        "score": row.score,
        "correct": row.correct,
        **more,
        "answered_at": _iso(row.answered_at),
        "elapsed_ms": row.elapsed_ms,
    }


def _unrevealed_points():
    """Scalar subquery: the points of the player's answer to a question not yet revealed."""
    return (
        select(func.coalesce(func.sum(LiveAnswer.points), 0))
        .join(LiveSession, LiveSession.id == LiveAnswer.session_id)
        .where(LiveAnswer.player_id == Player.id, ~answer_revealed())
        .scalar_subquery()
    )


def _live_games(user_id: int) -> list[dict]:
    """Return the live games the learner played logged in, each with their answers (two
    queries). The running question of a game stays out until its reveal, as on the
    progress page: whether an answer was right is the game's secret until then."""
    games = {
        row.id: {
            "game": row.title,
            "bank": row.bank_title,
            "nickname": row.nickname,
            "joined_at": _iso(row.joined_at),
            "score": row.score,
            "answers": [],
        }
        for row in db.session.execute(
            select(
                Player.id,
                Quiz.title,
                Bank.title.label("bank_title"),
                Player.nickname,
                Player.joined_at,
                (Player.score - _unrevealed_points()).label("score"),
            )
            .join(LiveSession, LiveSession.id == Player.session_id)
            .join(Quiz, Quiz.id == LiveSession.quiz_id)
            .outerjoin(Bank, Bank.id == Quiz.bank_id)
            .where(Player.user_id == user_id)
            .order_by(Player.joined_at, Player.id)
        )
    }
    rows = db.session.execute(
        select(
            LiveAnswer.player_id,
            Question.key,
            QuestionVersion.type,
            QuestionVersion.prompt,
            LiveAnswer.answer,
            LiveAnswer.score,
            LiveAnswer.correct,
            LiveAnswer.points,
            LiveAnswer.answered_at,
            LiveAnswer.elapsed_ms,
        )
        .join(Player, Player.id == LiveAnswer.player_id)
        .join(LiveSession, LiveSession.id == LiveAnswer.session_id)
        .join(QuestionVersion, QuestionVersion.id == LiveAnswer.version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Player.user_id == user_id, answer_revealed())
        .order_by(LiveAnswer.answered_at, LiveAnswer.id)
    )
    for row in rows:
        # A live answer's points already hold its streak bonus (the game's score adds them).
        games[row.player_id]["answers"].append(_answer(row, points=row.points))
    return list(games.values())


def export_data(user: User) -> dict:
    """Return everything stored about the learner, as plain JSON-ready data."""
    cards = db.session.execute(
        select(
            Bank.title, Question.key, Card.due_at, Card.reviews, Card.lapses, Card.last_review_at
        )
        .join(Question, Question.id == Card.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Card.user_id == user.id, Card.question_id.not_in(unrevealed_questions(user.id)))
        .order_by(Card.due_at, Card.id)
    )
    classes = db.session.execute(
        select(SchoolClass.name, Membership.joined_at)
        .join(SchoolClass, SchoolClass.id == Membership.class_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.joined_at)
    )
    return {
        "exported_at": _iso(utcnow()),
        "account": {
            "id": user.id,
            "email": user.email,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
        },
        "classes": [{"name": name, "joined_at": _iso(joined)} for name, joined in classes],
        "attempts": _attempts(user.id),
        "live_games": _live_games(user.id),
        "review_cards": [
            {
                "bank": bank,
                "question": key,
                "due_at": _iso(due),
                "reviews": reviews,
                "lapses": lapses,
                "last_review_at": _iso(last),
            }
            for bank, key, due, reviews, lapses, last in cards
        ],
    }


def export_json(user: User) -> str:
    """Return the learner's data as a JSON document."""
    return json.dumps(export_data(user), ensure_ascii=False, indent=2)


def export_csv(user: User) -> str:
    """Return the learner's answers as CSV, one row per response with its attempt, then one
    per live-game answer (mode "live", no attempt id)."""
    # No byte-order mark: this file is read by programs as much as by spreadsheets.
    # The first six columns describe the attempt or game, the rest are the answer's keys.
    answer_columns = CSV_COLUMNS[6:]
    rows = [
        (a["id"], a["quiz"], a["mode"], a["bank"], a["started_at"], a["finished_at"], answer)
        for a in _attempts(user.id)
        for answer in a["responses"]
    ] + [
        ("", g["game"], "live", g["bank"], g["joined_at"], "", answer)
        for g in _live_games(user.id)
        for answer in g["answers"]
    ]
    lines = [context + [answer[column] for column in answer_columns] for *context, answer in rows]
    return csv_text([CSV_COLUMNS, *lines], bom=False)


def _user_references():
    """Yield (table, column) for every column that points at an account."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table is User.__table__ for fk in column.foreign_keys):
                yield table, column


def delete_account(user: User, password: str) -> None:
    """Delete the account after checking its password; attempts stay, anonymous.

    Refused (nothing changes) for a wrong password, for the last admin, and while the
    account still owns things others depend on (classes, hosted games).
    """
    if not check_password(user.password_hash, password):
        raise ServiceError("wrong_password", field="password")
    if user.role == "admin":
        admins = db.session.scalar(select(func.count(User.id)).where(User.role == "admin"))
        if admins <= 1:
            raise ServiceError("last_admin", field="password")
    # Classes first: the page can send the teacher to where they are deleted.
    if db.session.scalar(select(exists().where(SchoolClass.teacher_id == user.id))):
        raise ServiceError("classes", field="password")
    references = list(_user_references())
    for table, column in references:
        if table.name in PERSONAL_TABLES or column.nullable:
            continue
        if db.session.scalar(select(exists().where(column == user.id))):
            raise ServiceError("owns", field="password")
    reflections = (
        select(Response.id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .where(Attempt.user_id == user.id, QuestionVersion.type == "reflection")
    )
    # Free text may name people; the statistics need only that it was answered.
    db.session.execute(update(Response).where(Response.id.in_(reflections)).values(answer=null()))
    for table, column in references:
        if table.name in PERSONAL_TABLES:
            db.session.execute(delete(table).where(column == user.id))
        else:
            db.session.execute(update(table).where(column == user.id).values({column.name: None}))
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.commit()
