"""Quiz pages: choose a mode, answer question by question, see feedback and results.

Views parse the request, call quizapp.services.attempts and render; every page works as plain
HTML forms (JavaScript only adds a countdown and guards against double clicks).
"""

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from quizapp.access import PUBLIC, TEACHER, everyone, expect
from quizapp.dates import local_datetime
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.forms import raw_answer
from quizapp.labels import TYPE_LABELS as TYPE_NAMES
from quizapp.labels import kind_label
from quizapp.learn import bp
from quizapp.learn.forms import PICK_ERRORS, ConfirmForm, QuizForm
from quizapp.models import Attempt, Bank, Quiz, utcnow
from quizapp.owners import current_owner, guest_start_limit, starting_owner
from quizapp.presenting import (
    TYPE_LABELS,
    error_message,
    feedback,
    grading_method_label,
    percent,
)
from quizapp.security import role_required
from quizapp.services import attempts as service
from quizapp.services import quizzes, rounds, schedule

MODES = ("practice", "exam")
# The questions skipped for now, per attempt, are kept in the session (this browser), like the
# exam navigator's flags; only the latest attempts' are kept.
SKIPPED_KEY = "skipped"
SKIPPED_ATTEMPTS = 10


@bp.context_processor
def learn_helpers() -> dict:
    """Label helpers for the learn templates."""
    return {
        "kind_label": kind_label,
        "grading_method_label": grading_method_label,
        "local_datetime": local_datetime,
        "percent": percent,
    }


def _bank_or_404(slug: str) -> Bank:
    """Return the bank with this slug, or answer 404."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        abort(404)
    return bank


def _attempt_or_404(attempt_id: int) -> Attempt:
    """Return this learner's attempt (private pages are never cached), or answer 404."""
    g.no_store = True
    try:
        return service.load_attempt(attempt_id, current_owner())
    except ServiceError:
        abort(404)


def _start(quiz: Quiz):
    """Resume the learner's open attempt of the quiz or start a new one; redirect to it."""
    owner = current_owner()
    resumed = service.open_attempt(quiz, owner)
    if resumed is not None:
        flash(_("You are continuing where you left off."))
        return redirect(url_for("learn.attempt", attempt_id=resumed.id))
    try:
        attempt = service.start_attempt(quiz, starting_owner())
    except ServiceError as error:
        flash(error_message(error), "error")
        return redirect(request.referrer or url_for("learn.quiz", quiz_id=quiz.id))
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


def _skipped(attempt: Attempt) -> set[int]:
    """The question versions the learner skipped for now in this attempt."""
    kept = session.get(SKIPPED_KEY)
    found = kept.get(str(attempt.id), []) if isinstance(kept, dict) else []
    return {v for v in found if isinstance(v, int)}


def _remember_skipped(attempt: Attempt, skipped: set[int]) -> None:
    """Keep the attempt's skipped questions (and those of a few other recent attempts)."""
    kept = session.get(SKIPPED_KEY)
    kept = dict(kept) if isinstance(kept, dict) else {}
    kept[str(attempt.id)] = sorted(skipped)
    recent = sorted(kept, key=lambda k: int(k) if k.isdigit() else 0)[-SKIPPED_ATTEMPTS:]
    session[SKIPPED_KEY] = {k: kept[k] for k in recent}


def _quiz_summary(quiz: Quiz | None) -> dict:
    """What the learner sees about a quiz: their result, attempts left, an attempt to resume."""
    if quiz is None:
        return {"quiz": None, "result": None, "left": None, "open": None}
    owner = current_owner()
    return {
        "quiz": quiz,
        "result": service.quiz_result(quiz, owner),
        "left": service.attempts_left(quiz, owner),
        "open": service.open_attempt(quiz, owner),
    }


@bp.route("/quiz/<slug>")
@expect("GET", PUBLIC)
def bank(slug: str):
    """A bank's quizzes: practice (feedback after each question) or exam (at the end, timed)."""
    bank = _bank_or_404(slug)
    count = len(service.published_question_ids(bank))
    summaries = {
        mode: _quiz_summary(
            db.session.scalar(select(Quiz).where(Quiz.key == service.bank_quiz_key(bank, mode)))
        )
        for mode in MODES
    }
    exam = summaries["exam"]["quiz"]
    limit = exam.time_limit_s if exam is not None and exam.time_limit_s else None
    return render_template(
        "learn/bank.html",
        bank=bank,
        count=count,
        summaries=summaries,
        exam_minutes=(limit or service.exam_time_limit(count)) // 60,
        round_sizes=rounds.ROUND_SIZES,
        default_size=rounds.DEFAULT_SIZE,
        tags=quizzes.bank_tags(bank),
        claims=rounds.claims_of(bank),
    )


