"""Images of a question version for templates: the question's own and each option's."""

from flask import Flask, url_for

from quizapp import grading


def _entry(entry: dict | None) -> dict | None:
    """Return an image's address and alt text."""
    if not entry:
        return None
    return {"url": url_for("author.image", image_id=entry["id"]), "alt": entry["alt"]}


def question_media(version) -> dict:
    """Return {"image": {url, alt} | None, "options": {option id: {url, alt}}} of a version
    (option ids as learners see them, so a shuffled order keeps its pictures)."""
    media = getattr(version, "media", None) or {}
    options = {}
    texts = [o["text"] for o in (version.payload or {}).get("options", [])]
    for index, entry in (media.get("options") or {}).items():
        if int(index) < len(texts):
            options[grading.item_id(texts[int(index)])] = _entry(entry)
    return {"image": _entry(media.get("image")), "options": options}


def init_app(app: Flask) -> None:
    """Offer question_media() to templates."""
    app.add_template_global(question_media)
