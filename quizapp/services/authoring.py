"""Authoring in the app: articles, claims, banks and questions, with the bank file's rules.

Every check of `flask quiz validate` applies: a claim or question is written as a one-entry
bank document and run through quizapp.banks.validate, whose messages come back per field.
Services own the transaction and raise ServiceError(code, field=…, **params) on refusal;
nothing is stored then.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import yaml
from sqlalchemy import exists, func, or_, select

from quizapp.banks import loaded_words_file
from quizapp.banks.importer import content_hash
from quizapp.banks.quotes import find_quote
from quizapp.banks.schema import LANGUAGES, QUESTION_TYPES, URL
from quizapp.banks.validate import BankError, read_loaded_words, validate_text
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Article,
    Bank,
    Claim,
    Image,
    LiveAnswer,
    Question,
    QuestionVersion,
    Response,
    User,
    bank_author,
)
from quizapp.services.article_text import FORMATS, article_text
from quizapp.services.image_files import clean_image

TITLE_MAX = 300
TEXT_MAX = 200_000
UPLOAD_MAX = 2 * 1024 * 1024
# Where a question without a claim points while it is checked (see _question_document).
_NO_SOURCE = {
    "key": "no-source",
    "kind": "fact",
    "quote": "—",
    "verdict": "true",
    "sources": [{"url": "https://example.org/", "title": "—"}],
    "checked_on": date(2000, 1, 1),
}
_MARKED_GAP = re.compile(r"\[\[(.+?)\]\]")


@dataclass
class ImageInput:
    """An image slot of a question form: new bytes (or None), its alt text, remove it."""

    data: bytes | None = None
    alt: str = ""
    remove: bool = False


# --- who may do what -------------------------------------------------------------------------


def can_edit(bank: Bank, user: User) -> bool:
    """A bank written in the app is edited by its owner and co-authors; a file bank by no one."""
    if bank.owner_id is None or not user.is_authenticated:
        return False
    return bank.owner_id == user.id or any(a.id == user.id for a in bank.co_authors)


def _editable(bank: Bank, user: User) -> None:
    """Refuse when the user may not change the bank."""
    if bank.owner_id is None:
        raise ServiceError("read_only")
    if not can_edit(bank, user):
        raise ServiceError("forbidden")


def my_banks(user: User) -> list[Bank]:
    """Return the banks the user owns or co-authors, by title."""
    co = select(bank_author.c.bank_id).where(bank_author.c.user_id == user.id)
    return list(
        db.session.scalars(
            select(Bank)
            .where(or_(Bank.owner_id == user.id, Bank.id.in_(co)))
            .order_by(Bank.title, Bank.id)
        )
    )


def copyable_banks(user: User) -> list[Bank]:
    """Return the banks of others the user may copy: file banks and banks with published
    questions."""
    published = exists().where(Question.bank_id == Bank.id, Question.status == "published")
    banks = db.session.scalars(
        select(Bank).where(or_(Bank.owner_id.is_(None), published)).order_by(Bank.title, Bank.id)
    )
    return [bank for bank in banks if not can_edit(bank, user)]


def bank_questions(bank: Bank) -> list[Question]:
    """Return all questions of a bank (drafts, published, retired) in bank order."""
    return list(
        db.session.scalars(
            select(Question).where(Question.bank_id == bank.id).order_by(Question.position)
        )
    )


# --- articles --------------------------------------------------------------------------------


def slugify(text: str, limit: int = 80) -> str:
    """Return a slug of a title: a-z, 0-9 and single hyphens (umlauts spelled out)."""
    text = text.casefold().replace("ß", "ss")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")
    return slug or "text"


def _free_slug(model: type[Article] | type[Bank], base: str) -> str:
    """Return base, or base-2, base-3 … whichever is not taken."""
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def text_of_upload(filename: str, data: bytes) -> str:
    """Return the article text of an uploaded .txt, .md or .html file."""
    extension = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    extension = {"markdown": "md", "htm": "html", "text": "txt"}.get(extension, extension)
    if extension not in FORMATS:
        raise ServiceError("file_type", field="file")
    if len(data) > UPLOAD_MAX:
        raise ServiceError("file_too_large", field="file", megabytes=UPLOAD_MAX // 1024 // 1024)
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("file_encoding", field="file") from None
    return article_text(raw, extension)


def add_article(
    title: str,
    text: str,
    *,
    created_by: User | None,
    outlet: str | None = None,
    author: str | None = None,
    published_on: date | None = None,
    url: str | None = None,
    language: str = "de",
    fmt: str = "txt",
) -> Article:
    """Store a new article; `text` is plain text, Markdown or HTML as `fmt` says. Commits."""
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("required", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError("too_long", field="title", max=TITLE_MAX)
    body = article_text(text or "", fmt if fmt in FORMATS else "txt")
    if not body.strip():
        raise ServiceError("required", field="text")
    if len(body) > TEXT_MAX:
        raise ServiceError("too_long", field="text", max=TEXT_MAX)
    url = (url or "").strip() or None
    if url and not re.match(URL, url):
        raise ServiceError("bad_url", field="url")
    if language not in LANGUAGES:
        raise ServiceError("bad_choice", field="language")
    article = Article(
        slug=_free_slug(Article, slugify(title)),
        title=title,
        language=language,
        published_on=published_on,
        source_name=(outlet or "").strip()[:200] or None,
        source_url=url,
        author=(author or "").strip()[:200] or None,
        text=body,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(article)
    db.session.commit()
    return article


# --- claims ----------------------------------------------------------------------------------


def claim_document(claim: Claim) -> dict:
    """Return a stored claim as an entry of a bank file's claims section."""
    entry = {"key": claim.key, "kind": claim.kind, "quote": claim.quote}
    for name in ("speaker", "verdict", "note", "checked_on"):
        if getattr(claim, name) is not None:
            entry[name] = getattr(claim, name)
    if claim.sources:
        entry["sources"] = claim.sources
    if claim.counter_positions:
        entry["counter_positions"] = claim.counter_positions
    return entry


