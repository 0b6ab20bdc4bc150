"""Accounts, roles and the one-time link that creates the first admin."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db

ROLES = ("learner", "teacher", "admin")


def utcnow() -> datetime:
    """Return the current time in UTC, naive, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """A person with an account: learner, teacher or admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for pupil accounts a teacher made: they log in with their username.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Set for one-time passwords: the next login asks for the person's own password first.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # The teacher who made a pupil account (and may reset its password); None otherwise.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="learner")
    # Bumped at logout and password change: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        """Return the session identity: the user id and the current session version."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        """Return whether the user has one of the roles (admins have every role)."""
        return self.role == "admin" or self.role in roles

    @property
    def is_teacher(self) -> bool:
        """Whether the user may author and teach."""
        return self.has_role("teacher")


class SetupToken(db.Model):
    """A one-time token (stored hashed) that lets the first admin register."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
