"""Live classroom sessions: the game, its players, their answers and the event log."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.users import utcnow


class LiveSession(db.Model):
    """A hosted game; all its state lives here, never only in a worker's memory."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # lobby | question | reveal | leaderboard | podium | ended
    state: Mapped[str] = mapped_column(String(16), default="lobby")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Player(db.Model):
    """A participant of a live session, recognised again by a token in a cookie."""

    __table_args__ = (UniqueConstraint("session_id", "nickname"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    score: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveAnswer(db.Model):
    """One player's answer to one question of a live session."""

    __table_args__ = (UniqueConstraint("player_id", "question_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    question_index: Mapped[int]
    answer: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    points: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveEvent(db.Model):
    """The ordered event log of a session, so reconnecting clients catch up."""

    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
