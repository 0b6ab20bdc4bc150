"""Authoring pages: thin views that read forms, call the authoring service and render."""

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from quizapp import grading, presenting
from quizapp.access import TEACHER, everyone, expect
from quizapp.author import bp
from quizapp.author.forms import (
    FORMS,
    ArticleForm,
    BankForm,
    ClaimForm,
    CoAuthorForm,
    ImportForm,
    QuestionForm,
    choices,
)
from quizapp.author.messages import field_errors
from quizapp.banks.import_messages import describe, describe_error
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.forms import raw_answer
from quizapp.labels import KIND_HELP, TYPE_LABELS
from quizapp.models import Article, Bank, Claim, Question, Response
from quizapp.services import authoring as service
from quizapp.services import bank_import

PUBLIC = {"author.image"}
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+[\"“”»«']?|$)")


@bp.before_request
def teachers_only():
    """Every authoring page is for teachers; learners get 403, guests the login page."""
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_required(lambda: None)()
    if not current_user.is_teacher:
        abort(403)
    return None


def _attach(form, errors: list[tuple[str, str]]) -> list[str]:
    """Put each message on its form field (options-2-text …); return those without a field."""
    loose = []
    for name, text in errors:
        field = form
        for part in name.split("-"):
            try:
                field = field[int(part)] if part.isdigit() else field[part]
            except (KeyError, IndexError, TypeError):
                field = None
                break
        if field is None or field is form:
            loose.append(text)
        else:
            field.errors = [*field.errors, text]
    return loose


def _bank_or_404(slug: str) -> Bank:
    """Return a bank by slug or answer 404."""
    return db.session.scalar(select(Bank).where(Bank.slug == slug)) or abort(404)


def _editable_bank(slug: str) -> Bank:
    """Return a bank the user may change (403 otherwise)."""
    bank = _bank_or_404(slug)
    if not service.can_edit(bank, current_user):
        abort(403)
    return bank


def _question_or_404(question_id: int) -> Question:
    """Return a question of a bank the user may change; others' drafts stay hidden (404)."""
    question = db.session.get(Question, question_id)
    if question is None or not service.can_edit(question.bank, current_user):
        abort(404)
    return question


@bp.route("/author/")
@expect("GET", TEACHER)
def index():
    """The teacher's authoring start: own banks, articles, banks to copy."""
    articles = db.session.scalars(select(Article).order_by(Article.created_at.desc())).all()
    return render_template(
        "author/index.html",
        banks=service.my_banks(current_user),
        others=service.copyable_banks(current_user),
        articles=articles,
    )


@bp.route("/author/articles/new", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER)
def new_article():
    """Add an article by pasting its text or uploading a file."""
    form = ArticleForm()
    loose: list[str] = []
    if form.validate_on_submit():
        try:
            text, fmt = form.text.data or "", form.fmt.data
            upload = request.files.get("file")
            if upload and upload.filename:
                text, fmt = service.text_of_upload(upload.filename, upload.read()), "txt"
            article = service.add_article(
                form.title.data,
                text,
                created_by=current_user,
                outlet=form.outlet.data,
                author=form.author.data,
                published_on=form.published_on.data,
                url=form.url.data,
                language=form.language.data,
                fmt=fmt,
            )
        except ServiceError as error:
            loose = _attach(form, field_errors(error))
        else:
            flash(_("The article was added. Mark its claims next."), "success")
            return redirect(url_for("author.new_claim", slug=article.slug))
    return render_template("author/article_form.html", form=form, loose=loose)


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """Split each line of the text into sentences with their offsets (for the picker)."""
    found = []
    offset = 0
    for line in text.split("\n"):
        for match in _SENTENCE.finditer(line):
            piece = match.group(0)
            stripped = piece.strip()
            if len(stripped) > 3:
                start = offset + match.start() + (len(piece) - len(piece.lstrip()))
                found.append((start, start + len(stripped), stripped))
        offset += len(line) + 1
    return found


