"""A learner's assignments: the quizzes of their classes with due dates and their status."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Membership, Quiz, SchoolClass, User

# not_started | in_progress | done | late (not handed in and past the due date)
STATUSES = ("late", "in_progress", "not_started", "done")


@dataclass
class Assignment:
    """A quiz set for one of the learner's classes, as their start page lists it."""

    quiz_id: int
    title: str
    class_name: str
    due_at: datetime | None
    status: str


def assignments(user: User, now: datetime) -> list[Assignment]:
    """The learner's assignments, open ones first (soonest due first), done ones last."""
    rows = db.session.execute(
        select(Quiz.id, Quiz.title, SchoolClass.name, Quiz.due_at)
        .join(SchoolClass, SchoolClass.id == Quiz.class_id)
        .join(Membership, Membership.class_id == SchoolClass.id)
        .where(
            Membership.user_id == user.id,
            SchoolClass.archived_at.is_(None),
            Quiz.archived_at.is_(None),
        )
    ).all()
    if not rows:
        return []
    progress = {
        quiz_id: (finished, running)
        for quiz_id, finished, running in db.session.execute(
            select(
                Attempt.quiz_id,
                func.count(Attempt.finished_at),
                func.sum(case((Attempt.finished_at.is_(None), 1), else_=0)),
            )
            .where(Attempt.user_id == user.id, Attempt.quiz_id.in_([r.id for r in rows]))
            .group_by(Attempt.quiz_id)
        )
    }
    found = []
    for quiz_id, title, class_name, due_at in rows:
        finished, running = progress.get(quiz_id, (0, 0))
        if finished:
            status = "done"
        elif due_at is not None and now > due_at:
            status = "late"
        elif running:
            status = "in_progress"
        else:
            status = "not_started"
        found.append(Assignment(quiz_id, title, class_name, due_at, status))
    found.sort(
        key=lambda a: (a.status == "done", a.due_at is None, a.due_at or now, a.title.lower())
    )
    return found
