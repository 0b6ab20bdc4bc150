"""Progress pages. Views check who may see what, call the progress services, render."""

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from quizapp.access import LOGIN, everyone, expect
from quizapp.dates import local_date, local_datetime
from quizapp.errors import ServiceError
from quizapp.extensions import db, limiter
from quizapp.models import User
from quizapp.progress import bp
from quizapp.progress.chart import build_chart
from quizapp.progress.forms import DeleteAccountForm, StartForm
from quizapp.progress.messages import message
from quizapp.services import learner_data, progress, reviews
from quizapp.spreadsheets import CSV, download


@bp.context_processor
def _template_helpers():
    """Helpers for the templates: dates on the learners' calendar (Europe/Berlin), percentages."""

    return {"local_date": local_date, "local_datetime": local_datetime, "percent": percent}


def percent(share: float) -> str:
    """Format a share (0..1) as whole percent, never broken from its sign."""
    return f"{round(share * 100)}\u00a0%"


def _me() -> User:
    """Return the logged-in user as a model object."""
    return current_user._get_current_object()


def _render_report(learner: User):
    """Render a learner's progress page."""
    data = progress.report(learner)
    return render_template(
        "progress/overview.html",
        report=data,
        chart=build_chart(data.history),
        own=learner.id == current_user.id,
    )


@bp.route("/progress")
@expect("GET", LOGIN)
@login_required
def overview():
    """The logged-in learner's own progress."""
    return _render_report(_me())


@bp.route("/progress/<int:user_id>")
@expect("GET", LOGIN, other_learner=403, other_teacher=403)
@login_required
def learner(user_id: int):
    """A learner's progress, for their teachers and admins."""
    if not progress.can_view(_me(), user_id):
        abort(403)
    return _render_report(db.session.get(User, user_id) or abort(404))


@bp.route("/review")
@expect("GET", LOGIN)
@login_required
def review():
    """What is due for review, and the button to start."""
    me = _me()
    return render_template(
        "progress/review.html",
        due=reviews.due_count(me.id),
        upcoming=reviews.upcoming(me.id),
        queue=reviews.review_queue(me.id),
        size=reviews.SESSION_SIZE,
        form=StartForm(),
    )


@bp.route("/mistakes")
@expect("GET", LOGIN)
@login_required
def mistakes():
    """What the learner keeps getting wrong, and the button to practise it."""
    stats = progress.question_stats(_me().id)
    return render_template(
        "progress/mistakes.html",
        trouble=progress.troublesome(stats),
        size=progress.SESSION_SIZE,
        form=StartForm(),
    )


@bp.route("/review/start", methods=["POST"])
@expect("POST", everyone(302))
@login_required
def start_review():
    """Start an attempt over the due questions across banks."""
    return _start("review", _("Review"), "progress.review")


@bp.route("/mistakes/start", methods=["POST"])
@expect("POST", everyone(302))
@login_required
def start_mistakes():
    """Start an attempt over the questions the learner keeps getting wrong."""
    return _start("mistakes", _("Practise my mistakes"), "progress.mistakes")


def _start(mode: str, title: str, back: str):
    """Start a cross-bank session and go to its first question."""
    if not StartForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for(back))
    try:
        attempt = progress.start_session(_me(), mode, title)
    except ServiceError as error:
        flash(message(error))
        return redirect(url_for(back))
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


def _download(body: str, mimetype: str, extension: str) -> Response:
    """Return a file download that no cache keeps."""
    g.no_store = True
    return download(body, mimetype, f"quizapp-{date.today().isoformat()}.{extension}")


@bp.route("/me/export.json")
@expect("GET", LOGIN)
@login_required
def export_json():
    """Download everything stored about me as JSON."""
    return _download(learner_data.export_json(_me()), "application/json", "json")


@bp.route("/me/export.csv")
@expect("GET", LOGIN)
@login_required
def export_csv():
    """Download my answers as CSV."""
    return _download(learner_data.export_csv(_me()), CSV, "csv")


@bp.route("/me/delete", methods=["GET", "POST"])
@expect("GET", LOGIN)
@expect("POST", everyone(400, anonymous=302, guest=302))
@login_required
# The password check must not become a way to guess passwords with a stolen session.
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def delete_account():
    """Delete my account after confirming with the password; then I am logged out."""
    form = DeleteAccountForm()
    teaches_classes = False
    if form.validate_on_submit():
        try:
            learner_data.delete_account(_me(), form.password.data)
        except ServiceError as refused:
            teaches_classes = refused.code == "classes"
            form.password.errors.append(message(refused))
        else:
            logout_user()
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("Your account is deleted. Your answers remain only as anonymous statistics."))
            return redirect(url_for("main.index"))
    page = render_template("progress/delete.html", form=form, teaches_classes=teaches_classes)
    return page, 400 if form.errors else 200
