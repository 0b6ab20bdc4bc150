"""Who takes a quiz in this request: the account, or a guest known by a token in a cookie.

The learn pages and the API both ask here and hand the services an `attempts.Owner`; a
guest's attempts become their account's when they log in or register in this browser.
"""

from flask import after_this_request, current_app, flash, has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.extensions import limiter
from quizapp.security import new_token
from quizapp.services import attempts
from quizapp.signals import user_logged_in_here

GUEST_COOKIE = "quizapp_guest"
GUEST_COOKIE_DAYS = 30
# Per address: enough for a class behind one school router, too few to flood the database.
GUEST_START_LIMIT = "30 per minute;300 per hour"


def guest_token() -> str | None:
    """Return the guest token from this browser's cookie, if any."""
    token = request.cookies.get(GUEST_COOKIE, "")
    # Our tokens are 32 URL-safe characters; anything else is not one of ours.
    plain = token.replace("-", "").replace("_", "")
    return token if 20 <= len(token) <= 64 and plain.isascii() and plain.isalnum() else None


def current_owner() -> attempts.Owner:
    """Return who is taking quizzes in this request: the user, else the guest (maybe nobody)."""
    if current_user.is_authenticated:
        return attempts.Owner.account(current_user)
    return attempts.Owner.guest(guest_token())


def starting_owner() -> attempts.Owner:
    """Return who starts an attempt now: the user, else this browser's guest (made if new)."""
    if current_user.is_authenticated:
        return attempts.Owner.account(current_user)
    return attempts.Owner.guest(ensure_guest_token())


def ensure_guest_token() -> str:
    """Return this guest's token, making one (and setting the cookie on the response) if needed."""
    token = guest_token()
    if token:
        return token
    token = new_token()

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            GUEST_COOKIE,
            token,
            max_age=GUEST_COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
        return response

    return token


def guest_exempt() -> bool:
    """Logged-in users are not limited like guests."""
    return current_user.is_authenticated


# One budget per address for every way of starting an attempt (pages and API alike).
guest_start_limit = limiter.shared_limit(
    GUEST_START_LIMIT, scope="guest-start", methods=["POST"], exempt_when=guest_exempt
)


@user_logged_in_here.connect
def adopt_guest_attempts(user, **_extra) -> None:
    """When a guest logs in or registers in this browser, their attempts become the user's."""
    if not has_request_context():
        return
    token = guest_token()
    if not token:
        return
    count = attempts.adopt_guest_attempts(user.id, token)

    @after_this_request
    def forget_guest(response):
        response.delete_cookie(GUEST_COOKIE, httponly=True, samesite="Lax")
        return response

    if count:
        flash(_("Your quiz results as a guest are now saved in your account."))
