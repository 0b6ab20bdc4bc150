"""Operations on accounts; each owns its transaction and refuses with ServiceError."""

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import SetupToken, User, utcnow
from quizapp.models.users import ROLES
from quizapp.security import check_password, hash_password, new_token, token_digest


def normalise_email(email: str) -> str:
    """Return the email as stored: trimmed and lower-case."""
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """Return the user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register(email: str, display_name: str, password: str, role: str = "learner") -> User:
    """Create an account; refused (email_taken) when the email is taken."""
    if role not in ROLES:
        raise ServiceError("unknown_role", role=role)
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("email_taken", field="email") from None
    return user


def find_login(name: str) -> User | None:
    """Return the user who logs in with this email, or (without an @) this username."""
    name = normalise_email(name)
    if "@" in name:
        return find_by_email(name)
    return db.session.scalar(select(User).where(User.username == name))


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password is right; the same work is done for unknown emails.

    `email` may be a pupil's username (accounts a teacher made have no email)."""
    user = find_login(email)
    if not check_password(user.password_hash if user else None, password):
        return None
    return user


def end_sessions(user: User) -> None:
    """Make every session cookie of this user invalid."""
    user.session_version += 1
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; all sessions end."""
    if not check_password(user.password_hash, current):
        raise ServiceError("wrong_password", field="current")
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.commit()


def set_role(user: User, role: str) -> None:
    """Give a user a role; the last admin cannot stop being one (ServiceError "last_admin")."""
    if role not in ROLES:
        raise ServiceError("unknown_role", role=role)
    if user.role == "admin" and role != "admin":
        # Lock the admins' rows, so two admins demoting each other cannot both succeed.
        admins = db.session.scalars(
            select(User.id).where(User.role == "admin").with_for_update()
        ).all()
        if len(admins) <= 1:
            db.session.rollback()
            raise ServiceError("last_admin")
    user.role = role
    db.session.commit()


def admin_exists() -> bool:
    """Return whether any admin account exists."""
    return bool(db.session.scalar(select(func.count()).where(User.role == "admin")))


def issue_setup_token() -> str | None:
    """If there is no admin, store a new one-time token and return it (else None)."""
    if admin_exists():
        return None
    token = new_token()
    # Only the newest link works: older unused ones are withdrawn.
    db.session.execute(delete(SetupToken).where(SetupToken.used_at.is_(None)))
    db.session.add(SetupToken(token_hash=token_digest(token)))
    db.session.commit()
    return token


def setup_token_valid(token: str) -> SetupToken | None:
    """Return the unused setup token matching `token`, while no admin exists."""
    if admin_exists():
        return None
    return db.session.scalar(
        select(SetupToken).where(
            SetupToken.token_hash == token_digest(token), SetupToken.used_at.is_(None)
        )
    )


def create_first_admin(token: str, email: str, display_name: str, password: str) -> User:
    """Create the admin account with a setup token; the token works once."""
    setup = setup_token_valid(token)
    if setup is None:
        raise ServiceError("invalid_token")
    setup.used_at = utcnow()
    current_app.logger.info("first admin created through setup link")
    return register(email, display_name, password, role="admin")