@bp.route("/quiz/<slug>/round", methods=["POST"])
@expect("POST", everyone(302))
@guest_start_limit
def start_round(slug: str):
    """Start a practice round (5, 10, 20 or all questions) of the bank, a tag or a claim."""
    bank = _bank_or_404(slug)
    sizes = {str(n) if n else "all": n for n in rounds.ROUND_SIZES}
    focus = request.form.get("focus", "")
    kind, _colon, value = focus.partition(":")
    tag = value if kind == "tag" else None
    claim_key = value if kind == "claim" else None
    if (
        request.form.get("size", str(rounds.DEFAULT_SIZE)) not in sizes
        or (focus and kind not in ("tag", "claim"))
        or (tag is not None and tag not in quizzes.bank_tags(bank))
        or (claim_key is not None and claim_key not in {c.key for c in rounds.claims_of(bank)})
    ):
        abort(400)
    size = sizes[request.form.get("size", str(rounds.DEFAULT_SIZE))]
    try:
        attempt = rounds.start_round(
            bank, starting_owner(), size, title=bank.title, tag=tag, claim_key=claim_key
        )
    except ServiceError as error:
        flash(error_message(error), "error")
        return redirect(url_for("learn.bank", slug=bank.slug))
    return redirect(url_for("learn.attempt", attempt_id=attempt.id))


@bp.route("/quiz/<slug>/start", methods=["POST"])
@expect("POST", everyone(302))
@guest_start_limit
def start_bank(slug: str):
    """Start (or resume) the bank's quiz in the chosen mode, or its practice route of one tag."""
    bank = _bank_or_404(slug)
    mode = request.form.get("mode", "practice")
    tag = request.form.get("tag") or None
    if mode not in MODES or (tag is not None and tag not in quizzes.bank_tags(bank)):
        abort(400)
    return _start(service.quiz_for_bank(bank, mode, tag))


def _share_url(quiz: Quiz) -> str:
    """Return the quiz's link to hand to learners (PUBLIC_URL when set, else this host)."""
    base = current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")
    return base + url_for("learn.quiz", quiz_id=quiz.id)


