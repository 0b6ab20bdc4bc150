"""Quizzes (a selection from a bank plus settings), attempts and their responses."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, exists
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.content import Bank, QuestionVersion
from quizapp.models.users import User, utcnow

# Modes that show whether an answer was right only when the attempt ends.
FEEDBACK_AT_END = ("exam",)


class Quiz(db.Model):
    """A selection of a bank's questions with the rules for taking it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable name of a quiz the app makes itself (e.g. "bank:<slug>:practice"); None otherwise.
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # None for quizzes built across banks (review, "practise my mistakes").
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("bank.id"))
    title: Mapped[str] = mapped_column(String(300))
    # all | tag | random
    selection: Mapped[str] = mapped_column(String(16), default="all")
    tag: Mapped[str | None] = mapped_column(String(60))
    count: Mapped[int | None]
    # practice | exam | review | mistakes
    mode: Mapped[str] = mapped_column(String(16), default="practice")
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    time_limit_s: Mapped[int | None]
    attempts_allowed: Mapped[int | None]
    # highest | average | first | last
    grading_method: Mapped[str] = mapped_column(String(16), default="highest")
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"))
    due_at: Mapped[datetime | None]
    # Before it the quiz cannot be started (naive UTC); None: open at once.
    open_at: Mapped[datetime | None]
    # After the due date: "refuse" new attempts, or "accept" them and mark them late.
    late_policy: Mapped[str] = mapped_column(String(8), default="accept")
    # What learners see of a finished attempt (Moodle's review options):
    # a list of "score", "correctness", "answers", "explanations", right after handing in,
    # and after the due date. None: the mode's default.
    review_now: Mapped[list | None] = mapped_column(JSON)
    review_after_due: Mapped[list | None] = mapped_column(JSON)
    # selection "pick": the chosen question ids in order.
    question_ids: Mapped[list | None] = mapped_column(JSON)
    # Deleted by its teacher while attempts existed: out of every list, results kept.
    archived_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bank: Mapped[Bank | None] = relationship()


class Attempt(db.Model):
    """One learner's (or guest's) run through a quiz."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Guests are recognised by a random token in a cookie; stored hashed.
    guest_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The question versions of this attempt, in the order shown.
    version_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Secret per-attempt seed for the shown order of options, items and right-hand sides.
    order_seed: Mapped[int] = mapped_column(default=0)
    # The question last handed out and when (server time): the start of its elapsed time.
    current_version_id: Mapped[int | None]
    shown_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    score: Mapped[float | None]
    max_score: Mapped[float | None]
    # Started after the quiz's due date (accepted late).
    late: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User | None] = relationship()
    responses: Mapped[list["Response"]] = relationship(back_populates="attempt")


class Response(db.Model):
    """The answer given to one question version in one attempt."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    answer: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    score: Mapped[float | None]
    correct: Mapped[bool | None]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    elapsed_ms: Mapped[int | None]
    # The teacher's reading of a free-text answer: a comment the learner sees, optional points.
    comment: Mapped[str | None] = mapped_column(Text)
    comment_points: Mapped[float | None]
    commented_at: Mapped[datetime | None]

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    version: Mapped[QuestionVersion] = relationship()


def response_revealed():
    """SQL condition: the learner has been shown whether the response was right (with Attempt
    joined): after each answer in practice, only once the attempt ended in an exam.

    Until then the pages and downloads that read responses (progress, mistakes, the
    learner's data) leave the result out, as the exam itself does.
    """
    return Attempt.finished_at.is_not(None) | ~exists().where(
        Quiz.id == Attempt.quiz_id, Quiz.mode.in_(FEEDBACK_AT_END)
    )
