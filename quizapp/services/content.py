"""Read-only queries for the content pages: published banks, a bank, an article."""

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Article, Bank, Question, QuestionVersion
from quizapp.services.quizzes import published_versions

# The tag of a bank's short route through its core claims, offered before the whole bank.
SHORT_QUIZ_TAG = "kurzquiz"


def published_banks() -> list[tuple[Bank, int]]:
    """Return the banks with at least one published question and that number, by title."""
    count = func.count(Question.id)
    rows = db.session.execute(
        select(Bank, count)
        .join(Question, Question.bank_id == Bank.id)
        .where(Question.status == "published")
        .group_by(Bank.id)
        .order_by(Bank.title, Bank.id)
    )
    return [(bank, number) for bank, number in rows]


def bank_by_slug(slug: str) -> Bank | None:
    """Return a bank by its slug."""
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def bank_questions(bank: Bank) -> list[QuestionVersion]:
    """Return the current versions of the bank's published questions, in bank order."""
    return published_versions(bank.id)


def article_by_slug(slug: str) -> Article | None:
    """Return an article by its slug."""
    return db.session.scalar(select(Article).where(Article.slug == slug))


def banks_of(article: Article) -> list[Bank]:
    """Return the banks about an article."""
    return list(
        db.session.scalars(select(Bank).where(Bank.article_id == article.id).order_by(Bank.title))
    )


def short_quiz_size(bank: Bank) -> int:
    """Return how many published questions the bank's short route (tag `kurzquiz`) has."""
    return sum(1 for v in published_versions(bank.id) if SHORT_QUIZ_TAG in (v.question.tags or []))