def _blocks(text: str) -> list[tuple[int, str]]:
    """Return the non-empty lines of the article with their offsets."""
    blocks, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            blocks.append((offset, line))
        offset += len(line) + 1
    return blocks


@bp.route("/author/articles/<slug>/claims/new", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER)
def new_claim(slug: str):
    """Mark a passage of the article (selected, chosen or typed) as a claim."""
    article = db.session.scalar(select(Article).where(Article.slug == slug)) or abort(404)
    form = ClaimForm()
    sentences = _sentences(article.text)
    form.sentence.choices = choices(
        [("", _("– choose –"))] + [(f"{s}:{e}", text[:160]) for s, e, text in sentences]
    )
    loose: list[str] = []
    if form.validate_on_submit():
        values = form.values()
        if not values["quote"] and values["start"] is not None:
            values["quote"] = article.text[values["start"] : values["end"]]
        try:
            claim = service.add_claim(article, current_user, **values)
        except ServiceError as error:
            loose = _attach(form, field_errors(error))
        else:
            flash(_("Claim %(key)s was added.", key=claim.key), "success")
            return redirect(url_for("author.new_claim", slug=article.slug))
    banks = [b for b in service.my_banks(current_user) if b.article_id == article.id]
    return render_template(
        "author/claim_form.html",
        article=article,
        blocks=_blocks(article.text),
        form=form,
        loose=loose,
        banks=banks,
        kind_help=KIND_HELP,
    )


@bp.route("/author/banks/new", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER)
def new_bank():
    """Create a bank, about an article or about none."""
    form = BankForm()
    articles = db.session.scalars(select(Article).order_by(Article.title)).all()
    form.article.choices = choices(
        [("", _("– no article –"))] + [(a.slug, a.title) for a in articles]
    )
    if request.method == "GET" and request.args.get("article"):
        form.article.data = request.args["article"]
    loose: list[str] = []
    if form.validate_on_submit():
        article = next((a for a in articles if a.slug == form.article.data), None)
        try:
            bank = service.create_bank(
                current_user,
                title=form.title.data,
                article=article,
                language=article.language if article else form.language.data,
                description=form.description.data,
            )
        except ServiceError as error:
            loose = _attach(form, field_errors(error))
        else:
            return redirect(url_for("author.bank", slug=bank.slug))
    return render_template("author/bank_form.html", form=form, loose=loose)


@bp.route("/author/banks/<slug>")
@expect("GET", TEACHER)
def bank(slug: str):
    """A bank's questions with their status and actions (read-only for others)."""
    return _bank_page(_bank_or_404(slug))


def _bank_page(found: Bank, status: int = 200, **extra):
    """Render a bank's authoring page (with an import's report or refusal in extra)."""
    editable = service.can_edit(found, current_user)
    questions = service.bank_questions(found)
    if not editable:
        questions = [q for q in questions if q.status == "published"]
    page = render_template(
        "author/bank.html",
        bank=found,
        editable=editable,
        questions=questions,
        type_labels=TYPE_LABELS,
        types=list(FORMS),
        co_author_form=CoAuthorForm(),
        import_form=extra.pop("import_form", None) or ImportForm(),
        describe=describe,
        **extra,
    )
    return page, status


@bp.route("/author/banks/<slug>/import", methods=["POST"])
# A bank from a file is read-only: the refusal comes back on the bank page.
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
def import_file(slug: str):
    """Add the questions of a file to the bank as drafts; show what was not carried."""
    found = _bank_or_404(slug)
    form = ImportForm()
    try:
        service.check_editable(found, current_user)
    except ServiceError as error:
        for _field, words in field_errors(error):
            flash(words, "error")
        return redirect(url_for("author.bank", slug=found.slug))
    if not form.validate_on_submit():
        return _bank_page(found, 400, import_form=form)
    upload = form.file.data
    if not upload or not upload.filename:
        form.file.errors = [_("Choose a file to import.")]
        return _bank_page(found, 422, import_form=form)
    try:
        report = bank_import.import_questions(
            found, upload.filename, upload.read(), form.fmt.data, tsv_as=form.tsv_as.data
        )
    except ServiceError as error:
        return _bank_page(found, 422, import_form=form, import_refusal=describe_error(error))
    return _bank_page(found, import_form=form, import_report=report)


