"""What a refused account action tells the person who tried it, by error code."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    "email_taken": _l("An account with this email already exists."),
    "wrong_password": _l("The current password is wrong."),
    "invalid_token": _l("This setup link is no longer valid."),
    "unknown_role": _l("Choose one of the listed roles."),
    "last_admin": _l("The last admin cannot give up the admin role."),
}


def message(error: ServiceError) -> str:
    """Return the message for a refused account action in the current language."""
    return str(MESSAGES[error.code])