@bp.route("/quizzes/new", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", everyone(302, learner=403, other_learner=403))
@role_required("teacher")
def new_quiz():
    """A teacher sets up a quiz over a bank; nothing is stored until every setting is fine."""
    bank = _bank_or_404(request.args.get("bank", ""))
    form = QuizForm()
    form.tag.choices = [SelectChoice("", _("– choose –"))] + [
        SelectChoice(tag, tag) for tag in quizzes.bank_tags(bank)
    ]
    form.class_id.choices = [SelectChoice("", _("No class: everyone with the link"))] + [
        SelectChoice(c.id, c.name) for c in quizzes.classes_of(current_user)
    ]
    if form.validate_on_submit():
        try:
            quiz = quizzes.create_quiz(current_user, bank, form.settings())
        except ServiceError as error:
            form.show_errors(error)
        else:
            if quiz.selection == "pick":
                flash(_("The quiz is saved. Now pick its questions."))
                return redirect(url_for("learn.pick_questions", quiz_id=quiz.id))
            flash(_("The quiz is ready. Share its link with your learners."))
            return redirect(url_for("learn.quiz", quiz_id=quiz.id))
    available = len(quizzes.published_versions(bank.id))
    status = 400 if form.errors else 200
    return render_template("learn/new_quiz.html", form=form, bank=bank, available=available), status


@bp.route("/quizzes/mine")
@expect("GET", TEACHER)
@role_required("teacher")
def my_quizzes():
    """The quizzes a teacher made, each with the link to share."""
    g.no_store = True
    made = quizzes.quizzes_by(current_user)
    return render_template(
        "learn/my_quizzes.html",
        quizzes=made,
        share_urls={q.id: _share_url(q) for q in made},
        classes={c.id: c for c in quizzes.classes_of(current_user)},
    )


@bp.route("/quizzes/<int:quiz_id>")
@expect("GET", everyone(404, learner=200, teacher=200, admin=200))
def quiz(quiz_id: int):
    """Any quiz's page: its rules, the learner's result so far, start or resume."""
    quiz = service.get_quiz(quiz_id, current_user) or abort(404)
    mine = current_user.is_authenticated and quiz.created_by_id == current_user.id
    return render_template(
        "learn/quiz.html",
        **_quiz_summary(quiz),
        question_count=quizzes.questions_per_attempt(quiz),
        school_class=quizzes.assigned_class(quiz),
        share_url=_share_url(quiz) if mine else None,
    )


@bp.route("/quizzes/<int:quiz_id>/start", methods=["POST"])
@expect("POST", everyone(404, learner=302, teacher=302, admin=302))
@guest_start_limit
def start(quiz_id: int):
    """Start (or resume) an attempt of a quiz."""
    quiz = service.get_quiz(quiz_id, current_user) or abort(404)
    return _start(quiz)


@bp.route("/attempts/<int:attempt_id>")
@expect("GET", everyone(404, learner=302))
def attempt(attempt_id: int):
    """Go on with an attempt: to the next unanswered question, or to the results."""
    attempt = _attempt_or_404(attempt_id)
    if service.expire_if_due(attempt):
        flash(_("Time is up. Your attempt was handed in with the answers you gave."), "error")
    if attempt.finished_at is not None:
        return redirect(url_for("learn.results", attempt_id=attempt.id))
    number = service.next_question(attempt, _skipped(attempt))
    if number is not None:
        return redirect(url_for("learn.question", attempt_id=attempt.id, number=number))
    service.finish_attempt(attempt)
    return redirect(url_for("learn.results", attempt_id=attempt.id))


def _question_page(attempt: Attempt, number: int, error: str | None = None, status: int = 200):
    """Render question `number` of the attempt: its form, or its feedback once answered."""
    versions = service.attempt_versions(attempt)
    if not 1 <= number <= len(versions):
        abort(404)
    version = versions[number - 1]
    responses = service.responses_of(attempt)
    response = responses.get(version.id)
    practice = service.shows_feedback_now(attempt.quiz)
    if response is not None and not practice:
        return redirect(url_for("learn.attempt", attempt_id=attempt.id))
    if response is None and attempt.finished_at is not None:
        return redirect(url_for("learn.results", attempt_id=attempt.id))
    if response is None:
        service.mark_shown(attempt, version.id)
    open_left = any(v.id not in responses and v.id != version.id for v in versions)
    return render_template(
        "learn/question.html",
        attempt=attempt,
        quiz=attempt.quiz,
        number=number,
        total=len(versions),
        version=version,
        view=service.present(attempt, version),
        instruction=TYPE_LABELS.get(version.type, ""),
        feedback=feedback(version, response) if response is not None else None,
        submitted=request.form if error else None,
        error=error,
        seconds_left=_seconds_left(attempt),
        is_last=not open_left,
        others_open=open_left,
        skippable=response is None and version.type in service.SKIPPABLE_TYPES,
        skipped_before=version.id in _skipped(attempt),
        answered={n for n, v in enumerate(versions, start=1) if v.id in responses},
    ), status


def _seconds_left(attempt: Attempt) -> int | None:
    """Seconds until the attempt's deadline (None without a time limit)."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - utcnow()).total_seconds()))


@bp.route("/attempts/<int:attempt_id>/q/<int:number>")
@expect("GET", everyone(404, learner=200))
def question(attempt_id: int, number: int):
    """Show one question of an attempt (or, in practice mode, its feedback once answered)."""
    attempt = _attempt_or_404(attempt_id)
    if service.expire_if_due(attempt):
        flash(_("Time is up. Your attempt was handed in with the answers you gave."), "error")
    if attempt.finished_at is not None and not service.shows_feedback_now(attempt.quiz):
        return redirect(url_for("learn.results", attempt_id=attempt.id))
    return _question_page(attempt, number)


@bp.route("/attempts/<int:attempt_id>/q/<int:number>", methods=["POST"])
@expect("POST", everyone(404, learner=422))
def answer(attempt_id: int, number: int):
    """Record the answer to one question (a repeated submit shows the first result), or skip
    a reflection for now."""
    attempt = _attempt_or_404(attempt_id)
    if not 1 <= number <= len(attempt.version_ids):
        abort(404)
    version_id = attempt.version_ids[number - 1]
    if "skip" in request.form:
        return _skip(attempt, version_id)
    version = service.attempt_version(attempt, version_id)
    view = service.present(attempt, version)
    try:
        service.record_answer(attempt, version_id, raw_answer(version.type, view, request.form))
    except ServiceError as error:
        if error.code == "invalid_answer":
            return _question_page(attempt, number, error=error_message(error), status=422)
        flash(error_message(error), "error")
        return redirect(url_for("learn.attempt", attempt_id=attempt_id))
    if service.shows_feedback_now(attempt.quiz):
        return redirect(url_for("learn.question", attempt_id=attempt_id, number=number))
    return redirect(url_for("learn.attempt", attempt_id=attempt_id))


def _skip(attempt: Attempt, version_id: int):
    """Skip a reflection for now: on to the next open question, or to the results if none."""
    skipped = _skipped(attempt) | {version_id}
    try:
        following = service.skip_question(attempt, version_id, skipped)
    except ServiceError as error:
        flash(error_message(error), "error")
        return redirect(url_for("learn.attempt", attempt_id=attempt.id))
    if following is None:
        return redirect(url_for("learn.results", attempt_id=attempt.id))
    _remember_skipped(attempt, skipped)
    flash(_("Skipped for now: the question comes back once you have answered the others."))
    return redirect(url_for("learn.question", attempt_id=attempt.id, number=following))


@bp.route("/attempts/<int:attempt_id>/finish", methods=["POST"])
@expect("POST", everyone(404, learner=302))
def finish(attempt_id: int):
    """Hand in the attempt now; unanswered questions earn no points."""
    attempt = _attempt_or_404(attempt_id)
    service.expire_if_due(attempt)
    service.finish_attempt(attempt)
    return redirect(url_for("learn.results", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/results")
@expect("GET", everyone(404, learner=302))
def results(attempt_id: int):
    """The score, every question with both answers, the explanation and the source."""
    attempt = _attempt_or_404(attempt_id)
    service.expire_if_due(attempt)
    if attempt.finished_at is None:
        return redirect(url_for("learn.attempt", attempt_id=attempt.id))
    responses = service.responses_of(attempt)
    items = [feedback(v, responses.get(v.id)) for v in service.attempt_versions(attempt)]
    owner = current_owner()
    review = schedule.review_parts(attempt.quiz, utcnow())
    return render_template(
        "learn/results.html",
        attempt=attempt,
        quiz=attempt.quiz,
        items=items,
        review=review,
        more_later=schedule.more_after_due(attempt.quiz, utcnow()),
        wrong=len(service.wrong_versions(attempt)) if "correctness" in review else 0,
        unanswered=len(service.unanswered_versions(attempt)) if "correctness" in review else 0,
        quiz_result=service.quiz_result(attempt.quiz, owner) if "score" in review else None,
        left=service.attempts_left(attempt.quiz, owner),
        guest=not current_user.is_authenticated,
    )


@bp.route("/attempts/<int:attempt_id>/retry", methods=["POST"])
@expect("POST", everyone(404, learner=302))
@guest_start_limit
def retry(attempt_id: int):
    """Practise again the questions answered wrongly, or those left unanswered, in an attempt."""
    attempt = _attempt_or_404(attempt_id)
    unanswered = request.form.get("which") == "unanswered"
    try:
        new = service.retry_wrong(attempt, starting_owner(), unanswered=unanswered)
    except ServiceError as error:
        flash(error_message(error), "error")
        return redirect(url_for("learn.results", attempt_id=attempt.id))
    return redirect(url_for("learn.attempt", attempt_id=new.id))


def _own_quiz(quiz_id: int) -> Quiz:
    """The quiz if the logged-in teacher made it (admins: any); else 404 or 403."""
    quiz = db.session.get(Quiz, quiz_id) if 0 < quiz_id <= service.MAX_ID else None
    if quiz is None or quiz.key is not None or quiz.archived_at is not None:
        abort(404)
    if current_user.role != "admin" and quiz.created_by_id != current_user.id:
        abort(403)
    return quiz


def _settings_form(bank: Bank) -> QuizForm:
    """The quiz settings form with the bank's tags and the teacher's classes to choose from."""
    form = QuizForm()
    form.tag.choices = [SelectChoice("", _("– choose –"))] + [
        SelectChoice(tag, tag) for tag in quizzes.bank_tags(bank)
    ]
    form.class_id.choices = [SelectChoice("", _("No class: everyone with the link"))] + [
        SelectChoice(c.id, c.name) for c in quizzes.classes_of(current_user)
    ]
    return form


@bp.route("/quizzes/<int:quiz_id>/edit", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def edit_quiz(quiz_id: int):
    """Change a quiz's settings; its questions only while nobody has started it."""
    quiz = _own_quiz(quiz_id)
    form = _settings_form(quiz.bank)
    if request.method == "GET":
        form.fill(quizzes.settings_of(quiz))
    elif form.validate_on_submit():
        try:
            quizzes.update_quiz(current_user, quiz, form.settings())
        except ServiceError as error:
            form.show_errors(error)
        else:
            flash(_("The quiz is saved."))
            if quiz.selection == "pick":
                return redirect(url_for("learn.pick_questions", quiz_id=quiz.id))
            return redirect(url_for("learn.quiz", quiz_id=quiz.id))
    return (
        render_template(
            "learn/new_quiz.html",
            form=form,
            bank=quiz.bank,
            available=len(quizzes.published_versions(quiz.bank_id)),
            quiz=quiz,
            started=quizzes.has_attempts(quiz),
        ),
        400 if form.errors else 200,
    )


@bp.route("/quizzes/<int:quiz_id>/duplicate", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def duplicate_quiz(quiz_id: int):
    """Copy a quiz (settings and chosen questions, no class) and open the copy's settings."""
    quiz = _own_quiz(quiz_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("learn.my_quizzes"))
    copy = quizzes.duplicate_quiz(current_user, quiz, _("Copy of %(title)s", title=quiz.title))
    flash(_("The quiz is copied. Change what you like and assign it to a class."))
    return redirect(url_for("learn.edit_quiz", quiz_id=copy.id))


@bp.route("/quizzes/<int:quiz_id>/delete", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def delete_quiz(quiz_id: int):
    """Ask, then delete the quiz; one with attempts is archived and its results kept."""
    quiz = _own_quiz(quiz_id)
    if ConfirmForm().validate_on_submit():
        outcome = quizzes.delete_quiz(current_user, quiz)
        if outcome == "archived":
            flash(_("The quiz is deleted for learners; its results stay in the gradebook."))
        else:
            flash(_("The quiz is deleted."))
        return redirect(url_for("learn.my_quizzes"))
    return render_template(
        "learn/delete_quiz.html",
        quiz=quiz,
        started=quizzes.has_attempts(quiz),
        form=ConfirmForm(formdata=None),
    )


@bp.route("/quizzes/<int:quiz_id>/questions", methods=["GET", "POST"])
@expect("GET", TEACHER, other_teacher=403)
@expect("POST", TEACHER, teacher=302, other_teacher=403, admin=302)
@role_required("teacher")
def pick_questions(quiz_id: int):
    """Pick a quiz's questions one by one, filtered by tag, type, claim and difficulty."""
    quiz = _own_quiz(quiz_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            flash(_("The form expired. Please send it again."), "error")
            return redirect(request.full_path.rstrip("?"))
        try:
            quizzes.change_picks(
                current_user,
                quiz,
                request.form.get("action", ""),
                request.form.get("question_id", type=int) or 0,
            )
        except ServiceError as error:
            flash(str(PICK_ERRORS.get(error.code, PICK_ERRORS["unknown_question"])), "error")
        return redirect(request.full_path.rstrip("?"))
    filters = {
        "tag": request.args.get("tag") or None,
        "qtype": request.args.get("type") or None,
        "claim": request.args.get("claim") or None,
        "difficulty": request.args.get("difficulty", type=int),
    }
    everything = quizzes.candidates(quiz.bank)
    by_id = {c.question_id: c for c in everything}
    chosen = [by_id[q] for q in quiz.question_ids or [] if q in by_id]
    return render_template(
        "learn/pick.html",
        quiz=quiz,
        found=quizzes.candidates(quiz.bank, **filters),
        chosen=chosen,
        chosen_ids={c.question_id for c in chosen},
        filters=filters,
        tags=sorted({t for c in everything for t in c.tags if isinstance(t, str)}),
        types=sorted({c.type for c in everything}),
        claims=sorted({c.claim_key for c in everything}),
        difficulties=sorted({c.difficulty for c in everything}),
        started=quizzes.has_attempts(quiz),
        type_labels=TYPE_NAMES,
    )
