"""What the interchange exporters (GIFT, Moodle XML) read: a bank's published questions."""

from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.labels import kind_label
from quizapp.models import Bank
from quizapp.models.content import CLAIM_KINDS
from quizapp.services.quizzes import published_versions


class ExportError(Exception):
    """A bank that cannot be exported (unknown slug)."""


@dataclass(frozen=True)
class Item:
    """One published question's current content."""

    key: str
    type: str
    prompt: str
    payload: dict
    explanation: str


def bank_or_error(slug: str) -> Bank:
    """Return the bank with this slug or raise ExportError."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        raise ExportError(f"no bank with slug '{slug}'")
    return bank


def published_items(slug: str) -> tuple[Bank, list[Item]]:
    """Return the bank and its published questions in bank order."""
    bank = bank_or_error(slug)
    items = [
        Item(v.question.key, v.type, v.prompt, v.payload, v.explanation or "")
        for v in published_versions(bank.id)
    ]
    return bank, items


def kind_names(language: str) -> dict[str, str]:
    """Return the claim kinds' names in the bank's language (for fact-or-opinion choices)."""
    with force_locale(language):
        return {kind: kind_label(kind) for kind in CLAIM_KINDS}
