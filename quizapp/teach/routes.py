"""Teaching pages. Views check the form, call the services, render; services own the data."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from quizapp import qrcodes
from quizapp.access import TEACHER, expect
from quizapp.errors import ServiceError
from quizapp.models import SchoolClass, User
from quizapp.security import role_required
from quizapp.services import classes as class_service
from quizapp.services import item_statistics, pupils, school_year
from quizapp.services import reflections as reflection_service
from quizapp.spreadsheets import CSV, XLSX, csv_text, download, xlsx_bytes
from quizapp.statistics import DASH, QuizStats, figure
from quizapp.teach import bp
from quizapp.teach.forms import CommentForm, ConfirmForm, PupilsForm
from quizapp.teach.messages import EXPLANATIONS, FLAGS, LABELS, message


def _me() -> User:
    """Return the logged-in user as a model object."""
    return current_user._get_current_object()


def _refused(error: ServiceError):
    """Answer a refusal that is no form error: 404 for unknown things, 403 otherwise."""
    abort(404 if error.code == "unknown" else 403)


def _managed_class(class_id: int) -> SchoolClass:
    """The class if the logged-in user runs it; else 404 or 403."""
    school_class = class_service.get_class(class_id) or abort(404)
    if not class_service.can_manage(_me(), school_class):
        abort(403)
    return school_class


def join_link(school_class: SchoolClass) -> str:
    """Return the link that opens the join form with the class's code filled in."""
    base = current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")
    return base + url_for("classes.index", code=school_class.join_code)


def join_qr(school_class: SchoolClass) -> str:
    """Return the class's join link as an inline SVG QR code."""
    title = _("QR code: join the class %(name)s", name=school_class.name)
    return qrcodes.svg(join_link(school_class), title)


def _pupils_page(school_class: SchoolClass, form: PupilsForm, status: int = 200):
    """Render the pupil accounts page of a class."""
    mine = pupils.pupils(_me(), school_class)
    members = [m for m in class_service.members(school_class) if m.user_id in mine]
    return (
        render_template(
            "teach/pupils.html",
            school_class=school_class,
            form=form,
            pupils=members,
            confirm=ConfirmForm(formdata=None),
        ),
        status,
    )