def _check(document: dict, article_text_: str) -> list[BankError]:
    """Run the bank file validator on a one-entry document; return its errors."""
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    words = read_loaded_words(loaded_words_file())
    _, errors = validate_text(text, "(form)", lambda _slug: article_text_, words)
    return errors


def _refuse(errors: list[tuple[str, str]]) -> None:
    """Raise one ServiceError carrying every (field, message) pair, if there are any."""
    if errors:
        raise ServiceError("invalid", field=errors[0][0], errors=errors)


def _claim_field(name: str) -> str:
    """Map a validator field like `claims[T1].sources[0].url` to the claim form's field."""
    match = re.match(r"claims\[[^\]]*\]\.?([a-z_]*)", name)
    return (match.group(1) if match else "") or "quote"


def add_claim(
    article: Article,
    user: User,
    *,
    quote: str,
    kind: str,
    start: int | None = None,
    end: int | None = None,
    speaker: str | None = None,
    verdict: str | None = None,
    note: str | None = None,
    sources: list[dict] | None = None,
    checked_on: date | None = None,
    counter_positions: list[dict] | None = None,
) -> Claim:
    """Mark a passage of an article as a claim, checked by the bank file's rules. Commits.

    The quote is stored verbatim: the selected offsets when they hold exactly the quote,
    else the quote's first occurrence in the text.
    """
    quote = (quote or "").strip()
    taken = set(db.session.scalars(select(Claim.key).where(Claim.article_id == article.id)))
    number = len(taken) + 1
    while f"T{number}" in taken:
        number += 1
    entry = {"key": f"T{number}", "kind": kind, "quote": quote}
    optional = {
        "speaker": (speaker or "").strip() or None,
        "verdict": verdict or None,
        "note": (note or "").strip() or None,
        "checked_on": checked_on,
        "sources": sources or None,
        "counter_positions": counter_positions or None,
    }
    entry.update({k: v for k, v in optional.items() if v is not None})
    document = {
        "bank": {"slug": "form", "title": "form", "language": article.language, "article": "form"},
        "claims": [entry],
        "questions": [],
    }
    _refuse([(_claim_field(e.field), e.message) for e in _check(document, article.text)])
    if start is not None and end is not None and 0 <= start < end <= len(article.text):
        offsets = (start, end) if article.text[start:end].strip() == quote else None
    else:
        offsets = None
    offsets = offsets or find_quote(article.text, quote)
    if offsets is None:  # the validator found it; a changed article text did not keep it
        _refuse([("quote", "The quote does not occur in the article.")])
    claim = Claim(
        article_id=article.id,
        key=entry["key"],
        kind=kind,
        quote=quote,
        start=offsets[0],
        end=offsets[1],
        speaker=optional["speaker"],
        verdict=optional["verdict"],
        note=optional["note"],
        sources=sources or [],
        checked_on=checked_on,
        counter_positions=counter_positions or [],
        created_by_id=user.id,
    )
    db.session.add(claim)
    db.session.commit()
    return claim


