"""What a refused class action tells the person who tried it, by error code."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    "name": _l("Give the class a name of at most 120 characters."),
    "name_letters": _l(
        "A class name needs at least one visible letter and no invisible characters."
    ),
    "unknown": _l("There is no class with this code. Check the code and try again."),
    "own_class": _l("This is your own class: you teach it, so you cannot join it."),
    "not_member": _l("This person is not in the class (any more)."),
    "no_code": _l("No free join code was found. Please try again."),
    "forbidden": _l("You may not change this class."),
    "archived": _l("This class is archived: it can no longer be changed."),
}


def message(error: ServiceError) -> str:
    """Return the message for a refused class action in the current language."""
    return str(MESSAGES[error.code])
