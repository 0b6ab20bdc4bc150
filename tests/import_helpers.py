"""Helpers for the question-import tests: an empty bank on the seed article, stored questions."""

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question
from quizapp.services.bank_import import import_questions
from tests.bank_helpers import import_seed


def empty_bank(slug: str = "import-ziel", language: str = "de") -> Bank:
    """An empty bank on the seed article (imported first)."""
    article = import_seed()
    from quizapp.banks.articles import article_by_slug

    bank = Bank(slug=slug, title="Importziel", language=language)
    bank.article_id = article_by_slug(article.slug).id
    db.session.add(bank)
    db.session.commit()
    return bank


def stored(bank: Bank) -> list[dict]:
    """The bank's questions as stored: key, status, type, asks, prompt, payload, explanation."""
    db.session.expire_all()
    questions = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id).order_by(Question.position)
    )
    return [
        {
            "key": q.key,
            "status": q.status,
            "type": q.current.type,
            "asks": q.current.asks,
            "prompt": q.current.prompt,
            "payload": q.current.payload,
            "explanation": q.current.explanation,
        }
        for q in questions
    ]


def import_text(bank: Bank, text: str, fmt: str = "gift", **options):
    """Import a text (UTF-8) into the bank; return the report."""
    return import_questions(bank, f"test.{fmt}", text.encode("utf-8"), fmt, **options)


def only(bank: Bank, text: str, fmt: str = "gift") -> dict:
    """Import a file of one question and return what was stored (without its key and status)."""
    report = import_text(bank, text, fmt)
    [question] = stored(bank)
    assert question.pop("status") == "draft"
    question.pop("key")
    assert len(report.questions) == 1
    return question
