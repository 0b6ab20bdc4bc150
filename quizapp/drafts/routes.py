"""Review queue pages. Views check the teacher role, call the drafts service, render or redirect."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from quizapp.access import TEACHER, expect
from quizapp.drafts import bp
from quizapp.drafts.forms import BulkForm, DecideForm, EditForm, ProposeForm
from quizapp.drafts.messages import message
from quizapp.errors import ServiceError
from quizapp.inputs import MAX_ID
from quizapp.security import role_required
from quizapp.services import drafts as service

teacher_only = role_required("teacher")


@bp.app_context_processor
def drafts_helpers() -> dict:
    """Offer the article page a link to the review queue, for teachers only."""

    def drafts_link(article) -> dict | None:
        if current_user.is_authenticated and current_user.is_teacher:
            url = url_for("drafts.article", slug=article.slug)
            return {"url": url, "label": _("Draft questions from this article")}
        return None

    return {"drafts_link": drafts_link}


def _me():
    """The logged-in user as a model object."""
    return current_user._get_current_object()


def _bank(slug: str):
    """The bank of a queue, or 404."""
    return service.bank_by_slug(slug) or abort(404)


def in_paragraph(article_text: str, start: int, end: int) -> Markup:
    """The paragraph around a sentence, with the sentence marked."""
    para_start = article_text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = article_text.find("\n\n", end)
    para_end = len(article_text) if para_end < 0 else para_end
    return Markup("{}<mark>{}</mark>{}").format(
        escape(article_text[para_start:start]),
        escape(article_text[start:end]),
        escape(article_text[end:para_end]),
    )


@bp.route("/articles/<slug>", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
@teacher_only
def article(slug: str):
    """Propose drafts from an article into a bank, and list its banks' queues."""
    found = service.article_by_slug(slug) or abort(404)
    form = ProposeForm(bank=service.default_bank_slug(found))
    if form.validate_on_submit():
        try:
            result = service.propose(found, form.bank.data, _me())
        except ServiceError as error:
            form.bank.errors = [message(error)]
        else:
            flash(
                ngettext("%(num)d draft proposed.", "%(num)d drafts proposed.", result.created),
                "success",
            )
            return redirect(url_for("drafts.queue", bank=result.bank.slug))
    queues = [(bank, service.count_pending(bank)) for bank in service.banks_of(found)]
    status = 422 if form.errors else 200
    return render_template("drafts/article.html", article=found, form=form, queues=queues), status


@bp.route("/<bank>")
@expect("GET", TEACHER)
@teacher_only
def queue(bank: str):
    """The drafts of a bank that wait for review, each with its sentence in its paragraph."""
    found = _bank(bank)
    items = service.pending(found)
    text = found.article.text
    return render_template(
        "drafts/queue.html",
        bank=found,
        items=[(p, in_paragraph(text, p.start, p.end)) for p in items],
        rejected=service.count_rejected(found),
        accepted=service.draft_questions(found),
        decide=DecideForm(),
        bulk=BulkForm(),
    )


