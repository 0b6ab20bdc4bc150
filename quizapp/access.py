"""Who may use a route: each view declares the status every kind of visitor gets.

A view says, per HTTP method, what status each identity receives (tests/test_access_matrix.py
requests every route of the URL map as each identity and compares; a route without a
declaration fails that test):

    @bp.route("/classes/<int:class_id>")
    @expect("GET", TEACHER, other_teacher=403)
    @login_required
    def show(class_id): ...

    @bp.route("/attempts/<int:attempt_id>")
    @expect("GET", everyone(404, learner=302))  # the owner only; others learn nothing

Identities (the test builds them): anonymous; guest (no account, but a guest quiz attempt
and a live-game player cookie); learner (member of the teacher's class, owns the attempt,
plays the live game logged in); other_learner; teacher (owns the class, the quiz and the
live game); other_teacher; admin. Ids in the URL name the learner's and teacher's things.
POST requests carry a valid CSRF token and no other fields.

The decorator only records; it changes nothing about the view.
"""

from collections.abc import Callable, Mapping

IDENTITIES = (
    "anonymous",
    "guest",
    "learner",
    "other_learner",
    "teacher",
    "other_teacher",
    "admin",
)
_LOGGED_OUT = {"anonymous": 302, "guest": 302}

# Presets to start a declaration from; keyword arguments of expect() override them.
PUBLIC: Mapping[str, int] = dict.fromkeys(IDENTITIES, 200)
LOGIN: Mapping[str, int] = {**PUBLIC, **_LOGGED_OUT}
TEACHER: Mapping[str, int] = {**LOGIN, "learner": 403, "other_learner": 403}
ADMIN: Mapping[str, int] = {**TEACHER, "teacher": 403, "other_teacher": 403}


def everyone(status: int, /, **statuses: int) -> dict[str, int]:
    """Return a declaration: `status` for every identity but the ones named."""
    return {**dict.fromkeys(IDENTITIES, status), **statuses}


def expect(method: str, base: Mapping[str, int] = PUBLIC, /, **statuses: int) -> Callable:
    """Declare the status each identity gets for `method` on this view (see the module)."""
    unknown = set(statuses) - set(IDENTITIES)
    if unknown:
        raise ValueError(f"unknown identities {sorted(unknown)}; use {IDENTITIES}")

    def record(view: Callable) -> Callable:
        declared = dict(getattr(view, "expected_access", {}))
        declared[method.upper()] = {**base, **statuses}
        view.expected_access = declared
        return view

    return record


def declared(view: Callable) -> dict[str, dict[str, int]]:
    """Return a view's declarations by method (empty if it has none)."""
    return getattr(view, "expected_access", {})


# Flask's own route (not in a blueprint of ours): the static files.
FLASK_ROUTES = {"static": {"GET": PUBLIC}}
