"""Import bank files into the database: one transaction per bank, versioned questions."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from quizapp.banks.articles import article_by_slug
from quizapp.banks.schema import ClaimSpec, QuestionSpec
from quizapp.banks.validate import BankError, ValidBank, bank_files, validate_file
from quizapp.extensions import db
from quizapp.models import Article, Bank, Claim, Question, QuestionVersion


class BankImportError(Exception):
    """A bank that was not imported, with every error found in it."""

    def __init__(self, errors: list[BankError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportSummary:
    """What importing one bank changed."""

    bank: str
    file: str
    created: int = 0
    updated: int = 0
    new_versions: int = 0
    retired: int = 0
    unchanged: int = 0
    claims: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        counts = (self.created, self.updated, self.new_versions, self.retired)
        return any(counts) or any(self.claims.values())

    def __str__(self) -> str:
        """One line for the command line."""
        return (
            f"{self.bank}: {self.created} created, {self.updated} updated, "
            f"{self.new_versions} new versions, {self.retired} retired, "
            f"{self.unchanged} unchanged; claims: {self.claims['created']} created, "
            f"{self.claims['updated']} updated"
        )


def stored_article_text(slug: str) -> str | None:
    """Return the text of an imported article (the importer checks quotes against it)."""
    article = article_by_slug(slug)
    return article.text if article else None


def content_hash(question_type: str, asks: str, prompt: str, payload: dict) -> str:
    """Return the SHA-256 of a version's gradable content (type, asks, prompt, payload)."""
    blob = json.dumps(
        {"type": question_type, "asks": asks, "prompt": prompt, "payload": payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def import_paths(
    paths: list[Path], loaded_words: list[str]
) -> list[ImportSummary | BankImportError]:
    """Import each bank file under the paths in its own transaction; return result or error."""
    results: list[ImportSummary | BankImportError] = []
    for path in bank_files(paths):
        try:
            results.append(import_file(path, loaded_words))
        except BankImportError as error:
            results.append(error)
    return results


def import_file(path: Path, loaded_words: list[str]) -> ImportSummary:
    """Validate one bank file against the stored article, then write it in one transaction.

    Any error, found before or while writing, leaves the database as it was.
    """
    try:
        valid, errors = validate_file(path, stored_article_text, loaded_words)
        errors = errors or _conflicts(valid)
        if errors:
            raise BankImportError(errors)
        summary = _write(valid)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def _conflicts(valid: ValidBank) -> list[BankError]:
    """Claims belong to the article: a bank may not change a claim other banks' questions use."""
    article = article_by_slug(valid.meta.article)
    existing = {claim.key: claim for claim in article.claims} if article else {}
    errors = []
    bank = db.session.scalar(select(Bank).where(Bank.slug == valid.meta.slug))
    if bank is not None and bank.owner_id is not None:
        # A teacher's work in the app is never overwritten by a file.
        errors.append(
            BankError(
                valid.file,
                1,
                "bank.slug",
                f"'{valid.meta.slug}' is the slug of a bank written in the app; "
                "give the file's bank another slug",
            )
        )
    for spec in valid.claims:
        claim = existing.get(spec.key)
        if claim is not None and claim.created_by_id is not None:
            if _differs(claim, _claim_values(spec, valid.offsets[spec.key])):
                errors.append(
                    BankError(
                        valid.file,
                        valid.claim_lines.get(spec.key, 1),
                        f"claims[{spec.key}]",
                        f"claim {spec.key} of article '{valid.meta.article}' was marked in "
                        "the app; give the file's claim another key",
                    )
                )
            continue
        if claim is None or not _differs(claim, _claim_values(spec, valid.offsets[spec.key])):
            continue
        others = db.session.scalars(
            select(Bank.slug)
            .join(Question, Question.bank_id == Bank.id)
            .where(Question.claim_id == claim.id, Bank.slug != valid.meta.slug)
            .distinct()
        ).all()
        if others:
            errors.append(
                BankError(
                    valid.file,
                    valid.claim_lines.get(spec.key, 1),
                    f"claims[{spec.key}]",
                    f"article '{valid.meta.article}' already has a different claim "
                    f"{spec.key}, used by bank(s) {', '.join(sorted(others))}; claims belong to "
                    "the article, so give this one a new key or make both files agree",
                )
            )
    return errors


def _differs(row: object, values: dict) -> bool:
    """Whether any of the values differs from the row's attribute."""
    return any(getattr(row, name) != value for name, value in values.items())


def _write(valid: ValidBank) -> ImportSummary:
    """Create or update the bank, its article's claims and its questions (no commit)."""
    meta = valid.meta
    article = article_by_slug(meta.article)
    assert article is not None  # validate_file checked it  # nosec B101
    if article.language != meta.language:
        article.language = meta.language
    summary = ImportSummary(bank=meta.slug, file=valid.file)
    bank = db.session.scalar(select(Bank).where(Bank.slug == meta.slug))
    wanted = {
        "title": meta.title,
        "language": meta.language,
        "description": meta.description,
        "article_id": article.id,
    }
    if bank is None:
        bank = Bank(slug=meta.slug, **wanted)
        db.session.add(bank)
        db.session.flush()
    else:
        _assign(bank, wanted)
    claims = _write_claims(article, valid, summary)
    _write_questions(bank, claims, valid.questions, summary)
    db.session.flush()
    _drop_unused_claims(claims, {spec.key for spec in valid.claims})
    db.session.flush()
    return summary


def _assign(row: object, values: dict) -> bool:
    """Set only the attributes that differ (so an unchanged import writes nothing)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _claim_values(spec: ClaimSpec, offsets: tuple[int, int]) -> dict:
    """Return a claim's column values from its spec."""
    data = spec.model_dump(mode="json")
    return {
        "kind": spec.kind,
        "quote": spec.quote,
        "start": offsets[0],
        "end": offsets[1],
        "speaker": spec.speaker,
        "verdict": spec.verdict,
        "note": spec.note,
        "sources": data["sources"],
        "checked_on": spec.checked_on,
        "counter_positions": data["counter_positions"],
    }


def _write_claims(article: Article, valid: ValidBank, summary: ImportSummary) -> dict[str, Claim]:
    """Upsert the article's claims by key; return all of the article's claims by key."""
    existing = {claim.key: claim for claim in article.claims}
    for spec in valid.claims:
        values = _claim_values(spec, valid.offsets[spec.key])
        claim = existing.get(spec.key)
        if claim is None:
            claim = Claim(article_id=article.id, key=spec.key, **values)
            db.session.add(claim)
            existing[spec.key] = claim
            summary.claims["created"] += 1
        elif _assign(claim, values):
            summary.claims["updated"] += 1
    db.session.flush()
    return existing


def _drop_unused_claims(claims: dict[str, Claim], keep: set[str]) -> None:
    """Delete the article's claims the file no longer has, unless a question still links them
    or a teacher marked them in the app."""
    for key, claim in claims.items():
        if key in keep or claim.created_by_id is not None:  # claims made in the app stay
            continue
        used = db.session.scalar(select(func.count()).where(Question.claim_id == claim.id))
        if not used:
            db.session.delete(claim)


def _write_questions(
    bank: Bank, claims: dict[str, Claim], specs: list[QuestionSpec], summary: ImportSummary
) -> None:
    """Upsert questions by key; changed gradable content makes a new version; retire the rest."""
    existing = {q.key: q for q in db.session.scalars(select(Question).where(Question.bank == bank))}
    for position, spec in enumerate(specs):
        payload = spec.payload()
        values = {
            "claim_id": claims[spec.claim].id if spec.claim else None,
            "status": spec.status,
            "difficulty": spec.difficulty,
            "tags": list(spec.tags),
        }
        question = existing.pop(spec.key, None)
        if question is None:
            question = Question(bank_id=bank.id, key=spec.key, position=position, **values)
            db.session.add(question)
            db.session.flush()
            add_version(question, spec, payload, number=1)
            summary.created += 1
            continue
        # A question that only moved because others came or went counts as unchanged.
        _assign(question, {"position": position})
        meta_changed = _assign(question, values)
        current = question.current
        if current is None or (current.type, current.asks, current.prompt, current.payload) != (
            spec.type,
            spec.asks,
            spec.prompt,
            payload,
        ):
            number = db.session.scalar(
                select(func.max(QuestionVersion.number)).where(
                    QuestionVersion.question_id == question.id
                )
            )
            add_version(question, spec, payload, number=(number or 0) + 1)
            summary.new_versions += 1
        elif _assign(current, {"explanation": spec.explanation}) or meta_changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    for question in existing.values():
        if question.status != "retired":
            question.status = "retired"
            summary.retired += 1


def add_version(question: Question, spec: QuestionSpec, payload: dict, number: int) -> None:
    """Add a version with the spec's content and make it the question's current one."""
    version = QuestionVersion(
        question_id=question.id,
        number=number,
        type=spec.type,
        asks=spec.asks,
        prompt=spec.prompt,
        payload=payload,
        explanation=spec.explanation,
        content_hash=content_hash(spec.type, spec.asks, spec.prompt, payload),
    )
    db.session.add(version)
    db.session.flush()
    question.current = version
