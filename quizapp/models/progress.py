"""Spaced-repetition state per learner and question."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Select, UniqueConstraint, select, union
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.attempts import Attempt, Response, response_revealed
from quizapp.models.content import QuestionVersion
from quizapp.models.live import LiveAnswer, LiveSession, Player, answer_revealed


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


def unrevealed_questions(user_id: int) -> Select:
    """Return a SELECT of the questions whose latest answer by the learner is still secret
    (an open exam, a live question before its reveal).

    Their review cards already changed with the answer; pages and downloads leave such cards
    out until the result is shown, so a card's state never tells it early.
    """
    exam = (
        select(QuestionVersion.question_id)
        .join(Response, Response.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.user_id == user_id, ~response_revealed())
    )
    live = (
        select(QuestionVersion.question_id)
        .join(LiveAnswer, LiveAnswer.version_id == QuestionVersion.id)
        .join(Player, Player.id == LiveAnswer.player_id)
        .join(LiveSession, LiveSession.id == LiveAnswer.session_id)
        .where(Player.user_id == user_id, ~answer_revealed())
    )
    return select(union(exam, live).subquery().c.question_id)
