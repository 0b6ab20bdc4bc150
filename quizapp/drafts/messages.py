"""The drafts area's words for the service's refusal codes (one place, translated)."""

from flask_babel import gettext as _

from quizapp.errors import ServiceError


def message(error: ServiceError) -> str:
    """Turn a drafts ServiceError into a sentence for the teacher."""
    p = error.params
    texts = {
        "empty": lambda: _("The file is empty: there is no text to import."),
        "binary": lambda: _("This is not a text file (UTF-8). Save the article as plain text."),
        "too_long": lambda: _(
            "The text has %(size)s characters; an article may have at most %(limit)s.",
            size=p.get("size"),
            limit=p.get("limit"),
        ),
        "not_german": lambda: _(
            "Draft questions are offered only for German texts. The article is saved: "
            "you can still write questions for it by hand."
        ),
        "bank_slug": lambda: _(
            "“%(slug)s” is not a valid bank name: use a-z, 0-9 and single hyphens.",
            slug=p.get("slug"),
        ),
        "bank_other_article": lambda: _(
            "The bank “%(slug)s” belongs to another article. Choose another name.",
            slug=p.get("slug"),
        ),
        "unknown_draft": lambda: _("This draft does not exist (any more)."),
        "decided": lambda: _("This draft was already reviewed."),
        "invalid": lambda: _(
            "The edited question is not valid: %(detail)s", detail=p.get("detail")
        ),
        "busy": lambda: _("Drafts are being proposed for this bank right now. Try again."),
        "unreadable": lambda: _("The file cannot be read (%(reason)s).", reason=p.get("reason")),
    }
    return texts.get(error.code, lambda: error.code)()
