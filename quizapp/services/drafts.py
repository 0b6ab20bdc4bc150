"""Draft questions from an article: propose them into a bank's review queue, then a teacher
accepts (the draft becomes a draft question of the bank), edits or rejects each.

Every function that changes data commits its own transaction, or changes nothing and raises
ServiceError: empty, binary, too_long, unreadable, not_german, bank_slug,
bank_other_article, unknown_draft, decided, invalid, busy.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp import generate
from quizapp.banks import articles, schema
from quizapp.banks.importer import add_version
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Article,
    Bank,
    Claim,
    DraftProposal,
    Question,
    QuestionVersion,
    User,
    utcnow,
)
from quizapp.services import authoring

# A news article is far below this; a longer text is not an article.
MAX_CHARS = 200_000
_SLUG = re.compile(schema.SLUG)


@dataclass
class ProposeResult:
    """What proposing drafts for a bank did."""

    bank: Bank
    created: int
    sentences: int
    skipped: int
    pending: int


def check_text(raw: bytes) -> str:
    """Return the text of an uploaded or read file, or refuse empty, binary and huge input."""
    if not raw.strip():
        raise ServiceError("empty")
    if b"\x00" in raw[:8192]:
        raise ServiceError("binary")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("binary") from None
    if len(text) > MAX_CHARS:
        raise ServiceError("too_long", limit=MAX_CHARS, size=len(text))
    return text


def default_bank_slug(article: Article) -> str:
    """The slug of the bank a review queue fills when the teacher names none."""
    return f"{article.slug}-entwuerfe"[:120]


def _bank_for(article: Article, slug: str, user: User | None = None) -> Bank:
    """Return the bank with this slug for the article, creating it (no commit).

    A bank created for a teacher is theirs to edit and publish on the authoring pages; a bank
    written in the app by others is refused.
    """
    if not _SLUG.match(slug or "") or len(slug) > 120:
        raise ServiceError("bank_slug", field="bank", slug=slug)
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        title = f"Entwürfe: {article.title}"[:300]
        bank = Bank(slug=slug, title=title, language="de", article_id=article.id)
        bank.owner_id = user.id if user is not None else None
        db.session.add(bank)
        db.session.flush()
    elif bank.article_id != article.id:
        raise ServiceError("bank_other_article", field="bank", slug=slug)
    elif user is not None and bank.owner_id is not None and not authoring.can_edit(bank, user):
        raise ServiceError("bank_not_yours", field="bank", slug=slug)
    return bank


def reviewed_terms() -> list[tuple[str, str]]:
    """Typed names from the published questions of all banks (options and cloze answers)."""
    rows = db.session.execute(
        select(QuestionVersion.type, QuestionVersion.payload)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.status == "published")
    ).all()
    terms: dict[str, str] = {}
    for question_type, payload in rows:
        texts = []
        if question_type in ("single_choice", "multiple_choice"):
            texts = [o.get("text", "") for o in payload.get("options", [])]
        elif question_type == "cloze":
            texts = [a for gap in payload.get("gaps", []) for a in gap.get("answers", [])]
        for text in texts:
            # "Marco Rubio, US-Außenminister" → the name before the comma.
            name = text.split(",")[0].strip()
            kind = generate.term_type(name)
            if kind in ("person", "office", "place", "organisation"):
                terms.setdefault(name, kind)
    return list(terms.items())


def propose(article: Article, bank_slug: str, user: User | None = None) -> ProposeResult:
    """Propose drafts from the article into the bank's review queue; drafts proposed before
    (pending, accepted or rejected) and keys the bank already has are not proposed again.
    A new bank belongs to the teacher who proposes (None: the CLI, a bank like a file's)."""
    if len(article.text) > MAX_CHARS:
        raise ServiceError("too_long", limit=MAX_CHARS, size=len(article.text))
    if not generate.looks_german(article.text):
        raise ServiceError("not_german", article=article.slug)
    try:
        bank = _bank_for(article, bank_slug, user)
        known = set(db.session.scalars(select(DraftProposal.key).where(DraftProposal.bank == bank)))
        known |= set(db.session.scalars(select(Question.key).where(Question.bank == bank)))
        proposal = generate.propose(article.text, reviewed_terms())
        position = db.session.scalar(
            select(func.coalesce(func.max(DraftProposal.position), 0)).where(
                DraftProposal.bank == bank
            )
        )
        created = skipped = 0
        for draft in proposal.drafts:
            if draft.key in known:
                skipped += 1
                continue
            position += 1
            sentence = draft.claim.sentence
            db.session.add(
                DraftProposal(
                    bank_id=bank.id,
                    article_id=article.id,
                    key=draft.key,
                    kind=draft.claim.kind,
                    sentence=sentence.text,
                    start=sentence.start,
                    end=sentence.end,
                    reason=draft.reason,
                    claim=generate.claim_entry(draft.claim)
                    | {"start": draft.claim.start, "end": draft.claim.end},
                    question=draft.question(),
                    position=position,
                )
            )
            created += 1
        db.session.flush()
        result = ProposeResult(bank, created, proposal.sentence_count, skipped, count_pending(bank))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def import_file(
    path: Path, bank_slug: str, language: str | None = None
) -> tuple[articles.ArticleResult, ProposeResult]:
    """Check and import an article file (seed format), then propose drafts into the bank.

    Bad input creates nothing; a text that is not German is imported for hand authoring and
    raises ServiceError("not_german") after the import.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ServiceError("unreadable", reason=error.strerror) from None
    check_text(raw)
    result = articles.import_article(path, language)
    article = articles.article_by_slug(result.slug)
    return result, propose(article, bank_slug)


def article_by_slug(slug: str) -> Article | None:
    """Return an article by slug."""
    return articles.article_by_slug(slug)


def bank_by_slug(slug: str) -> Bank | None:
    """Return a bank by slug."""
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def banks_of(article: Article) -> list[Bank]:
    """The banks about an article."""
    return list(db.session.scalars(select(Bank).where(Bank.article == article).order_by(Bank.slug)))


def pending(bank: Bank) -> list[DraftProposal]:
    """The drafts of a bank that wait for review, in proposal order."""
    return list(
        db.session.scalars(
            select(DraftProposal)
            .where(DraftProposal.bank == bank, DraftProposal.status == "pending")
            .order_by(DraftProposal.position)
        )
    )


def count_pending(bank: Bank) -> int:
    """How many drafts of a bank wait for review."""
    return db.session.scalar(
        select(func.count())
        .select_from(DraftProposal)
        .where(DraftProposal.bank == bank, DraftProposal.status == "pending")
    )


def count_rejected(bank: Bank) -> int:
    """How many drafts of a bank were rejected (and are not proposed again)."""
    return db.session.scalar(
        select(func.count())
        .select_from(DraftProposal)
        .where(DraftProposal.bank == bank, DraftProposal.status == "rejected")
    )


def draft_questions(bank: Bank) -> list[Question]:
    """The bank's questions in status draft, with their claims (the source sentences)."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.bank == bank, Question.status == "draft")
            .order_by(Question.position)
        )
    )


