"""Draft questions proposed from an article, pending or remembered after a teacher's review."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.content import Article, Bank
from quizapp.models.users import utcnow

PROPOSAL_STATUSES = ("pending", "accepted", "rejected")


class DraftProposal(db.Model):
    """One proposed draft for a bank: pending, accepted (now a draft question) or rejected
    (kept so that a second run does not propose it again)."""

    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    # The draft's question key (stable: the same sentence and answer give the same key).
    key: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    kind: Mapped[str] = mapped_column(String(16))
    # The sentence the draft stands on, with its offsets in Article.text.
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int]
    end: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    # Bank-format entries (questions/README.md): the claim and the question.
    claim: Mapped[dict] = mapped_column(JSON)
    question: Mapped[dict] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    bank: Mapped[Bank] = relationship()
    article: Mapped[Article] = relationship()
