"""Live classroom sessions: the game, its players, their answers and the event log."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.attempts import Quiz
from quizapp.models.users import utcnow


class LiveSession(db.Model):
    """A hosted game; all its state lives here, never only in a worker's memory.

    Every change of what players see (phase, question, pause, kick, lock) bumps
    `last_seq` with a conditional UPDATE on its old value: that is the session's
    version, so two workers (or a timer and the host) never both advance it, and
    the new value is the `seq` of the LiveEvent that announces the change.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6), index=True)
    # The PIN while the game can be joined; NULL afterwards, so PINs are unique among live games.
    open_pin: Mapped[str | None] = mapped_column(String(6), unique=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # lobby → (question → reveal → leaderboard)… → podium (the game is over)
    state: Mapped[str] = mapped_column(String(16), default="lobby")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    # Rules, fixed when the game is created. scoring: speed | accuracy
    scoring: Mapped[str] = mapped_column(String(16), default="speed")
    streak_bonus: Mapped[bool] = mapped_column(default=True)
    base_points: Mapped[int] = mapped_column(default=1000)
    time_limit_s: Mapped[int] = mapped_column(default=20)
    # Seconds the question is shown before its options open.
    preview_s: Mapped[int] = mapped_column(default=3)
    # The question versions of this game, in order (fixed at start).
    version_ids: Mapped[list] = mapped_column(JSON, default=list)

    # Join protection.
    locked: Mapped[bool] = mapped_column(default=False)
    max_players: Mapped[int | None]
    two_step: Mapped[bool] = mapped_column(default=False)
    # Random per game: the key of the two-step codes (and a cache key that never repeats).
    two_step_secret: Mapped[str] = mapped_column(String(64), default="")
    player_count: Mapped[int] = mapped_column(default=0)

    # The running question; times are the server's.
    current_index: Mapped[int] = mapped_column(default=-1)
    question_at: Mapped[datetime | None]
    options_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(default=0)

    quiz: Mapped[Quiz] = relationship()


class Player(db.Model):
    """A participant of a live session, recognised again by a token in a cookie."""

    __table_args__ = (
        UniqueConstraint("session_id", "nickname"),
        # Case-insensitive uniqueness: "Anna" and "anna" are one name in a classroom.
        UniqueConstraint("session_id", "nickname_key", name="uq_player_session_nickname_key"),
        # The removed players of a game, for the count of a question's answers.
        Index("ix_player_session_kicked", "session_id", "kicked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    nickname_key: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)
    # When the score last rose: the earlier of two equal scores ranks first.
    last_score_at: Mapped[datetime | None]
    kicked: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveAnswer(db.Model):
    """One player's answer to one question of a live session."""

    __table_args__ = (
        UniqueConstraint("player_id", "question_index"),
        Index("ix_live_answer_session_question", "session_id", "question_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    question_index: Mapped[int]
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_version.id"))
    answer: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(default=0.0)
    correct: Mapped[bool] = mapped_column(default=False)
    elapsed_ms: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    bonus: Mapped[int] = mapped_column(default=0)
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


def answer_revealed():
    """SQL condition: the answer's question has been revealed (with LiveSession joined).

    Until the reveal a game keeps whether an answer was right secret, and so do the pages
    and downloads that read live answers (progress, the learner's data).
    """
    return ~(
        (LiveSession.state == "question") & (LiveSession.current_index == LiveAnswer.question_index)
    )
