"""The drafts area's words for the service's refusal codes (one place, translated)."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    "empty": _l("The file is empty: there is no text to import."),
    "binary": _l("This is not a text file (UTF-8). Save the article as plain text."),
    "too_long": _l("The text has %(size)s characters; an article may have at most %(limit)s."),
    "not_german": _l(
        "Draft questions are offered only for German texts. The article is saved: "
        "you can still write questions for it by hand."
    ),
    "bank_slug": _l("“%(slug)s” is not a valid bank name: use a-z, 0-9 and single hyphens."),
    "bank_other_article": _l(
        "The bank “%(slug)s” belongs to another article. Choose another name."
    ),
    "unknown_draft": _l("This draft does not exist (any more)."),
    "decided": _l("This draft was already reviewed."),
    "invalid": _l("The edited question is not valid: %(detail)s"),
    "unreadable": _l("The file cannot be read (%(reason)s)."),
    "busy": _l("Drafts are being proposed for this bank right now. Try again."),
}


def message(error: ServiceError) -> str:
    """Turn a drafts ServiceError into a sentence for the teacher."""
    text = MESSAGES.get(error.code)
    if text is None:
        return error.code
    return str(text) % error.params if error.params else str(text)
