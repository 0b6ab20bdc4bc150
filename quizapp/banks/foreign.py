"""What the question readers (GIFT, Moodle XML, YAML, TSV) hand to the import: drafts and notes.

A reader turns a file's text into `Draft` questions of our types, each with the line it
starts on and notes on what could not be carried. Malformed input raises `ReadError` with
a code, the line and the field; the import then stores nothing.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from pydantic import ValidationError

from quizapp.banks.schema import QUESTION_TYPES, QuestionSpec, tidy_message

# The prompt of a cloze read from a sentence with a gap and nothing before it.
GAP_PROMPT = {"de": "Ergänze die Lücke.", "en": "Fill in the gap."}
# Our questions' keys: at most 60 characters of a-z, 0-9 and single hyphens.
KEY_MAX = 60
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class ReadError(Exception):
    """Input a reader refuses: a code, the 1-based line, the field and message parameters."""

    def __init__(self, code: str, line: int, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code, self.line, self.field, self.params = code, line, field, params


@dataclass(frozen=True)
class Note:
    """Something of a question that could not be carried (a code and its parameters)."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Draft:
    """One question as read from a file, in our terms, before it is stored."""

    line: int
    type: str
    prompt: str
    payload: dict
    explanation: str = ""
    title: str | None = None  # the file's name for the question, if any (GIFT ::title::)
    asks: str | None = None  # default: reflect for reflections, world otherwise
    claim: str | None = None
    difficulty: int = 1
    tags: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def note(self, code: str, **params: object) -> None:
        """Record something that could not be carried."""
        self.notes.append(Note(code, params))


@dataclass
class Skipped:
    """An entry of the file that became no question (a description, a category), and why."""

    line: int
    note: Note


@dataclass
class ReadResult:
    """What a reader found: the drafts and the entries it skipped."""

    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def slugify(text: str) -> str:
    """Turn a title or prompt into a question key: a-z, 0-9 and single hyphens, ≤ 60 chars."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", text)
    key = ""
    for word in words:
        candidate = f"{key}-{word}" if key else word
        if len(candidate) > KEY_MAX:
            break
        key = candidate
    return key or (words[0][:KEY_MAX] if words else "")


def unique_key(wanted: str, taken: set[str]) -> str:
    """Return the key, or the key with -2, -3 … when it is taken (and take it)."""
    key, number = wanted, 1
    while key in taken:
        number += 1
        suffix = f"-{number}"
        key = wanted[: KEY_MAX - len(suffix)].rstrip("-") + suffix
    taken.add(key)
    return key


def proposed_key(draft: Draft, number: int) -> str:
    """The key a draft asks for: from its title, else from the first words of its prompt."""
    return slugify(draft.title or "") or slugify(" ".join(draft.prompt.split()[:6])) or f"q{number}"


def recognise_kinds(draft: Draft, names: dict[str, str]) -> None:
    """A single choice among the names of claim kinds about a quoted last line („…“) is a
    fact-or-opinion item (as our GIFT and Moodle XML exports write one)."""
    options = draft.payload.get("options") if draft.type == "single_choice" else None
    kinds: dict[str, str] = {}
    for kind, name in names.items():
        # "fact" and "claim" share one name (Tatsachenbehauptung): the item keys "fact".
        kinds.setdefault(name, kind)
    if not options or any(o["text"] not in kinds or "feedback" in o for o in options):
        return
    prompt, _, last = draft.prompt.rpartition("\n")
    if not (prompt.strip() and len(last) > 2 and last[0] == "„" and last[-1] == "“"):
        return
    draft.type, draft.asks, draft.prompt = "fact_or_opinion", "classify", prompt
    draft.payload = {
        "statement": last[1:-1],
        "solution": next(kinds[o["text"]] for o in options if o["correct"]),
        "choices": [kinds[o["text"]] for o in options],
    }


def checked(draft: Draft, key: str) -> QuestionSpec:
    """Validate a draft with its type's model; a refusal names the draft's line and field."""
    model = QUESTION_TYPES.get(draft.type)
    if model is None:
        raise ReadError("unknown_type", draft.line, "type", type=draft.type)
    raw = {
        "key": key,
        "type": draft.type,
        "asks": draft.asks or ("reflect" if draft.type == "reflection" else "world"),
        "status": "draft",
        "difficulty": draft.difficulty,
        "tags": draft.tags,
        "prompt": draft.prompt,
        "explanation": draft.explanation,
        **draft.payload,
    }
    if draft.claim is not None:
        raw["claim"] = draft.claim
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "question"
        raise ReadError(
            "invalid_question",
            draft.line,
            where,
            type=draft.type,
            problem=tidy_message(first["msg"]),
        ) from None
