"""When a quiz can be taken, and what learners see of a finished attempt (review options).

As Moodle's quiz: an open date, a due date with "late attempts: refused | accepted and
marked late", and per quiz what is shown right after handing in and after the due date —
the score, whether each answer was right, the right answers, explanations with the source.
Unset review options (None) show everything, as before they existed.
"""

from datetime import datetime

from sqlalchemy import or_, select

from quizapp.extensions import db
from quizapp.models import Attempt, Quiz

REVIEW_PARTS = ("score", "correctness", "answers", "explanations")
LATE_POLICIES = ("accept", "refuse")
ALL_PARTS = frozenset(REVIEW_PARTS)


def start_refusal(quiz: Quiz, now: datetime) -> str | None:
    """The reason a new attempt may not start now (archived, not_open, past_due), or None."""
    if quiz.archived_at is not None:
        return "archived"
    if quiz.open_at is not None and now < quiz.open_at:
        return "not_open"
    if quiz.due_at is not None and now > quiz.due_at and quiz.late_policy == "refuse":
        return "past_due"
    return None


def is_late(quiz: Quiz, now: datetime) -> bool:
    """Whether an attempt started now is late (after the due date)."""
    return quiz.due_at is not None and now > quiz.due_at


def review_parts(quiz: Quiz, now: datetime) -> frozenset[str]:
    """What a learner sees of a finished attempt of the quiz now."""
    return parts_of(quiz.review_now, quiz.review_after_due, quiz.due_at, now)


def parts_of(
    review_now: list | None, review_after_due: list | None, due_at: datetime | None, now: datetime
) -> frozenset[str]:
    """The review options in force: after the due date its own, else those of right after."""
    after_due = due_at is not None and now >= due_at
    chosen = review_after_due if after_due else review_now
    return ALL_PARTS if chosen is None else frozenset(p for p in chosen if p in ALL_PARTS)


def more_after_due(quiz: Quiz, now: datetime) -> bool:
    """Whether learners will see more once the due date has passed."""
    if quiz.due_at is None or now >= quiz.due_at:
        return False
    later = parts_of(quiz.review_now, quiz.review_after_due, quiz.due_at, quiz.due_at)
    return bool(later - review_parts(quiz, now))


def restrict_feedback(data: dict, parts: frozenset[str]) -> dict:
    """A question's feedback (as the API gives it) without what the review options hide."""
    data = dict(data)
    if "correctness" not in parts:
        data.update(score=None, correct=None, status="hidden", detail=None)
    if "answers" not in parts:
        data.update(solution=None, solution_text=[])
    if "explanations" not in parts:
        data.update(explanation=None, claim=None)
    return data


def hidden_quiz_ids(user_id: int, part: str, now: datetime) -> list[int]:
    """The quizzes the learner attempted whose review options hide `part` now (one query):
    progress pages leave their answers out, so nothing shows before the teacher allows it."""
    rows = db.session.execute(
        select(Quiz.id, Quiz.review_now, Quiz.review_after_due, Quiz.due_at).where(
            Quiz.id.in_(select(Attempt.quiz_id).where(Attempt.user_id == user_id)),
            or_(Quiz.review_now.is_not(None), Quiz.review_after_due.is_not(None)),
        )
    )
    return [
        quiz_id
        for quiz_id, review_now, review_after_due, due_at in rows
        if part not in parts_of(review_now, review_after_due, due_at, now)
    ]
