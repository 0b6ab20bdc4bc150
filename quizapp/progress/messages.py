"""What a refused progress action (a session, deleting the account) tells the learner."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError
from quizapp.presenting import error_message

MESSAGES = {
    "nothing_due": _l("Nothing is due for review."),
    "no_mistakes": _l("No mistakes to practise."),
    "wrong_password": _l("The password is wrong."),
    "last_admin": _l("You are the only admin. Make someone else an admin first."),
    "classes": _l("You still teach classes. Delete them on the classes page first."),
    "owns": _l("Your account still has classes or games. Delete them first."),
}


def message(error: ServiceError) -> str:
    """Return the message for a refused progress action in the current language."""
    if error.code not in MESSAGES:
        return error_message(error)  # refused by the attempts service (an exam in progress)
    return str(MESSAGES[error.code])
