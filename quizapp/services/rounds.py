"""Practice rounds: a few questions of a bank (or of one tag or claim), those needed most first.

Need, in this order: reviews that are due (longest due first), then mistakes (latest answer
not fully right), then questions never answered (in bank order), then the rest (answered
longest ago first). A round is an attempt of a one-off practice quiz, like a retry.
"""

from datetime import datetime

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    Card,
    Claim,
    Question,
    QuestionVersion,
    Quiz,
    Response,
    utcnow,
)
from quizapp.services.attempts import UNSCORED_TYPES, Owner, start_attempt
from quizapp.services.quizzes import published_versions

# The lengths a learner chooses from; None is the whole bank (or tag, or claim).
ROUND_SIZES = (5, 10, 20, None)
DEFAULT_SIZE = 10
ROUND_MODE = "round"


def _latest_answers(owner: Owner, question_ids: list[int]) -> dict[int, tuple[float, datetime]]:
    """Return each question's latest score and time for the owner (questions answered only)."""
    if not question_ids:
        return {}
    ranked = (
        select(
            QuestionVersion.question_id,
            Response.score,
            Response.answered_at,
            func.row_number()
            .over(
                partition_by=QuestionVersion.question_id,
                order_by=(Response.answered_at.desc(), Response.id.desc()),
            )
            .label("n"),
        )
        .join(Response, Response.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(owner.condition(), QuestionVersion.question_id.in_(question_ids))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.question_id, ranked.c.score, ranked.c.answered_at).where(ranked.c.n == 1)
    )
    return {qid: (score, at) for qid, score, at in rows}


def _due(owner: Owner, question_ids: list[int], now: datetime) -> dict[int, datetime]:
    """Return when each of the owner's due review cards among the questions fell due."""
    if owner.user_id is None or not question_ids:
        return {}
    rows = db.session.execute(
        select(Card.question_id, Card.due_at).where(
            Card.user_id == owner.user_id,
            Card.question_id.in_(question_ids),
            Card.due_at <= now,
        )
    )
    return dict(rows.all())


def round_versions(
    bank: Bank,
    owner: Owner,
    size: int | None = DEFAULT_SIZE,
    *,
    tag: str | None = None,
    claim_key: str | None = None,
    now: datetime | None = None,
) -> list[QuestionVersion]:
    """Return up to `size` (None: all) of the bank's questions, by need (see the module)."""
    now = now or utcnow()
    versions = [v for v in published_versions(bank.id) if v.type not in UNSCORED_TYPES]
    if tag:
        versions = [v for v in versions if tag in (v.question.tags or [])]
    if claim_key:
        versions = [v for v in versions if v.question.claim.key == claim_key]
    ids = [v.question_id for v in versions]
    due, latest = _due(owner, ids, now), _latest_answers(owner, ids)
    position = {v.question_id: i for i, v in enumerate(versions)}

    def need(version: QuestionVersion) -> tuple:
        qid = version.question_id
        if qid in due:
            return (0, due[qid], position[qid])
        if qid in latest and (latest[qid][0] or 0) < 1:
            return (1, -latest[qid][1].timestamp(), position[qid])
        if qid not in latest:
            return (2, 0, position[qid])
        return (3, latest[qid][1].timestamp(), position[qid])

    ranked = sorted(versions, key=need)
    return ranked if size is None else ranked[:size]


def claims_of(bank: Bank) -> list[Claim]:
    """Return the claims of the bank that have published questions, in bank order."""
    return list(
        db.session.scalars(
            select(Claim)
            .join(Question, Question.claim_id == Claim.id)
            .where(Question.bank_id == bank.id, Question.status == "published")
            .group_by(Claim.id)
            .order_by(func.min(Question.position), Claim.id)
        )
    )


def start_round(
    bank: Bank,
    owner: Owner,
    size: int | None = DEFAULT_SIZE,
    *,
    title: str,
    tag: str | None = None,
    claim_key: str | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Start a practice round of the bank for the owner (ServiceError empty_quiz if nothing)."""
    versions = round_versions(bank, owner, size, tag=tag, claim_key=claim_key, now=now)
    quiz = Quiz(
        bank_id=bank.id,
        title=title,
        selection="all",
        mode=ROUND_MODE,
        grading_method="last",
        created_by_id=owner.user_id,
    )
    db.session.add(quiz)
    db.session.flush()
    return start_attempt(quiz, owner, versions=versions, now=now)