def _pending_of(bank: Bank, proposal_id: int) -> DraftProposal:
    """Return a pending draft of the bank, or refuse."""
    proposal = db.session.get(DraftProposal, proposal_id)
    if proposal is None or proposal.bank_id != bank.id:
        raise ServiceError("unknown_draft")
    if proposal.status != "pending":
        raise ServiceError("decided", status=proposal.status)
    return proposal


def validated(question: dict) -> schema.QuestionSpec:
    """Check a question entry with the bank format's model of its type."""
    model = schema.QUESTION_TYPES.get(question.get("type", ""))
    if model is None:
        raise ServiceError("invalid", detail="type")
    try:
        return model.model_validate(question)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "question"
        message = schema.tidy_message(first["msg"])
        raise ServiceError("invalid", detail=f"{where}: {message}") from None


def accept(bank: Bank, proposal_id: int, user: User, edits: dict | None = None) -> Question:
    """Make a pending draft (with the teacher's edits) a draft question of the bank."""
    try:
        question = _accept(bank, proposal_id, user, edits)
        db.session.commit()
    except IntegrityError:
        # Decided at the same moment by someone else.
        db.session.rollback()
        raise ServiceError("decided", status="accepted") from None
    except BaseException:
        db.session.rollback()
        raise
    return question


def _accept(bank: Bank, proposal_id: int, user: User, edits: dict | None) -> Question:
    """Write one accepted draft (no commit)."""
    proposal = _pending_of(bank, proposal_id)
    entry = dict(proposal.question) | (edits or {})
    spec = validated(entry)
    claim = _claim_for(proposal)
    position = db.session.scalar(
        select(func.coalesce(func.max(Question.position), -1)).where(Question.bank_id == bank.id)
    )
    question = Question(
        bank_id=bank.id,
        key=spec.key,
        claim_id=claim.id,
        status="draft",
        position=position + 1,
        difficulty=spec.difficulty,
        tags=list(spec.tags),
    )
    db.session.add(question)
    db.session.flush()
    add_version(question, spec, spec.payload(), number=1)
    proposal.question = entry
    _decide(proposal, "accepted", user)
    return question


def _claim_for(proposal: DraftProposal) -> Claim:
    """The article's claim the draft stands on, created unchecked if it is new."""
    entry = proposal.claim
    claim = db.session.scalar(
        select(Claim).where(Claim.article_id == proposal.article_id, Claim.key == entry["key"])
    )
    if claim is None:
        claim = Claim(
            article_id=proposal.article_id,
            key=entry["key"],
            kind=entry["kind"],
            quote=entry["quote"],
            start=entry["start"],
            end=entry["end"],
            speaker=entry.get("speaker"),
            note=entry.get("note"),
            sources=[],
            counter_positions=[],
        )
        db.session.add(claim)
        db.session.flush()
    return claim


def _decide(proposal: DraftProposal, status: str, user: User) -> None:
    """Record a decision."""
    proposal.status = status
    proposal.decided_at = utcnow()
    proposal.decided_by_id = user.id


def reject(bank: Bank, proposal_id: int, user: User) -> None:
    """Reject a pending draft; it is remembered and not proposed again."""
    try:
        _decide(_pending_of(bank, proposal_id), "rejected", user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def decide_many(bank: Bank, proposal_ids: list[int], action: str, user: User) -> int:
    """Accept or reject several pending drafts at once (all or nothing); return how many."""
    if action not in ("accept", "reject"):
        raise ServiceError("invalid", detail="action")
    try:
        for proposal_id in proposal_ids:
            if action == "accept":
                _accept(bank, proposal_id, user, None)
            else:
                _decide(_pending_of(bank, proposal_id), "rejected", user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(proposal_ids)
