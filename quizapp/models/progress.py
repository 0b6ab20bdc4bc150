"""Spaced-repetition state per learner and question."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db


class Card(db.Model):
    """An FSRS card: when a learner should next see a question."""

    __table_args__ = (UniqueConstraint("user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    # The fsrs.Card as its to_dict(); the scheduler's state between reviews.
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    last_review_at: Mapped[datetime | None]
