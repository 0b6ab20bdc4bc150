"""The main navigation: each area's entry, shown to the roles it is for."""

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, roles that see it; empty = everyone)
NAV = [
    ("content.banks", _l("Quizzes"), ()),
    ("progress.overview", _l("My progress"), ("learner", "teacher")),
    ("progress.review", _l("Review"), ("learner", "teacher")),
    ("classes.index", _l("Classes"), ("learner", "teacher")),
    ("live.join", _l("Join a game"), ()),
    ("learn.my_quizzes", _l("My quizzes"), ("teacher",)),
    ("live.host_index", _l("Host a game"), ("teacher",)),
    ("author.index", _l("Write questions"), ("teacher",)),
]


def nav_items() -> list[dict]:
    """Return the navigation entries this user may see, marking the current page."""
    items = []
    for endpoint, label, roles in NAV:
        if roles and not (current_user.is_authenticated and current_user.has_role(*roles)):
            continue
        items.append(
            {"url": url_for(endpoint), "label": label, "current": request.endpoint == endpoint}
        )
    return items


def init_app(app: Flask) -> None:
    """Make the navigation and locale helpers available in templates."""

    @app.context_processor
    def template_helpers():
        def current_locale() -> str:
            return str(get_locale() or "de")

        def other_locale() -> str:
            return "en" if current_locale() == "de" else "de"

        return {
            "nav_items": nav_items,
            "current_locale": current_locale,
            "other_locale": other_locale,
        }
