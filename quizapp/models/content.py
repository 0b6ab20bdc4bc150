"""Articles, their claims, question banks and versioned questions."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.users import utcnow

CLAIM_KINDS = ("fact", "claim", "opinion", "quote", "prediction")
VERDICTS = ("true", "partly", "misleading", "false", "unverifiable")


class Article(db.Model):
    """A source text as ingested; `text` is kept exactly as written."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), default="de")
    published_on: Mapped[date | None]
    source_name: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(500))
    # What is known of the text's origin (author, outlet, first publication), from the seed.
    origin: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claims: Mapped[list["Claim"]] = relationship(back_populates="article", order_by="Claim.start")


class Claim(db.Model):
    """A statement of an article, tagged by kind, with its verbatim quote and verdict."""

    __table_args__ = (UniqueConstraint("article_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    quote: Mapped[str] = mapped_column(Text)
    # Character offsets of the quote in Article.text (start inclusive, end exclusive).
    start: Mapped[int]
    end: Mapped[int]
    speaker: Mapped[str | None] = mapped_column(String(200))
    verdict: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    checked_on: Mapped[date | None]
    # For opinions: documented counter-positions, each {text, source: {url, title}}.
    counter_positions: Mapped[list] = mapped_column(JSON, default=list)

    article: Mapped[Article] = relationship(back_populates="claims")


class Bank(db.Model):
    """A question bank about one article, imported from questions/<slug>.yaml."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), default="de")
    description: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship()
    questions: Mapped[list["Question"]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class Question(db.Model):
    """A question's stable identity in a bank; its gradable content lives in versions."""

    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    key: Mapped[str] = mapped_column(String(60))
    # None only for an imported draft that is not yet tied to a claim of the article.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    # draft | published | retired (removed from the bank file; kept for history)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    position: Mapped[int] = mapped_column(default=0)
    difficulty: Mapped[int] = mapped_column(default=1)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True)
    )

    bank: Mapped[Bank] = relationship(back_populates="questions")
    claim: Mapped[Claim | None] = relationship()
    current: Mapped["QuestionVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class QuestionVersion(db.Model):
    """One immutable version of a question's gradable content; responses point here."""

    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(24))
    # text | world | correction | classify | reflect: what the answer key is about.
    asks: Mapped[str] = mapped_column(String(16), default="text")
    prompt: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id])
