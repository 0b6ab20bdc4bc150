"""What a refused live-game action tells the person who tried it, by error code."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError
from quizapp.presenting import answer_error_text

MESSAGES = {
    "no_questions": _l("This bank has no published question a live game can ask."),
    "pin": _l("No free PIN was found. Please try again."),
    "length": _l("A nickname has 2 to 20 characters."),
    "characters": _l("Use letters, digits, spaces and _ - . only."),
    "no_letter": _l("A nickname needs at least one letter."),
    "blocked": _l("Please choose a friendlier nickname."),
    "taken": _l("This nickname is taken. Please choose another."),
    "ended": _l("This game has ended."),
    "code": _l("Enter the code shown on the screen."),
    "locked": _l("The host has locked this game."),
    "full": _l("This game is full."),
    "kicked": _l("You were removed from this game."),
    "unknown": _l("Join the game first."),
    "other_site": _l("Answers are sent from the game's own page."),
    "missing_game": _l("This game does not exist."),
    "missing_player": _l("This player is not in the game."),
    "busy": _l("The game is busy. Please try again."),
    "closed": _l("This question is closed."),
    "paused": _l("The game is paused."),
    "early": _l("Wait until the answers are shown."),
    "late": _l("Time is up: this answer came too late."),
    "twice": _l("You have already answered this question."),
}


def message(error: ServiceError) -> str:
    """Return what a refused live-game action tells the person, in the current language."""
    if error.code == "invalid":
        reason = answer_error_text(error.params["answer_error"])
        return gettext("This answer is not valid: %(reason)s", reason=reason)
    return str(MESSAGES[error.code])
