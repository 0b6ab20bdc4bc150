"""Password hashing, role checks, security headers and the session identity."""

import hashlib
import secrets
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, g
from flask_login import current_user

from quizapp.extensions import db, login

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1 (minimum; we use it).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the email is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Return whether the password matches; costs the same when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a random token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """Return a new URL-safe random token."""
    return secrets.token_urlsafe(24)


@login.user_loader
def load_user(identity: str):
    """Load the user of a session, refusing cookies from before logout or password change."""
    from quizapp.models import User

    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None, default: str) -> str:
    """Return `target` if it is a path on this site, else `default` (no open redirects).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    "/<tab>/evil.example" would lead away: any control character, space or backslash refuses
    the target, as does anything with a scheme or host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(ch) <= 32 or ch in "\\\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def role_required(*roles: str):
    """Decorate a view so only logged-in users with one of the roles may see it (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add security headers to every response."""

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            # Served over HTTPS: browsers keep to HTTPS for a year (RFC 6797).
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if g.get("no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response
