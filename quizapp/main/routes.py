"""Start page, health check and language switch."""

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from quizapp.access import PUBLIC, everyone, expect
from quizapp.extensions import db, unlimited
from quizapp.main import bp
from quizapp.models import utcnow
from quizapp.security import safe_next, session_opened
from quizapp.services.assignments import assignments


@bp.route("/")
@expect("GET", PUBLIC)
def index():
    """The start page: what quizapp is and where to go; a learner's open assignments first."""
    mine = assignments(current_user, utcnow()) if current_user.is_authenticated else []
    return render_template("main/index.html", assignments=mine)


@bp.route("/healthz")
@expect("GET", PUBLIC)
@unlimited
def healthz():
    """Answer 200 `ok` without templates or the database, for load balancers."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/lang/<code>", methods=["POST"])
@expect("POST", everyone(302))
def set_language(code: str):
    """Switch the interface language and return to the page the user was on."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


ERROR_TEXT = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Reload the page and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (
        _l("Not found"),
        _l("This page does not exist. Check the address or go to the start page."),
    ),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    413: (_l("Too large"), _l("The upload is too large.")),
    429: (
        _l("Too many attempts"),
        _l("Too many requests in a short time. Wait a minute and try again."),
    ),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again.")),
}


def render_error(error: HTTPException):
    """Render an error page (or JSON for the API) with a clear message."""
    code = error.code or 500
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if code == 500:
        db.session.rollback()
    # RFC 9110: a 405 says which methods the resource allows.
    methods = getattr(error, "valid_methods", None)
    allow = {"Allow": ", ".join(methods)} if methods else {}
    # JSON for the API, and for a request that did not open its session (a player's JSON
    # answer): the error page's forms would have to keep a CSRF token there.
    api = request.path.startswith("/api/")
    if api or not session_opened():
        message = error.description if api and code < 500 else str(text)
        return {"error": str(title), "message": message, "status": code}, code, allow
    return render_template("errors/error.html", code=code, title=title, text=text), code, allow


def register_errors(app: Flask) -> None:
    """Register the error pages for the codes users meet."""
    for code in ERROR_TEXT:
        app.register_error_handler(code, render_error)
