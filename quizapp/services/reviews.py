"""Spaced repetition: every question a learner answers becomes an FSRS card.

The card of (learner, question) is rescheduled inside the transaction that records the
answer (the answer_recorded signal); "Review now" serves the cards that are due.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from flask import current_app
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.dates import TIMEZONE
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    Card,
    Question,
    QuestionVersion,
    Response,
    unrevealed_questions,
    utcnow,
)
from quizapp.signals import answer_recorded

# A score below this is a wrong answer (Again); below 1 a partly right one (Hard).
WRONG_BELOW = 0.5
# Time thresholds of the review rating (see rating_for).
FAST_MS = 8_000
SLOW_MS = 30_000
MEDIAN_SAMPLE = 50
MEDIAN_ATTEMPTS = 10
MEDIAN_MIN_SAMPLES = 5
# A review session asks at most this many questions.
SESSION_SIZE = 20


def _scheduler(fuzzing: bool) -> Scheduler:
    """Return an FSRS scheduler that counts in days (no same-day learning steps)."""
    # Quiz questions are not flashcards drilled in one sitting: without learning steps a
    # wrong answer comes back tomorrow, a right one in a few days, growing from there.
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=fuzzing)


_SCHEDULERS = {True: _scheduler(True), False: _scheduler(False)}


def scheduler() -> Scheduler:
    """Return the app's scheduler; fuzzing (spreading due dates) is off in tests."""
    fuzzing = current_app.config.get("FSRS_FUZZING", not current_app.testing)
    return _SCHEDULERS[bool(fuzzing)]


# ---------------------------------------------------------------- reviews (FSRS)


def rating_for(score: float, elapsed_ms: int | None, median_ms: float | None = None) -> Rating:
    """Turn a graded answer into an FSRS rating.

    The rule: score below 0.5 → Again; partly right (0.5 ≤ score < 1) → Hard; fully right
    but slow (over 30 s, or over twice the learner's median answer time and at least 8 s)
    → Hard; fully right in under 8 s → Easy; otherwise fully right → Good. Without a
    measured time a right answer is Good.
    """
    if score < WRONG_BELOW:
        return Rating.Again
    if score < 1:
        return Rating.Hard
    if elapsed_ms is None:
        return Rating.Good
    if elapsed_ms > SLOW_MS or (median_ms and elapsed_ms >= FAST_MS and elapsed_ms > 2 * median_ms):
        return Rating.Hard
    if elapsed_ms < FAST_MS:
        return Rating.Easy
    return Rating.Good


def median_answer_ms(user_id: int) -> float | None:
    """Return the median time of the learner's latest timed answers (None if too few)."""
    # Only the latest attempts are read: this runs for every answer, however long the history.
    recent = (
        select(Attempt.id)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.id.desc())
        .limit(MEDIAN_ATTEMPTS)
    )
    times = db.session.scalars(
        select(Response.elapsed_ms)
        .where(Response.attempt_id.in_(recent), Response.elapsed_ms.is_not(None))
        .order_by(Response.answered_at.desc())
        .limit(MEDIAN_SAMPLE)
    ).all()
    return median(times) if len(times) >= MEDIAN_MIN_SAMPLES else None


