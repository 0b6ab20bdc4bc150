"""What a refused live-game action tells the person who tried it, by error code."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

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
    "missing_game": _l("This game does not exist."),
    "missing_player": _l("This player is not in the game."),
    "busy": _l("The game is busy. Please try again."),
    "closed": _l("This question is closed."),
    "paused": _l("The game is paused."),
    "early": _l("Wait until the answers are shown."),
    "late": _l("Time is up: this answer came too late."),
    "twice": _l("You have already answered this question."),
}


def message(code: str, detail: str | None = None, params: dict | None = None) -> str:
    """Return the message for an error code in the current language."""
    if code == "invalid":
        # The grading registry words the reason in English (a msgid with its parameters).
        reason = gettext(detail, **(params or {})) if detail else ""
        return gettext("This answer is not valid: %(reason)s", reason=reason)
    return str(MESSAGES[code])
