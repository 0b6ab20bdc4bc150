"""The authoring area's words for the service's refusal codes (one place)."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long (at most %(max)s characters)."),
    "bad_url": _l("Enter a web address starting with http:// or https://."),
    "bad_choice": _l("Choose one of the offered values."),
    "file_type": _l("Upload a .txt, .md or .html file."),
    "file_too_large": _l("The file is too large (at most %(megabytes)s MB)."),
    "file_encoding": _l("The file is not UTF-8 text; save it as UTF-8 and upload it again."),
    "read_only": _l(
        "This bank comes from a file in questions/ and is read-only here; copy it to change it."
    ),
    "forbidden": _l("Only the owner and the co-authors of this bank may change it."),
    "owner_only": _l("Only the owner of the bank may do this."),
    "own_bank": _l("You can already edit this bank."),
    "not_published": _l("Only published questions and banks can be taken out or copied."),
    "no_teacher": _l("There is no teacher with this email address."),
    "bad_type": _l("This is not a question type."),
    "not_editable": _l("A retired question cannot be changed."),
    "claim_of_other_article": _l("Choose a claim of this bank's article."),
    "not_draft": _l("Only a draft can be published."),
    "needs_claim": _l(
        "A question of a bank about an article is published only once it is tied to one of "
        "the article's claims."
    ),
    "retire_instead": _l("This question was published or answered: retire it instead."),
    "alt_required": _l("An image needs an alt text that says what it shows."),
    "image_empty": _l("The image file is empty."),
    "image_too_large": _l("The image is too large (at most %(megabytes)s MB)."),
    "image_too_many_pixels": _l(
        "The image has too many pixels (at most %(megapixels)s megapixels)."
    ),
    "image_format": _l("Upload a PNG, JPEG or WebP image (SVG and other files are refused)."),
    "image_broken": _l("The image file is damaged or incomplete."),
    "invalid": _l("Please correct the marked fields."),
}


def message(code: str, **params: object) -> str:
    """Return the text of a code (a validator's message is shown as it is)."""
    text = MESSAGES.get(code)
    if text is None:
        return code
    return str(text) % params if params else str(text)


def field_errors(error: ServiceError) -> list[tuple[str, str]]:
    """Return the (field, text) pairs of a refusal."""
    pairs = error.params.get("errors")
    if pairs:
        return [(field, message(text)) for field, text in pairs]
    params = {k: v for k, v in error.params.items() if k != "errors"}
    return [(error.field or "_form", message(error.code, **params))]