def _service_call(action, *args, success: str | None = None):
    """Run a service action; flash its refusal in words."""
    try:
        result = action(*args)
    except ServiceError as error:
        for _field, text in field_errors(error):
            flash(text, "error")
        return None
    if success:
        flash(success, "success")
    return result


@bp.route("/author/banks/<slug>/copy", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
def copy_bank(slug: str):
    """Copy a published (or file) bank to edit it."""
    found = _bank_or_404(slug)
    copy = _service_call(
        service.copy_bank,
        found,
        current_user,
        _("Copy of %(title)s", title=found.title),
        success=_("The bank was copied. The copy is yours to change."),
    )
    return redirect(url_for("author.bank", slug=copy.slug if copy else found.slug))


@bp.route("/author/banks/<slug>/co-authors", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
def add_co_author(slug: str):
    """The owner lets another teacher edit the bank."""
    found = _bank_or_404(slug)
    form = CoAuthorForm()
    if form.validate_on_submit():
        _service_call(
            service.add_co_author,
            found,
            current_user,
            form.email.data,
            success=_("The co-author was added."),
        )
    return redirect(url_for("author.bank", slug=found.slug))


@bp.route("/author/banks/<slug>/co-authors/<int:user_id>/remove", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
def remove_co_author(slug: str, user_id: int):
    """The owner takes a co-author's right to edit away."""
    found = _bank_or_404(slug)
    _service_call(service.remove_co_author, found, current_user, user_id)
    return redirect(url_for("author.bank", slug=found.slug))


def _claim_choices(bank: Bank) -> list[tuple[str, str]]:
    """The claims a question of the bank can stand on."""
    choices = [("", _("– no claim (no source) –"))]
    if bank.article is not None:
        choices += [
            (c.key, f"{c.key}: {c.quote[:100]}")
            for c in sorted(bank.article.claims, key=lambda c: c.start)
        ]
    return choices


def _images(form: QuestionForm) -> dict[str, service.ImageInput]:
    """Read the form's image slots."""
    images = {}
    for slot, (file_field, alt_field, remove_field) in form.image_slots().items():
        upload = file_field.data
        data = upload.read() if upload and getattr(upload, "filename", "") else None
        images[slot] = service.ImageInput(data, alt_field.data or "", bool(remove_field.data))
    return images


def _question_page(bank: Bank, qtype: str, question: Question | None):
    """Show and handle the form of one question type (new or edit)."""
    form_class = FORMS.get(qtype) or abort(404)
    form = form_class()
    form.claim.choices = choices(_claim_choices(bank))
    if request.method == "GET":
        if question is not None and question.current is not None:
            form.load(question.current)
        else:
            form.asks.data = "text" if bank.article_id else "world"
            form.claim.data = request.args.get("claim", "")
            claim = _claim_by_key(bank, form.claim.data)
            if qtype == "fact_or_opinion" and claim is not None:
                form.statement.data = claim.quote
    loose: list[str] = []
    if form.validate_on_submit():
        claim = _claim_by_key(bank, form.claim.data)
        try:
            saved = service.save_question(
                bank,
                current_user,
                qtype=qtype,
                fields=form.fields(),
                question=question,
                claim=claim,
                images=_images(form),
            )
        except ServiceError as error:
            loose = _attach(form, field_errors(error))
        else:
            flash(_("The question was saved as a draft. Check it in the preview."), "success")
            if question is not None and question.status == "published":
                flash(_("It stays published; learners get the new version."), "success")
            return redirect(url_for("author.preview", question_id=saved.id))
    elif form.errors:
        loose = [_("The form expired. Please send it again.")]
    return render_template(
        "author/question_form.html",
        bank=bank,
        form=form,
        qtype=qtype,
        question=question,
        type_label=TYPE_LABELS.get(qtype, qtype),
        loose=loose,
    )


def _claim_by_key(bank: Bank, key: str | None) -> Claim | None:
    """Return the bank's article's claim with this key, if any."""
    if not key or bank.article is None:
        return None
    return next((c for c in bank.article.claims if c.key == key), None)


@bp.route("/author/banks/<slug>/questions/new/<qtype>", methods=["GET", "POST"])
# The matrix's bank comes from a file: nobody adds questions to it in the app.
@expect("GET", TEACHER, teacher=403, other_teacher=403, admin=403)
@expect("POST", TEACHER, teacher=403, other_teacher=403, admin=403)
def new_question(slug: str, qtype: str):
    """Write a new question of one type."""
    return _question_page(_editable_bank(slug), qtype, None)


@bp.route("/author/questions/<int:question_id>/edit", methods=["GET", "POST"])
# Questions of a bank one may not edit are not found.
@expect("GET", TEACHER, teacher=404, other_teacher=404, admin=404)
@expect("POST", TEACHER, teacher=404, other_teacher=404, admin=404)
def edit_question(question_id: int):
    """Change a question (a published one gets a new version)."""
    question = _question_or_404(question_id)
    if question.status == "retired":
        abort(404)
    return _question_page(question.bank, question.current.type, question)


@bp.route("/author/questions/<int:question_id>/preview", methods=["GET", "POST"])
@expect("GET", TEACHER, teacher=404, other_teacher=404, admin=404)
@expect("POST", TEACHER, teacher=404, other_teacher=404, admin=404)
def preview(question_id: int):
    """Show the question exactly as a learner sees it; an answer shows its feedback."""
    question = _question_or_404(question_id)
    version = question.current or abort(404)
    view = grading.present(version.type, version.payload)
    feedback, error = None, None
    if request.method == "POST":
        raw = raw_answer(version.type, view, request.form)
        try:
            answer = grading.parse_answer(version.type, version.payload, raw)
        except grading.AnswerError as problem:
            error = _(problem.message, **problem.params)
        else:
            result = grading.grade(version.type, version.payload, answer)
            response = Response(answer=answer, score=result.score, correct=result.correct)
            feedback = presenting.feedback(version, response)  # the response is never stored
    return render_template(
        "author/preview.html",
        question=question,
        version=version,
        view=view,
        instruction=presenting.TYPE_LABELS.get(version.type, ""),
        feedback=feedback,
        error=error,
        submitted=request.form if request.method == "POST" else None,
    )


@bp.route("/author/questions/<int:question_id>/<action>", methods=["POST"])
@expect("POST", TEACHER, teacher=404, other_teacher=404, admin=404)
def question_action(question_id: int, action: str):
    """Publish, retire or delete a question."""
    question = _question_or_404(question_id)
    bank_slug = question.bank.slug
    actions = {
        "publish": (service.publish, _("The question is published.")),
        "retire": (service.retire, _("The question is retired; its answers are kept.")),
        "delete": (service.delete_question, _("The draft was deleted.")),
    }
    if action not in actions:
        abort(404)
    call, success = actions[action]
    _service_call(call, question, current_user, success=success)
    return redirect(url_for("author.bank", slug=bank_slug))


@bp.route("/images/<int:image_id>")
@expect("GET", everyone(404))  # no such image in the matrix's world
def image(image_id: int):
    """Serve an uploaded image as an image, never as a page."""
    visible = service.visible_image(image_id, current_user) or abort(404)
    found, public = visible
    response = make_response(found.data)
    response.headers["Content-Type"] = found.mime
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A draft's image is for its authors only: no shared cache keeps it.
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response