@bp.route("/classes/<int:class_id>/pupils", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", TEACHER, teacher=400, other_teacher=403, admin=400)
@role_required("teacher")
def class_pupils(class_id: int):
    """Pupil accounts of a class: make them from names or a number; cards are printed once."""
    school_class = _managed_class(class_id)
    form = PupilsForm()
    if not form.validate_on_submit():
        return _pupils_page(school_class, form, 400 if form.errors else 200)
    names = pupils.clean_names((form.names.data or "").splitlines())
    if not names and form.count.data:
        names = [_("Pupil %(number)s", number=n) for n in range(1, form.count.data + 1)]
    try:
        cards = pupils.create_pupils(_me(), school_class.id, names)
    except ServiceError as error:
        if error.field is None:
            _refused(error)
        form.names.errors.append(message(error))
        return _pupils_page(school_class, form, 400)
    return _cards(school_class, cards)


def _cards(school_class: SchoolClass, cards: list[pupils.Card]):
    """The login cards print page (passwords are shown only here, once)."""
    response = current_app.make_response(
        render_template(
            "teach/cards.html",
            school_class=school_class,
            cards=cards,
            qr=join_qr(school_class),
            login_url=(current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/"))
            + url_for("auth.login"),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/reset", methods=["POST"])
@expect("POST", TEACHER, teacher=403, other_teacher=403)
@role_required("teacher")
def reset_pupil(class_id: int, user_id: int):
    """Give a pupil a new one-time password and print their card."""
    school_class = _managed_class(class_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("teach.class_pupils", class_id=class_id))
    try:
        card = pupils.reset_password(_me(), school_class.id, user_id)
    except ServiceError as error:
        if error.code in ("unknown", "forbidden", "not_your_pupil"):
            abort(403 if error.code != "unknown" else 404)
        flash(message(error), "error")
        return redirect(url_for("teach.class_pupils", class_id=class_id))
    return _cards(school_class, [card])


def _all_attempts() -> bool:
    """Whether the statistics count every attempt (the switch), not only first ones."""
    return request.args.get("attempts") == "all"


def _statistics_rows(stats: QuizStats) -> list[list]:
    """The statistics as spreadsheet rows: quiz figures, then one row per question."""

    def value(v):
        return "" if v is None else round(v, 2)

    rows: list[list] = [[_("Figure"), _("Value"), _("Meaning")]]
    for key in ("attempts", "mean", "median", "sd", "skewness", "kurtosis", "cic"):
        rows.append([str(LABELS[key]), value(getattr(stats, key)), str(EXPLANATIONS[key])])
    for key in ("error_ratio", "standard_error"):
        rows.append([str(LABELS[key]), value(getattr(stats, key)), str(EXPLANATIONS[key])])
    rows.append([])
    rows.append(
        [
            _("Question"),
            _("Type"),
            str(LABELS["attempts"]),
            str(LABELS["facility"]),
            str(LABELS["item_sd"]),
            str(LABELS["random_guess"]),
            str(LABELS["discrimination"]),
            str(LABELS["efficiency"]),
            _("Flags"),
        ]
    )
    for item in stats.items:
        rows.append(
            [
                item.item.label,
                item.item.type,
                item.attempts,
                value(item.facility),
                value(item.sd),
                value(item.random_guess),
                value(item.discrimination),
                value(item.efficiency),
                "; ".join(str(FLAGS[f]) for f in item.flags),
            ]
        )
    return rows


def _statistics_response(title: str, stats: QuizStats, fmt: str | None, filename: str):
    """Render the statistics page or its CSV/xlsx download."""
    if fmt == "csv":
        return download(csv_text(_statistics_rows(stats)), CSV, filename + ".csv")
    if fmt == "xlsx":
        body = xlsx_bytes({_("Statistics"): _statistics_rows(stats)})
        return download(body, XLSX, filename + ".xlsx")
    return render_template(
        "teach/statistics.html",
        title=title,
        stats=stats,
        all_attempts=_all_attempts(),
        figure=figure,
        dash=DASH,
        labels=LABELS,
        explanations=EXPLANATIONS,
        flags=FLAGS,
    )


@bp.route("/quizzes/<int:quiz_id>/statistics")
@bp.route("/quizzes/<int:quiz_id>/statistics.<any(csv, xlsx):fmt>")
@expect("GET", TEACHER, other_teacher=403)
@login_required
def quiz_statistics(quiz_id: int, fmt: str | None = None):
    """Item statistics of a teacher's quiz (first attempts; ?attempts=all for every one)."""
    try:
        quiz, stats = item_statistics.quiz_report(_me(), quiz_id, all_attempts=_all_attempts())
    except ServiceError as error:
        _refused(error)
    return _statistics_response(quiz.title, stats, fmt, f"statistics-quiz-{quiz.id}")


@bp.route("/banks/<slug>/statistics")
@bp.route("/banks/<slug>/statistics.<any(csv, xlsx):fmt>")
@expect("GET", TEACHER)
@login_required
def bank_statistics(slug: str, fmt: str | None = None):
    """Item statistics of a bank's questions over the teacher's quizzes of it."""
    try:
        bank, stats = item_statistics.bank_report(_me(), slug, all_attempts=_all_attempts())
    except ServiceError as error:
        _refused(error)
    return _statistics_response(bank.title, stats, fmt, f"statistics-bank-{bank.slug}")


@bp.route("/classes/<int:class_id>/rotate-code", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def rotate_code(class_id: int):
    """Give the class a new join code (the old one stops working)."""
    school_class = _managed_class(class_id)
    if ConfirmForm().validate_on_submit():
        try:
            school_year.rotate_code(_me(), school_class.id)
        except ServiceError as error:
            flash(message(error), "error")
        else:
            flash(_("The class has a new join code; the old one no longer works."))
    else:
        flash(_("The form expired. Please send it again."), "error")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.route("/classes/<int:class_id>/archive", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def archive(class_id: int):
    """Archive the class at the end of the year, or (restore=1) bring it back."""
    school_class = _managed_class(class_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("classes.show", class_id=class_id))
    restore = request.form.get("restore") == "1"
    school_year.set_archived(_me(), school_class.id, not restore)
    if restore:
        flash(_("The class “%(name)s” is active again.", name=school_class.name))
        return redirect(url_for("classes.show", class_id=class_id))
    flash(
        _(
            "The class “%(name)s” is archived: read-only and out of the lists.",
            name=school_class.name,
        )
    )
    return redirect(url_for("classes.index"))


@bp.route("/quizzes/<int:quiz_id>/reflections", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", TEACHER, teacher=404, other_teacher=403, admin=404)
@login_required
def reflections(quiz_id: int):
    """Every reflection of a quiz by question (or ?by=pupil); the teacher comments each."""
    try:
        quiz, found = reflection_service.reflections(_me(), quiz_id)
    except ServiceError as error:
        _refused(error)
    errors: dict[int, str] = {}
    if request.method == "POST":
        response_id = request.form.get("response_id", type=int) or 0
        form = CommentForm(prefix=f"r{response_id}")
        if form.validate_on_submit():
            points = float(form.points.data) if form.points.data is not None else None
            try:
                reflection_service.comment(
                    _me(), quiz.id, response_id, form.comment.data or "", points
                )
            except ServiceError as error:
                if error.field is None:
                    _refused(error)
                errors[response_id] = message(error)
            else:
                flash(_("The comment is saved; the learner sees it with their answer."))
                return redirect(request.full_path.rstrip("?") + f"#r{response_id}")
        else:
            errors[response_id] = "; ".join(str(e) for f in form for e in f.errors) or _(
                "The form expired. Please send it again."
            )
    by_pupil = request.args.get("by") == "pupil"
    if by_pupil:
        found = sorted(found, key=lambda r: (r.author.lower(), r.answered_at))
    forms = {
        r.response_id: CommentForm(
            formdata=None, prefix=f"r{r.response_id}", comment=r.comment, points=r.points
        )
        for r in found
    }
    return (
        render_template(
            "teach/reflections.html",
            quiz=quiz,
            found=found,
            forms=forms,
            errors=errors,
            by_pupil=by_pupil,
        ),
        400 if errors else 200,
    )
