"""Pages to read banks and articles; no answer key ever reaches these pages."""

from flask import abort, current_app, render_template, url_for
from flask_login import current_user

from quizapp.access import PUBLIC, expect
from quizapp.content import bp
from quizapp.content.reading import lay_out
from quizapp.labels import (
    KIND_HELP,
    KIND_LABELS,
    LEVEL_LABELS,
    TYPE_LABELS,
    kind_label,
    verdict_label,
)
from quizapp.services import content as service


def quiz_url(bank) -> str | None:
    """Return the address where learners take a bank's quiz (None without the learn area)."""
    if "learn.bank" not in current_app.view_functions:
        return None
    return url_for("learn.bank", slug=bank.slug)


def new_quiz_url(bank) -> str | None:
    """Return where a teacher makes a quiz from the bank (None for everyone else)."""
    if "learn.new_quiz" not in current_app.view_functions:
        return None
    if not (current_user.is_authenticated and current_user.is_teacher):
        return None
    return url_for("learn.new_quiz", bank=bank.slug)


def short_quiz(bank) -> dict | None:
    """Where and how to start the bank's short route (Kurzquiz), if it has one and quizzes run."""
    if "learn.start_bank" not in current_app.view_functions:
        return None
    size = service.short_quiz_size(bank)
    if not size:
        return None
    return {
        "action": url_for("learn.start_bank", slug=bank.slug),
        "tag": service.SHORT_QUIZ_TAG,
        "size": size,
    }


@bp.app_context_processor
def content_helpers() -> dict:
    """Offer the published banks (start page), quiz links and claim labels to every template."""
    return {
        "published_banks": service.published_banks,
        "quiz_url": quiz_url,
        "short_quiz": short_quiz,
        "kind_label": kind_label,
        "verdict_label": verdict_label,
    }


@bp.route("/banks")
@expect("GET", PUBLIC)
def banks():
    """List the banks that have published questions."""
    return render_template("content/banks.html", banks=service.published_banks())


@bp.route("/banks/<slug>")
@expect("GET", PUBLIC)
def bank(slug: str):
    """Show a bank: its article, claims and the prompts of its published questions."""
    found = service.bank_by_slug(slug) or abort(404)
    return render_template(
        "content/bank.html",
        bank=found,
        claims=found.article.claims if found.article else [],
        versions=service.bank_questions(found),
        type_labels=TYPE_LABELS,
        level_labels={tag: str(label) for tag, label in LEVEL_LABELS.items()},
        new_quiz_url=new_quiz_url(found),
    )


@bp.route("/articles/<slug>")
@expect("GET", PUBLIC)
def article(slug: str):
    """Show an article with every claim's quote highlighted by kind, with anchors."""
    found = service.article_by_slug(slug) or abort(404)
    return render_template(
        "content/article.html",
        article=found,
        blocks=lay_out(found.text, found.claims),
        claims=found.claims,
        banks=service.banks_of(found),
        # `claim` reads like `fact` (a statement of fact; the verdict tells its truth).
        kinds=[
            (kind, KIND_LABELS[kind], KIND_HELP[kind]) for kind in KIND_LABELS if kind != "claim"
        ],
    )