def aware(moment: datetime) -> datetime:
    """Return a UTC-aware datetime (the database stores naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def naive(moment: datetime) -> datetime:
    """Return naive UTC, as the database stores it."""
    return aware(moment).replace(tzinfo=None)


def _card_for_update(user_id: int, question_id: int, now: datetime) -> Card:
    """Return the learner's card of a question, created if missing, locked for this update."""
    values = {"user_id": user_id, "question_id": question_id, "due_at": now, "state": {}}
    dialect = db.session.get_bind().dialect.name
    # Two answers at once (two tabs, a live game) must not both insert: the database decides.
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(
            insert(Card)
            .values(**values, reviews=0, lapses=0)
            .on_conflict_do_nothing(index_elements=["user_id", "question_id"])
        )
    card = db.session.scalar(
        select(Card)
        .where(Card.user_id == user_id, Card.question_id == question_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if card is None:
        card = Card(**values)
        db.session.add(card)
        db.session.flush()
    return card


def record_review(
    user_id: int,
    question_id: int,
    score: float | None,
    elapsed_ms: int | None = None,
    answered_at: datetime | None = None,
) -> Card | None:
    """Schedule the learner's card of a question after a graded answer; no commit.

    Unscored answers (reflection) make no card. Runs inside the caller's transaction.
    """
    if score is None:
        return None
    now = naive(answered_at or utcnow())
    card = _card_for_update(user_id, question_id, now)
    if card.state:
        fsrs_card = FsrsCard.from_dict(card.state)
    else:
        fsrs_card = FsrsCard(card_id=card.id, due=aware(now))
    review_at = aware(now)
    # Answers may arrive out of order (a resumed attempt); FSRS needs time to move forward.
    if fsrs_card.last_review and fsrs_card.last_review > review_at:
        review_at = fsrs_card.last_review
    # Only a fully right answer of middling speed is judged against the learner's usual pace
    # (see rating_for); the median costs a query, so it is read only then.
    middling = elapsed_ms is not None and FAST_MS <= elapsed_ms <= SLOW_MS
    median = median_answer_ms(user_id) if score >= 1 and middling else None
    rating = rating_for(score, elapsed_ms, median)
    fsrs_card, _log = scheduler().review_card(
        fsrs_card, rating, review_datetime=review_at, review_duration=elapsed_ms
    )
    if rating == Rating.Again and card.reviews > 0:
        card.lapses += 1
    card.reviews += 1
    card.state = fsrs_card.to_dict()
    card.due_at = naive(fsrs_card.due)
    card.last_review_at = naive(review_at)
    return card


def _on_answer_recorded(sender, **kwargs) -> None:
    """Update the FSRS card whenever a logged-in learner's answer is graded."""
    record_review(
        kwargs["user_id"],
        kwargs["question_id"],
        kwargs.get("score"),
        kwargs.get("elapsed_ms"),
        kwargs.get("answered_at"),
    )


answer_recorded.connect(_on_answer_recorded)


def askable():
    """Condition: the question is published and has a current version."""
    return and_(Question.status == "published", Question.current_version_id.is_not(None))


def shown_cards(user_id: int):
    """Condition: the card's question has no answer of the learner that is still secret."""
    return Card.question_id.not_in(unrevealed_questions(user_id))


def due_count(user_id: int, now: datetime | None = None) -> int:
    """Return how many of the learner's cards are due now."""
    now = naive(now or utcnow())
    return db.session.scalar(
        select(func.count(Card.id))
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user_id, Card.due_at <= now, askable(), shown_cards(user_id))
    )


@dataclass
class Upcoming:
    """When reviews come due: the next one, and how many by the end of today and of this week."""

    next_due: datetime | None
    today: int
    this_week: int


def upcoming(user_id: int, now: datetime | None = None) -> Upcoming:
    """Return the learner's next due time and the cards due by the end of today and of this
    week (Monday to Sunday, Berlin time; both counts include those due already).

    A card whose question has an answer still secret is left out, as in due_count: when it
    falls due would tell a right answer from a wrong one before the reveal."""
    now = naive(now or utcnow())
    local = aware(now).astimezone(TIMEZONE)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = naive((midnight + timedelta(days=1)).astimezone(UTC))
    end_of_week = naive((midnight + timedelta(days=7 - local.weekday())).astimezone(UTC))
    mine = (Card.user_id == user_id, askable(), shown_cards(user_id))
    base = select(func.count(Card.id)).join(Question, Question.id == Card.question_id)
    return Upcoming(
        next_due=db.session.scalar(
            select(func.min(Card.due_at))
            .join(Question, Question.id == Card.question_id)
            .where(*mine, Card.due_at > now)
        ),
        today=db.session.scalar(base.where(*mine, Card.due_at < end_of_day)),
        this_week=db.session.scalar(base.where(*mine, Card.due_at < end_of_week)),
    )


@dataclass
class DueItem:
    """One due card as the review page lists it."""

    question_id: int
    version_id: int
    prompt: str
    bank_title: str
    due_at: datetime
    reviews: int
    lapses: int


def review_queue(
    user_id: int, now: datetime | None = None, limit: int = SESSION_SIZE
) -> list[DueItem]:
    """Return the learner's due cards across banks, most overdue first."""
    now = naive(now or utcnow())
    rows = db.session.execute(
        select(
            Card.question_id,
            QuestionVersion.id,
            QuestionVersion.prompt,
            Bank.title,
            Card.due_at,
            Card.reviews,
            Card.lapses,
        )
        .join(Question, Question.id == Card.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Card.user_id == user_id, Card.due_at <= now, askable(), shown_cards(user_id))
        .order_by(Card.due_at, Card.id)
        .limit(limit)
    ).all()
    return [DueItem(*row) for row in rows]
