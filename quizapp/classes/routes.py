"""Classes pages. Views check who may see what, call the classes service, render or redirect."""

import csv
import io
from datetime import datetime

from flask import (
    Response,
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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from quizapp.access import ADMIN, LOGIN, TEACHER, everyone, expect
from quizapp.classes import bp
from quizapp.classes.forms import ConfirmForm, JoinForm, NewClassForm
from quizapp.extensions import limiter
from quizapp.live.export import cell
from quizapp.models import SchoolClass, User
from quizapp.services import classes as service
from quizapp.services.progress import local_day

MESSAGES = {
    "name": _l("Give the class a name of at most 120 characters."),
    "name_letters": _l(
        "A class name needs at least one visible letter and no invisible characters."
    ),
    "unknown": _l("There is no class with this code. Check the code and try again."),
    "own_class": _l("This is your own class: you teach it, so you cannot join it."),
    "not_member": _l("This person is not in the class (any more)."),
    "no_code": _l("No free join code was found. Please try again."),
    "forbidden": _l("You may not change this class."),
}


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
            joined=service.classes_of_learner(me),
            assigned=service.quizzes_for_member(me),
            new_form=new_form or NewClassForm(formdata=None),
            join_form=join_form or JoinForm(formdata=None),
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
    except service.ClassError as error:
        form.name.errors.append(str(MESSAGES[error.code]))
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
    except service.ClassError as error:
        form.code.errors.append(str(MESSAGES[error.code]))
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
    except service.ClassError as error:
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
    )


def _percent(fraction: float | None) -> int | str:
    """A result as a whole percentage for the spreadsheet (as on the page), "" for none."""
    return "" if fraction is None else round(100 * fraction)


def _gradebook_table(book: service.Gradebook) -> list[list]:
    """The gradebook as spreadsheet rows (header first, then members, count and mean): a
    column per quiz in percent, and one more saying "late" for a quiz with a due date."""
    dated = [q.due_at is not None for q in book.quizzes]
    header = [_("Learner")]
    for quiz, has_due in zip(book.quizzes, dated, strict=True):
        header += [quiz.title] + ([_("%(quiz)s: late", quiz=quiz.title)] if has_due else [])
    table = [header + [_("Finished attempts")]]
    for row in book.rows:
        line = [row.display_name]
        for result, late, has_due in zip(row.results, row.late, dated, strict=True):
            line += [_percent(result)] + ([late if result is not None else ""] if has_due else [])
        table.append(line + [row.finished])
    for label, values in (
        (_("Members with a result"), book.counts),
        (_("Mean"), [_percent(mean) for mean in book.means]),
    ):
        line = [label]
        for value, has_due in zip(values, dated, strict=True):
            line += [value] + ([""] if has_due else [])
        table.append(line + [""])
    return table


@bp.route("/classes/<int:class_id>/gradebook.csv")
@expect("GET", TEACHER, other_teacher=403)
@login_required
def gradebook_csv(class_id: int):
    """The gradebook as a spreadsheet: one row per member, results in percent."""
    school_class = _managed_class(class_id)
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read the umlauts
    writer = csv.writer(out)
    for line in _gradebook_table(service.gradebook(school_class)):
        writer.writerow([cell(value) for value in line])
    filename = f"gradebook-{school_class.id}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
    except service.ClassError as error:
        flash(str(MESSAGES[error.code]), "error")
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
        except service.ClassError:
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
