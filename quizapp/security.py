"""Password hashing, role checks, security headers and the session identity."""

import hashlib
import re
import secrets
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, g, request, session
from flask.sessions import NullSession, SecureCookieSessionInterface
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


def from_this_site() -> bool:
    """Whether the browser says that this request was sent by a page of this site.

    For the one view that takes no CSRF token (a player's live answer, see Sessions): a
    browser sends Sec-Fetch-Site over HTTPS and to localhost, and then it must be
    "same-origin"; else the Origin header, which browsers send with every POST, must name
    this host. A request with neither comes from no current browser, so not from a page
    that a player was lured to (and the player's cookie, SameSite=Lax, does not go with a
    POST from another site at all).
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


class UnopenedSession(NullSession):
    """The session of a request that does not open its cookie: empty, and not to be written
    (what it held would be lost: the response does not send the session cookie)."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(
            "This request does not open the session (see quizapp.security.Sessions): "
            "it may neither change nor keep anything in it."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _refuse


def session_opened() -> bool:
    """Whether this request opened its session cookie (all but those Sessions leaves shut)."""
    return not isinstance(session._get_current_object(), UnopenedSession)


# A player's answer in a live game sent by the phone's script (JSON): the busiest request of
# a game, by far (4,096 players send 4,096 of them within seconds).
SESSIONLESS = re.compile(r"/live/[0-9]+/answer")


class Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a player's JSON answer does not open its cookie.

    The answer knows its player by the game's own cookie and reads nothing of the session
    (no login, no CSRF token: see from_this_site; its refusals are worded in the language
    the script asks for). Checking the cookie's signature and decoding it was 7 % of the
    request's CPU (py-spy of the answer request of bench/live_groups.py). The answer sent by
    a plain form (no script) opens it as every other request does: its reply is a message
    kept in the session.
    """

    def open_session(self, app, request):
        if request.method == "POST" and request.is_json and SESSIONLESS.fullmatch(request.path):
            return UnopenedSession()
        return super().open_session(app, request)


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
    """Open sessions as Sessions says; add security headers to every response."""
    app.session_interface = Sessions()

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