# --- banks -----------------------------------------------------------------------------------


def create_bank(
    user: User,
    *,
    title: str,
    article: Article | None = None,
    language: str | None = None,
    description: str | None = None,
) -> Bank:
    """Create an empty bank owned by the user, about an article or about none. Commits."""
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("required", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError("too_long", field="title", max=TITLE_MAX)
    language = language or (article.language if article else "de")
    if language not in LANGUAGES:
        raise ServiceError("bad_choice", field="language")
    bank = Bank(
        slug=_free_slug(Bank, slugify(title)),
        title=title,
        language=language,
        description=(description or "").strip() or None,
        article_id=article.id if article else None,
        owner_id=user.id,
    )
    db.session.add(bank)
    db.session.commit()
    return bank


def copy_bank(bank: Bank, user: User, title: str | None = None) -> Bank:
    """Copy a bank for the user: same article and claims, own questions (published ones; of a
    file bank also its drafts), each with its current content as version 1. The copy is
    independent. Commits."""
    if can_edit(bank, user):
        raise ServiceError("own_bank")
    # Another teacher's drafts are their unfinished work: only a file bank's are copied.
    shared = ("published",) if bank.owner_id is not None else ("published", "draft")
    questions = [q for q in bank_questions(bank) if q.status in shared and q.current]
    if bank.owner_id is not None and not questions:
        raise ServiceError("not_published")
    copy = Bank(
        slug=_free_slug(Bank, f"{bank.slug[:100]}-{slugify(user.display_name, 12)}"),
        title=(title or bank.title)[:TITLE_MAX],
        language=bank.language,
        description=bank.description,
        article_id=bank.article_id,
        owner_id=user.id,
        copied_from_id=bank.id,
    )
    db.session.add(copy)
    db.session.flush()
    for position, question in enumerate(questions):
        twin = Question(
            bank_id=copy.id,
            key=question.key,
            claim_id=question.claim_id,
            status=question.status,
            position=position,
            difficulty=question.difficulty,
            tags=list(question.tags or []),
        )
        db.session.add(twin)
        db.session.flush()
        source = question.current
        _add_version(
            twin,
            1,
            source.type,
            source.asks,
            source.prompt,
            source.payload,
            source.explanation,
            source.media,
        )
    db.session.commit()
    return copy


def add_co_author(bank: Bank, user: User, email: str) -> User:
    """Let another teacher edit the bank (only its owner may). Commits."""
    if bank.owner_id != user.id:
        raise ServiceError("owner_only")
    other = db.session.scalar(
        select(User).where(func.lower(User.email) == (email or "").strip().casefold())
    )
    if other is None or not other.is_teacher:
        raise ServiceError("no_teacher", field="email")
    if other.id != user.id and other not in bank.co_authors:
        bank.co_authors.append(other)
    db.session.commit()
    return other


def remove_co_author(bank: Bank, user: User, other_id: int) -> None:
    """Take a co-author's right to edit away (only the owner may). Commits."""
    if bank.owner_id != user.id:
        raise ServiceError("owner_only")
    bank.co_authors = [a for a in bank.co_authors if a.id != other_id]
    db.session.commit()


# --- questions -------------------------------------------------------------------------------


def cloze_from_marked(text: str) -> tuple[str, list[dict]]:
    """Turn "in [[Brüssel|Brussels]] statt" into "in {1} statt" and its gaps' answers."""
    gaps: list[dict] = []

    def number(match: re.Match) -> str:
        answers = [a.strip() for a in match.group(1).split("|") if a.strip()]
        gaps.append({"answers": answers})
        return "{" + str(len(gaps)) + "}"

    return _MARKED_GAP.sub(number, text or ""), gaps


def cloze_to_marked(text: str, gaps: list[dict]) -> str:
    """Write a cloze's gaps back into its text as [[answer|other answer]]."""

    def answers(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        if 0 <= index < len(gaps):
            return "[[" + "|".join(gaps[index].get("answers", [])) + "]]"
        return match.group(0)

    return re.sub(r"\{(\d+)\}", answers, text or "")


def _question_field(name: str) -> str:
    """Map a validator field like `questions[q1].options[2].text` to the form's field name
    (options-2-text), `claims[…]` to claim and anything else to the form as a whole."""
    if name.startswith("claims"):
        return "claim"
    match = re.match(r"questions\[[^\]]*\]\.?(.*)$", name)
    if not match or not match.group(1):
        return "_form"
    rest = match.group(1)
    top = re.match(r"([a-z_]+)", rest).group(1)
    if top == "gaps":
        return "text"
    if top in ("options", "items", "pairs"):
        parts = re.findall(r"\[(\d+)\]|\.([a-z_]+)", rest[len(top) :])
        return "-".join([top, *(index or attr for index, attr in parts)])
    if top in ("key", "type", "status"):
        return "_form"
    return top


def _answered(version_ids: list[int]) -> bool:
    """Whether anyone answered one of these versions (in a quiz or a live game)."""
    if not version_ids:
        return False
    return bool(
        db.session.scalar(select(func.count()).where(Response.question_version_id.in_(version_ids)))
        or db.session.scalar(select(func.count()).where(LiveAnswer.version_id.in_(version_ids)))
    )


def _version_ids(question: Question) -> list[int]:
    """Return the ids of all versions of a question."""
    return list(
        db.session.scalars(
            select(QuestionVersion.id).where(QuestionVersion.question_id == question.id)
        )
    )


def _add_version(
    question: Question,
    number: int,
    qtype: str,
    asks: str,
    prompt: str,
    payload: dict,
    explanation: str,
    media: dict | None,
) -> QuestionVersion:
    """Add a version and make it the question's current one (no commit)."""
    version = QuestionVersion(
        question_id=question.id,
        number=number,
        type=qtype,
        asks=asks,
        prompt=prompt,
        payload=payload,
        explanation=explanation,
        media=media or None,
        content_hash=_hash(qtype, asks, prompt, payload, media),
    )
    db.session.add(version)
    db.session.flush()
    question.current = version
    return version


def _hash(qtype: str, asks: str, prompt: str, payload: dict, media: dict | None) -> str:
    """The importer's content hash; images count as gradable content too."""
    return content_hash(qtype, asks, prompt, {**payload, "_media": media} if media else payload)


def _media(current: dict | None, images: dict[str, ImageInput], user: User) -> dict:
    """Combine the version's images with the form's: keep, replace, remove, check alt texts."""
    current = current or {}
    slots = {"image": current.get("image")}
    for index, entry in (current.get("options") or {}).items():
        slots[f"options-{index}"] = entry
    for slot, given in images.items():
        if given.remove:
            slots[slot] = None
        elif given.data:
            slots[slot] = {"data": given.data, "alt": given.alt.strip()}
        elif slots.get(slot):
            slots[slot] = {**slots[slot], "alt": given.alt.strip()}
    errors = [
        (f"{slot}-alt" if slot != "image" else "image_alt", "alt_required")
        for slot, entry in slots.items()
        if entry and not entry["alt"]
    ]
    if errors:
        raise ServiceError("alt_required", field=errors[0][0], errors=errors)
    media: dict = {}
    for slot, entry in slots.items():
        if not entry:
            continue
        if "data" in entry:
            field = "image" if slot == "image" else f"{slot}-image"
            clean = clean_image(entry["data"], field=field)
            image = Image(
                owner_id=user.id,
                mime=clean.mime,
                width=clean.width,
                height=clean.height,
                sha256=_sha256(clean.data),
                data=clean.data,
            )
            db.session.add(image)
            db.session.flush()
            entry = {"id": image.id, "alt": entry["alt"]}
        if slot == "image":
            media["image"] = entry
        else:
            media.setdefault("options", {})[slot.split("-", 1)[1]] = entry
    return media


def _sha256(data: bytes) -> str:
    """Return the hex SHA-256 of bytes."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _question_document(bank: Bank, claim: Claim | None, entry: dict) -> tuple[dict, str]:
    """Return a one-question bank document and the text its quotes are checked against.

    A question without a claim is checked against a stand-in claim (a checked fact), so
    every rule that does not depend on the source still applies.
    """
    base = bank.article.text if bank.article else str(entry.get("statement") or "")
    if claim is None:
        claim_entry, text = dict(_NO_SOURCE), f"{base}\n{_NO_SOURCE['quote']}"
    else:
        claim_entry, text = claim_document(claim), claim.article.text
    entry["claim"] = claim_entry["key"]
    document = {
        "bank": {"slug": "form", "title": "form", "language": bank.language, "article": "form"},
        "claims": [claim_entry],
        "questions": [entry],
    }
    return document, text


def save_question(
    bank: Bank,
    user: User,
    *,
    qtype: str,
    fields: dict,
    question: Question | None = None,
    claim: Claim | None = None,
    images: dict[str, ImageInput] | None = None,
) -> Question:
    """Create or change a question after the bank file's checks. Commits.

    `fields` holds asks, prompt, explanation, difficulty, tags and the type's own fields as
    the bank file has them. A draft never answered changes in place; a published (or
    answered) question whose gradable content changes gets a new version, so attempts keep
    the version they were asked.
    """
    _editable(bank, user)
    if qtype not in QUESTION_TYPES:
        raise ServiceError("bad_type")
    if question is not None and (question.bank_id != bank.id or question.status == "retired"):
        raise ServiceError("not_editable")
    if claim is not None and bank.article_id is not None and claim.article_id != bank.article_id:
        raise ServiceError("claim_of_other_article", field="claim")
    if claim is not None and bank.article_id is None:
        raise ServiceError("claim_of_other_article", field="claim")
    key = question.key if question else _free_key(bank)
    entry = {"key": key, "type": qtype, "status": "draft", **fields}
    entry = {k: v for k, v in entry.items() if v is not None}
    document, text = _question_document(bank, claim, entry)
    _refuse([(_question_field(e.field), e.message) for e in _check(document, text)])
    spec = QUESTION_TYPES[qtype].model_validate(document["questions"][0])
    payload = spec.payload()
    try:
        media = _media(
            question.current.media if question and question.current else None, images or {}, user
        )
        if question is None:
            position = db.session.scalar(
                select(func.coalesce(func.max(Question.position) + 1, 0)).where(
                    Question.bank_id == bank.id
                )
            )
            question = Question(bank_id=bank.id, key=key, position=position, status="draft")
            db.session.add(question)
        question.claim_id = claim.id if claim else None
        question.difficulty = spec.difficulty
        question.tags = list(spec.tags)
        db.session.flush()
        _write_version(question, spec, payload, media)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return question


def _write_version(question: Question, spec, payload: dict, media: dict) -> None:
    """Change the current version in place, or add a new one when it must be kept."""
    current = question.current
    new_hash = _hash(spec.type, spec.asks, spec.prompt, payload, media)
    if current is None:
        _add_version(
            question, 1, spec.type, spec.asks, spec.prompt, payload, spec.explanation, media
        )
        return
    if current.content_hash == new_hash:
        current.explanation = spec.explanation
        return
    if question.status == "draft" and not _answered([current.id]):
        current.type, current.asks, current.prompt = spec.type, spec.asks, spec.prompt
        current.payload, current.explanation = payload, spec.explanation
        current.media, current.content_hash = media or None, new_hash
        return
    number = db.session.scalar(
        select(func.max(QuestionVersion.number)).where(QuestionVersion.question_id == question.id)
    )
    _add_version(
        question,
        (number or 0) + 1,
        spec.type,
        spec.asks,
        spec.prompt,
        payload,
        spec.explanation,
        media,
    )


def _free_key(bank: Bank) -> str:
    """Return a question key not yet used in the bank (q1, q2, …)."""
    taken = set(db.session.scalars(select(Question.key).where(Question.bank_id == bank.id)))
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def publish(question: Question, user: User) -> None:
    """Publish a draft; in a bank about an article only once it is tied to one of its claims."""
    bank = question.bank
    _editable(bank, user)
    if question.status != "draft" or question.current is None:
        raise ServiceError("not_draft")
    if bank.article_id is not None and (
        question.claim is None or question.claim.article_id != bank.article_id
    ):
        raise ServiceError("needs_claim", field="claim")
    question.status = "published"
    db.session.commit()


def retire(question: Question, user: User) -> None:
    """Take a published question out of the bank; its answers and versions are kept."""
    _editable(question.bank, user)
    if question.status != "published":
        raise ServiceError("not_published")
    question.status = "retired"
    db.session.commit()


def delete_question(question: Question, user: User) -> None:
    """Delete a draft that was never answered; anything else is retired instead."""
    _editable(question.bank, user)
    ids = _version_ids(question)
    if question.status != "draft" or _answered(ids):
        raise ServiceError("retire_instead")
    question.current_version_id = None
    db.session.flush()
    for version in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids))):
        db.session.delete(version)
    db.session.delete(question)
    db.session.commit()


def _image_ids(media: dict | None) -> set[int]:
    """The ids of the images a version shows (the question's and its options')."""
    if not media:
        return set()
    entries = [media.get("image"), *(media.get("options") or {}).values()]
    return {entry["id"] for entry in entries if isinstance(entry, dict) and "id" in entry}


def visible_image(image_id: int, user: User) -> tuple[Image, bool] | None:
    """Return an image and whether it is public, or None when the user may not see it.

    An image of a question learners can see (published or retired) is public; an image only
    drafts use is seen by the bank's authors and its uploader (others get None, so a 404).
    """
    image = db.session.get(Image, image_id)
    if image is None:
        return None
    rows = db.session.execute(
        select(Question, QuestionVersion.media)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Bank.owner_id.is_not(None))
    ).all()
    users = [question for question, media in rows if image_id in _image_ids(media)]
    if any(question.status != "draft" for question in users):
        return image, True
    own = user.is_authenticated and image.owner_id == user.id
    if own or any(can_edit(question.bank, user) for question in users):
        return image, False
    return None


def check_editable(bank: Bank, user: User) -> None:
    """Raise ServiceError('read_only' / 'forbidden') unless the user may change the bank."""
    _editable(bank, user)
