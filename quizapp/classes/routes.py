"""Classes pages. Views check who may see what, call the classes service, render or redirect."""

from datetime import datetime

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from quizapp import qrcodes
from quizapp.access import ADMIN, LOGIN, TEACHER, everyone, expect
from quizapp.classes import bp
from quizapp.classes.forms import ConfirmForm, JoinForm, NewClassForm
from quizapp.classes.messages import message
from quizapp.dates import local_day
from quizapp.errors import ServiceError
from quizapp.extensions import limiter
from quizapp.models import SchoolClass, User
from quizapp.services import classes as service
from quizapp.services import school_year
from quizapp.spreadsheets import CSV, XLSX, csv_text, download, xlsx_bytes


def _me() -> User:
    """Return the logged-in user as a model object."""
    return current_user._get_current_object()


def _join_limit() -> str:
    """The per-address limit of refused joins."""
    return current_app.config["CLASSES_JOIN_LIMIT"]


def _refused(response) -> bool:
    """Whether a join was refused: only those count against the limit, so a whole class
    joining from one school address at once is never blocked."""
    return response.status_code != 302


@bp.app_template_filter("class_date")
def class_date(moment: datetime | None) -> str:
    """Format a naive-UTC moment as its day in the learners' time zone."""
    return format_date(local_day(moment), "medium") if moment else ""


def _managed_class(class_id: int) -> SchoolClass:
    """Return the class if the logged-in user runs it; else 404 or 403."""
    school_class = service.get_class(class_id) or abort(404)
    if not service.can_manage(_me(), school_class):
        abort(403)
    return school_class


def _join_url() -> str:
    """Return the address of the classes page to project (PUBLIC_URL when set, else this host)."""
    base = current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")
    return base + url_for("classes.index")


def _render_index(new_form=None, join_form=None, status=200):
    """Render the classes page with its two forms."""
    me = _me()
    teaching = service.classes_of_teacher(me) if me.has_role("teacher") else None
    return (
        render_template(
            "classes/index.html",
            teaching=teaching,
            archived=school_year.archived_classes(me) if teaching is not None else [],
            joined=service.classes_of_learner(me),
            assigned=service.quizzes_for_member(me),
            new_form=new_form or NewClassForm(formdata=None),
            join_form=join_form or JoinForm(formdata=None, code=request.args.get("code", "")[:20]),
        ),
        status,
    )


@bp.route("/classes")
@expect("GET", LOGIN)
@login_required
def index():
    """My classes: the ones I teach (with a form for a new one) and the ones I am in."""
    return _render_index()


@bp.route("/classes/new", methods=["POST"])
@expect("POST", TEACHER, teacher=400, other_teacher=400, admin=400)
@login_required
def create():
    """Create a class (teachers only) and open its page."""
    if not _me().has_role("teacher"):
        abort(403)
    form = NewClassForm()
    if not form.validate_on_submit():
        return _render_index(new_form=form, status=400)
    try:
        school_class = service.create_class(_me(), form.name.data)
    except ServiceError as error:
        form.name.errors.append(message(error))
        return _render_index(new_form=form, status=400)
    flash(
        _(
            "The class “%(name)s” is created. Give its join code to your learners.",
            name=school_class.name,
        )
    )
    return redirect(url_for("classes.show", class_id=school_class.id))


@bp.route("/classes/join", methods=["POST"])
@expect("POST", everyone(400, anonymous=302, guest=302))
@login_required
# Codes can be guessed only by trying many: refused tries are limited per address.
@limiter.limit(_join_limit, methods=["POST"], deduct_when=_refused)
def join():
    """Join a class with its code."""
    form = JoinForm()
    if not form.validate_on_submit():
        return _render_index(join_form=form, status=400)
    try:
        school_class, new = service.join_class(_me(), form.code.data)
    except ServiceError as error:
        form.code.errors.append(message(error))
        return _render_index(join_form=form, status=400)
    if new:
        flash(_("You are now in the class “%(name)s”.", name=school_class.name))
    else:
        flash(_("You are already in the class “%(name)s”.", name=school_class.name))
    return redirect(url_for("classes.index"))


@bp.route("/classes/<int:class_id>/leave", methods=["POST"])
@expect("POST", everyone(302))
@login_required
def leave(class_id: int):
    """Leave a class."""
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("classes.index"))
    try:
        school_class = service.leave_class(_me(), class_id)
    except ServiceError as error:
        if error.code == "unknown":
            abort(404)
        flash(_("You are not in this class."), "error")
    else:
        flash(_("You have left the class “%(name)s”.", name=school_class.name))
    return redirect(url_for("classes.index"))


@bp.route("/classes/<int:class_id>")
@expect("GET", TEACHER, other_teacher=403)
@login_required
def show(class_id: int):
    """A class for its teacher: the join code, the members and the assigned quizzes."""
    school_class = _managed_class(class_id)
    members, quizzes = service.members(school_class), service.quizzes(school_class)
    return render_template(
        "classes/show.html",
        school_class=school_class,
        members=members,
        quizzes=quizzes,
        book=service.gradebook(school_class, assigned=quizzes, people=members),
        join_url=_join_url(),
        join_link=_join_url() + "?code=" + school_class.join_code,
        qr=qrcodes.svg(
            _join_url() + "?code=" + school_class.join_code,
            _("QR code: join the class %(name)s", name=school_class.name),
        ),
        confirm=ConfirmForm(formdata=None),
    )


@bp.route("/classes/<int:class_id>/gradebook.csv")
@expect("GET", TEACHER, other_teacher=403)
@login_required
def gradebook_csv(class_id: int):
    """The gradebook as a spreadsheet: one row per member, results in percent."""
    school_class = _managed_class(class_id)
    table = service.gradebook_table(service.gradebook(school_class))
    return download(csv_text(table), CSV, f"gradebook-{school_class.id}.csv")


@bp.route("/classes/<int:class_id>/gradebook.xlsx")
@expect("GET", TEACHER, other_teacher=403)
@login_required
def gradebook_xlsx(class_id: int):
    """The gradebook as an Excel workbook, the same table as the CSV."""
    school_class = _managed_class(class_id)
    body = xlsx_bytes({_("Gradebook"): service.gradebook_table(service.gradebook(school_class))})
    return download(body, XLSX, f"gradebook-{school_class.id}.xlsx")


@bp.route("/classes/<int:class_id>/members/<int:user_id>/remove", methods=["POST"])
@expect("POST", ADMIN, teacher=302, admin=302)
@login_required
def remove_member(class_id: int, user_id: int):
    """Take a member out of the class."""
    school_class = _managed_class(class_id)
    back = redirect(url_for("classes.show", class_id=school_class.id))
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return back
    try:
        member = service.remove_member(_me(), school_class.id, user_id)
    except ServiceError as error:
        flash(message(error), "error")
    else:
        flash(_("%(name)s is no longer in the class.", name=member.display_name))
    return back


@bp.route("/classes/<int:class_id>/delete", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", ADMIN, teacher=302, admin=302)
@login_required
def delete(class_id: int):
    """Ask, then delete the class; its members and quizzes keep their accounts and answers."""
    school_class = _managed_class(class_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = school_class.name
        try:
            service.delete_class(_me(), school_class.id)
        except ServiceError:
            abort(404)  # deleted meanwhile, e.g. in another tab
        flash(_("The class “%(name)s” is deleted.", name=name))
        return redirect(url_for("classes.index"))
    return (
        render_template(
            "classes/delete.html",
            school_class=school_class,
            members=service.member_count(school_class),
            quizzes=service.quiz_count(school_class),
            form=form,
        ),
        400 if form.errors else 200,
    )
