"""Import questions from a file (GIFT, Moodle XML, our YAML, TSV) into a bank, as drafts.

All or nothing: a file with any error stores nothing and the ServiceError names its line.
"""

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, insert, select, update

from quizapp.banks.foreign import (
    Draft,
    Note,
    ReadError,
    ReadResult,
    Skipped,
    checked,
    proposed_key,
    recognise_kinds,
    unique_key,
)
from quizapp.banks.importer import content_hash
from quizapp.banks.interchange import kind_names
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Bank, Claim, Question, QuestionVersion

FORMATS = ("gift", "moodle-xml", "yaml", "tsv")
TSV_AS = ("matching", "single_choice")
# A larger file is refused before it is read (config QUESTION_IMPORT_MAX_BYTES).
MAX_BYTES = 4 * 1024 * 1024


@dataclass
class ImportedQuestion:
    """A question the import stored: its key, our type, the line it came from, what was lost."""

    key: str
    type: str
    line: int
    notes: list[Note] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import stored (as drafts) and which entries of the file it skipped."""

    bank: str
    file: str
    format: str
    questions: list[ImportedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def bank_by_slug(slug: str) -> Bank:
    """Return the bank with this slug or raise ServiceError('bank_not_found')."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        raise ServiceError("bank_not_found", "bank", slug=slug)
    return bank


def decode(data: bytes, filename: str) -> str:
    """Return a file's text: UTF-8 (a BOM is dropped), newlines as \\n; refuse anything else."""
    limit = current_app.config.get("QUESTION_IMPORT_MAX_BYTES", MAX_BYTES)
    if len(data) > limit:
        raise ServiceError("file_too_large", "file", file=filename, limit_kb=limit // 1024)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ServiceError("not_utf8", "file", file=filename, line=1, encoding="UTF-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceError(
            "not_utf8", "file", file=filename, line=line, encoding="Latin-1"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ServiceError("binary_file", "file", file=filename, line=line)
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read(text: str, fmt: str, bank: Bank, tsv_as: str) -> ReadResult:
    """Read the text in a format into drafts (ReadError on malformed input)."""
    from quizapp.banks import gift_reader, moodle_xml_reader, tsv_reader, yaml_reader

    if fmt == "gift":
        return gift_reader.read_gift(text, bank.language)
    if fmt == "moodle-xml":
        return moodle_xml_reader.read_moodle_xml(text, bank.language)
    if fmt == "yaml":
        return yaml_reader.read_yaml(text)
    return tsv_reader.read_tsv(text, tsv_as, bank.language)


def import_questions(
    bank: Bank, filename: str, data: bytes, fmt: str, tsv_as: str = "matching"
) -> ImportReport:
    """Add the questions of a file to a bank as drafts, all or nothing; return the report.

    Raises ServiceError(code, field, file=…, line=…, …) for a file that cannot be imported;
    nothing is stored then.
    """
    if fmt not in FORMATS:
        raise ServiceError("unknown_format", "format", format=fmt)
    if tsv_as not in TSV_AS:
        raise ServiceError("unknown_tsv_as", "tsv_as", tsv_as=tsv_as)
    text = decode(data, filename)
    try:
        found = read(text, fmt, bank, tsv_as)
        if not found.drafts:
            raise ReadError("no_questions", 1)
        claims = _claims(bank)
        taken = set(db.session.scalars(select(Question.key).where(Question.bank_id == bank.id)))
        specs = []
        names = kind_names(bank.language)
        for number, draft in enumerate(found.drafts, start=1):
            if fmt in ("gift", "moodle-xml"):
                recognise_kinds(draft, names)
            if draft.claim is not None and draft.claim not in claims:
                draft.note("claim", claim=draft.claim)
                draft.claim = None
            wanted = proposed_key(draft, number)
            key = unique_key(wanted, taken)
            if draft.title and key != wanted:
                draft.note("key_changed", wanted=wanted, key=key)
            specs.append((draft, checked(draft, key)))
    except ReadError as error:
        raise ServiceError(
            error.code, error.field, file=filename, line=error.line, **error.params
        ) from None
    report = ImportReport(bank.slug, filename, fmt, skipped=found.skipped)
    try:
        _store(bank, specs, claims, report)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _claims(bank: Bank) -> dict[str, Claim]:
    """The claims of the bank's article by key (imported questions may name one)."""
    return {
        c.key: c
        for c in db.session.scalars(select(Claim).where(Claim.article_id == bank.article_id))
    }


def _store(bank: Bank, specs: list, claims: dict[str, Claim], report: ImportReport) -> None:
    """Write the questions after the bank's last one, each with a first version (no commit).

    Rows go in three bulk statements (questions, versions, current version), so a file of
    thousands of questions takes seconds.
    """
    last = db.session.scalar(select(func.max(Question.position)).where(Question.bank_id == bank.id))
    start = 0 if last is None else last + 1
    question_ids = db.session.scalars(
        insert(Question).returning(Question.id, sort_by_parameter_order=True),
        [
            {
                "bank_id": bank.id,
                "key": spec.key,
                "claim_id": claims[spec.claim].id if spec.claim else None,
                "status": "draft",
                "position": start + index,
                "difficulty": spec.difficulty,
                "tags": list(spec.tags),
            }
            for index, (_, spec) in enumerate(specs)
        ],
    ).all()
    versions = []
    for question_id, (draft, spec) in zip(question_ids, specs, strict=True):
        payload = spec.payload()
        versions.append(
            {
                "question_id": question_id,
                "number": 1,
                "type": spec.type,
                "asks": spec.asks,
                "prompt": spec.prompt,
                "payload": payload,
                "explanation": spec.explanation,
                "content_hash": content_hash(spec.type, spec.asks, spec.prompt, payload),
            }
        )
        report.questions.append(ImportedQuestion(spec.key, spec.type, draft.line, draft.notes))
    version_ids = db.session.scalars(
        insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True),
        versions,
    ).all()
    db.session.execute(
        update(Question),
        [
            {"id": question_id, "current_version_id": version_id}
            for question_id, version_id in zip(question_ids, version_ids, strict=True)
        ],
    )


__all__ = ["Draft", "ImportReport", "ImportedQuestion", "import_questions"]