@bp.route("/<bank>/<int:draft_id>/accept", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
@teacher_only
def accept(bank: str, draft_id: int):
    """Accept one draft as it is."""
    found = _bank(bank)
    if DecideForm().validate_on_submit():
        try:
            service.accept(found, draft_id, _me())
            flash(_("Accepted: the draft is now a draft question of the bank."), "success")
        except ServiceError as error:
            flash(message(error), "error")
    return redirect(url_for("drafts.queue", bank=bank))


@bp.route("/<bank>/<int:draft_id>/reject", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
@teacher_only
def reject(bank: str, draft_id: int):
    """Reject one draft; it is not proposed again."""
    found = _bank(bank)
    if DecideForm().validate_on_submit():
        try:
            service.reject(found, draft_id, _me())
            flash(_("Rejected: this draft will not be proposed again."), "success")
        except ServiceError as error:
            flash(message(error), "error")
    return redirect(url_for("drafts.queue", bank=bank))


def _is_id(value: str) -> bool:
    """Whether a checked box's value names a draft (ASCII digits within an id's range)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID


@bp.route("/<bank>/bulk", methods=["POST"])
@expect("POST", TEACHER, teacher=302, other_teacher=302, admin=302)
@teacher_only
def bulk(bank: str):
    """Accept or reject the checked drafts together."""
    found = _bank(bank)
    form = BulkForm()
    ids = [int(i) for i in request.form.getlist("draft") if _is_id(i)]
    if form.validate_on_submit() and ids:
        try:
            done = service.decide_many(found, ids, form.action.data, _me())
            flash(ngettext("%(num)d draft done.", "%(num)d drafts done.", done), "success")
        except ServiceError as error:
            flash(message(error), "error")
    elif not ids:
        flash(_("Check at least one draft first."), "error")
    return redirect(url_for("drafts.queue", bank=bank))


def _fill(form: EditForm, question: dict) -> None:
    """Put a draft's fields into the edit form."""
    form.prompt.data = question.get("prompt")
    form.explanation.data = question.get("explanation")
    if question["type"] == "cloze":
        form.text.data = question["text"]
        form.answers.data = " | ".join(question["gaps"][0]["answers"])
    elif question["type"] == "single_choice":
        for i, option in enumerate(question["options"][:4]):
            getattr(form, f"option_{i}").data = option["text"]
            if option["correct"]:
                form.correct.data = str(i)
    elif question["type"] == "true_false":
        form.statement.data = question.get("statement")
        form.solution_true.data = question["solution"]
    elif question["type"] == "fact_or_opinion":
        form.kind.data = question["solution"]


def _edits(form: EditForm, question: dict) -> dict:
    """The changed fields of a draft, from the edit form."""
    edits = {"prompt": form.prompt.data, "explanation": form.explanation.data or ""}
    if question["type"] == "cloze":
        answers = [a.strip() for a in (form.answers.data or "").split("|") if a.strip()]
        tolerance = question["gaps"][0].get("typo_tolerance", 0)
        edits |= {
            "text": form.text.data,
            "gaps": [{"answers": answers, "typo_tolerance": tolerance}],
        }
    elif question["type"] == "single_choice":
        right = form.correct.data
        edits["options"] = [
            {"text": getattr(form, f"option_{i}").data or "", "correct": str(i) == right}
            for i in range(4)
            if getattr(form, f"option_{i}").data
        ]
    elif question["type"] == "true_false":
        edits |= {"statement": form.statement.data, "solution": bool(form.solution_true.data)}
    elif question["type"] == "fact_or_opinion":
        choices = list(dict.fromkeys([*question.get("choices", []), form.kind.data]))
        edits |= {"solution": form.kind.data, "choices": choices}
    return edits


@bp.route("/<bank>/<int:draft_id>/edit", methods=["GET", "POST"])
@expect("GET", TEACHER)
@expect("POST", TEACHER, teacher=422, other_teacher=422, admin=422)
@teacher_only
def edit(bank: str, draft_id: int):
    """Edit a draft, then accept it."""
    found = _bank(bank)
    proposal = next((p for p in service.pending(found) if p.id == draft_id), None) or abort(404)
    form = EditForm()
    if request.method == "GET":
        _fill(form, proposal.question)
    elif form.validate_on_submit():
        try:
            service.accept(found, draft_id, _me(), _edits(form, proposal.question))
        except ServiceError as error:
            form.prompt.errors = [message(error)]
        else:
            flash(_("Saved and accepted as a draft question."), "success")
            return redirect(url_for("drafts.queue", bank=bank))
    status = 422 if form.errors else 200
    return render_template(
        "drafts/edit.html",
        bank=found,
        proposal=proposal,
        form=form,
        context=in_paragraph(found.article.text, proposal.start, proposal.end),
    ), status
