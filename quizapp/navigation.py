"""The main navigation (each area's entry, shown to the roles it is for) and template helpers."""

import os

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
]
# The teaching group: one entry in the desktop menu, so the bar does not wrap.
TEACHING = [
    ("learn.my_quizzes", _l("My quizzes"), ("teacher",)),
    ("live.host_index", _l("Host a game"), ("teacher",)),
    ("author.index", _l("Write questions"), ("teacher",)),
    ("auth.users", _l("Users"), ("admin",)),
]


def _visible(entries: list[tuple]) -> list[dict]:
    """Return the entries this user may see, marking the current page."""
    items = []
    for endpoint, label, roles in entries:
        if roles and not (current_user.is_authenticated and current_user.has_role(*roles)):
            continue
        items.append(
            {"url": url_for(endpoint), "label": label, "current": request.endpoint == endpoint}
        )
    return items


def nav_items() -> list[dict]:
    """Return the everyday navigation entries this user may see."""
    return _visible(NAV)


def teaching_items() -> list[dict]:
    """Return the teacher's and admin's entries this user may see (empty for learners)."""
    return _visible(TEACHING)


def init_app(app: Flask) -> None:
    """Make the navigation and locale helpers available in templates."""

    @app.context_processor
    def template_helpers():
        def current_locale() -> str:
            return str(get_locale() or "de")

        def other_locale() -> str:
            return "en" if current_locale() == "de" else "de"

        def vendor_url(name: str) -> str | None:
            """URL of a library `make` installed into static/vendor, or None when it is missing."""
            if not os.path.isfile(os.path.join(app.static_folder, "vendor", name)):
                return None
            return url_for("static", filename=f"vendor/{name}")

        return {
            "vendor_url": vendor_url,
            "nav_items": nav_items,
            "teaching_items": teaching_items,
            "current_locale": current_locale,
            "other_locale": other_locale,
        }
