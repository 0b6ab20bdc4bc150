"""Articles, their claims, question banks and versioned questions."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.users import User, utcnow

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
    author: Mapped[str | None] = mapped_column(String(200))
    # What is known of the text's origin (author, outlet, first publication), from the seed.
    origin: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The teacher who added it in the app; None for an article from seeds/.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

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
    # The teacher who marked it in the app; None for a claim from a bank file.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    article: Mapped[Article] = relationship(back_populates="claims")


bank_author = Table(
    "bank_author",
    db.metadata,
    Column("bank_id", ForeignKey("bank.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Bank(db.Model):
    """A question bank, from questions/<slug>.yaml (no owner: read-only in the app) or written
    in the app by its owner and co-authors; about one article, or about none."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), default="de")
    description: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The teacher who owns it; None for a bank from a file in questions/.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("bank.id"))

    article: Mapped[Article | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    co_authors: Mapped[list[User]] = relationship(secondary=bank_author)
    questions: Mapped[list["Question"]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class Question(db.Model):
    """A question's stable identity in a bank; its gradable content lives in versions."""

    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    key: Mapped[str] = mapped_column(String(60))
    # None: a question without a source (only in a bank without an article, or a draft).
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    # draft | published | retired (removed from the bank or retired by its author; kept for
    # history)
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
    # Images: {"image": {"id", "alt"}, "options": {"<index>": {"id", "alt"}}}; None: none.
    media: Mapped[dict | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id])


class Image(db.Model):
    """An uploaded picture, re-encoded (no metadata) and served only as an image."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
