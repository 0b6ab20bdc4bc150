"""Pure grading: one registry of question types that parse, grade, present and solve answers."""

import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from rapidfuzz.distance import Levenshtein

MAX_TEXT = 5000  # characters in a free-text answer or gap
# TYPES, the nine type names, is derived from the registry at the end of this module.
GAP = re.compile(r"\{(\d+)\}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]+")

# An answer as it arrives, before parse_answer checks it: JSON from the API or the live
# script, or form values (a string, a list from getlist, a dict of fields), or nothing.
RawAnswer = str | int | float | bool | list | dict | None
# An answer as stored after parse_answer: an option id, ids, a bool, a number, texts, pairs.
Answer = str | bool | int | float | list[str] | dict[str, str] | None


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message


class AnswerError(ValueError):
    """A malformed answer; str() is a message for the learner.

    `message` is the English msgid with %(name)s placeholders and `params` their values, so a
    caller can translate (quizapp.presenting.answer_error_text); N_ marks each for extraction.
    """

    def __init__(self, message: str, **params: Any) -> None:
        """Keep the msgid and its parameters; the formatted English text is str(self)."""
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Grade:
    """The result of grading one answer: score 0..1 (None when unscored) and per-part detail."""

    score: float | None
    correct: bool | None
    detail: dict


def item_id(text: str) -> str:
    """Return the public id of an option, an ordering item or a matching right side: derived
    from its text, so it says nothing about the entry's place in the file (authors often put
    the right option first)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def normalise(text: str) -> str:
    """Fold case, umlauts, ß, dashes, spacing and surrounding punctuation for comparing gaps."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().translate(_FOLD)
    text = " ".join(_DASHES.sub(" ", text).split())
    # Quotes, periods and brackets around an answer are not part of it.
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] == "P":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] == "P":
        end -= 1
    return text[start:end].strip()


def _scored(score: float, detail: dict) -> Grade:
    """Build a Grade from a share in 0..1."""
    score = min(1.0, max(0.0, float(score)))
    return Grade(score=score, correct=score == 1.0, detail=detail)


def _index(raw: Any, count: int) -> int:
    """Parse one index (a matching left side) from JSON (int) or a form (digit string)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if text.isascii() and text.isdigit():
        raw = int(text) if len(text) < 10 else count  # longer digit strings are out of range
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise AnswerError(N_("Choose one of the offered options."))
    if not 0 <= raw < count:
        raise AnswerError(N_("That option does not exist."))
    return raw


def _text(raw: Any) -> str:
    """Check a free-text value (an answer or a gap): a string of at most MAX_TEXT characters."""
    if not isinstance(raw, str):
        raise AnswerError(N_("The answer must be text."))
    if len(raw) > MAX_TEXT:
        raise AnswerError(N_("The answer is too long (at most %(max)s characters)."), max=MAX_TEXT)
    return raw.strip()


def _list(raw: Any, message: str) -> list:
    """Accept a JSON list (or tuple, from a form's getlist) and reject anything else."""
    if not isinstance(raw, list | tuple):
        raise AnswerError(message)
    return list(raw)


def _shuffled(entries: list[dict], order_seed: int | None, *, not_as_given: bool) -> list[dict]:
    """Shuffle entries by a seed derived from their sorted texts (plus order_seed), so the
    shown order depends only on the set of entries and reveals nothing about the key.

    With `not_as_given` the entries are never shown in the given order (for orderings and
    matchings, where that order is the key). Choices shuffle freely: never showing the file
    order would itself tell something about where the right option stands.
    """
    texts = sorted(e["text"] for e in entries)
    # Seeded on purpose: the secret is order_seed (drawn with SystemRandom per attempt).
    rng = random.Random("\n".join([str(order_seed), *texts]))  # nosec B311
    shuffled = sorted(entries, key=lambda e: e["text"])
    rng.shuffle(shuffled)
    if not_as_given and len(shuffled) >= 2 and shuffled == entries:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


# --- choices: single_choice and multiple_choice ---------------------------------------------
def _option_ids(p: dict) -> list[str]:
    """The public ids of the options, in file order."""
    return [item_id(o["text"]) for o in p["options"]]


def _right_options(p: dict) -> list[str]:
    """The ids of the correct options, in file order."""
    return [item_id(o["text"]) for o in p["options"] if o.get("correct")]


def _option_id(p: dict, raw: Any) -> str:
    """One of the question's option ids (see item_id)."""
    if not isinstance(raw, str):
        raise AnswerError(N_("Choose one of the offered options."))
    if raw.strip() not in _option_ids(p):
        raise AnswerError(N_("That option does not exist."))
    return raw.strip()


def _parse_single(p: dict, raw: Any) -> str:
    """An option id."""
    if raw is None or raw == "":
        raise AnswerError(N_("Choose an option."))
    return _option_id(p, raw)


def _parse_multiple(p: dict, raw: Any) -> list[str]:
    """Distinct option ids, at least one, in file order."""
    picked = [_option_id(p, r) for r in _list(raw, N_("Choose one or more options."))]
    if not picked:
        raise AnswerError(N_("Choose at least one option."))
    if len(set(picked)) != len(picked):
        raise AnswerError(N_("Each option can be chosen only once."))
    return [i for i in _option_ids(p) if i in picked]


def _option_detail(p: dict, picked: set[str]) -> dict:
    """Per option (in file order): whether it was chosen and whether it is correct."""
    options = [
        {"chosen": item_id(o["text"]) in picked, "correct": bool(o.get("correct"))}
        for o in p["options"]
    ]
    return {"options": options}


def _grade_single(p: dict, answer: str) -> Grade:
    """1 if the chosen option is correct, else 0."""
    return _scored(1.0 if answer in _right_options(p) else 0.0, _option_detail(p, {answer}))


def _grade_multiple(p: dict, answer: list[str]) -> Grade:
    """max(0, right picked − wrong picked) / right total."""
    right = set(_right_options(p))
    picked = set(answer)
    share = max(0, len(picked & right) - len(picked - right)) / len(right)
    return _scored(share, _option_detail(p, picked))


def _present_choices(p: dict, order_seed: int | None) -> dict:
    """Option texts with their public ids; shuffled by a seed, else in alphabetical order.

    Never in the file's order: authors tend to write the right option first.
    """
    options = [{"id": item_id(o["text"]), "text": o["text"]} for o in p["options"]]
    if order_seed is not None:
        return {"options": _shuffled(options, order_seed, not_as_given=False)}
    return {"options": sorted(options, key=lambda o: (o["text"].casefold(), o["text"]))}


# --- true_false -----------------------------------------------------------------------------
def _parse_true_false(p: dict, raw: Any) -> bool:
    """A bool, from JSON or the form strings "true"/"false"."""
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    if not isinstance(raw, bool):
        raise AnswerError(N_("Choose true or false."))
    return raw


def _grade_true_false(p: dict, answer: bool) -> Grade:
    """1 if the answer matches the solution."""
    solution = bool(p["solution"])
    return _scored(1.0 if answer == solution else 0.0, {"chosen": answer})


# --- cloze ----------------------------------------------------------------------------------
def _parse_cloze(p: dict, raw: Any) -> list[str]:
    """One stripped string per gap; at least one gap filled."""
    count = len(p["gaps"])
    gaps = _list(raw, N_("Fill in the gaps."))
    if len(gaps) != count:
        raise AnswerError(N_("Fill in every gap (%(count)s in all)."), count=count)
    gaps = [_text(g) for g in gaps]
    if not any(gaps):
        raise AnswerError(N_("Fill in at least one gap."))
    return gaps


def _gap_right(gap: dict, given: str) -> bool:
    """Whether a typed gap matches an accepted answer within the gap's typo tolerance."""
    typed = normalise(given)
    if not typed:
        return False
    tolerance = int(gap.get("typo_tolerance") or 0)
    return any(
        Levenshtein.distance(typed, normalise(a), score_cutoff=tolerance) <= tolerance
        for a in gap["answers"]
    )


def _grade_cloze(p: dict, answer: list[str]) -> Grade:
    """The share of gaps right."""
    right = [_gap_right(gap, given) for gap, given in zip(p["gaps"], answer, strict=True)]
    detail = {"gaps": [{"given": g, "right": r} for g, r in zip(answer, right, strict=True)]}
    return _scored(sum(right) / len(right), detail)


def _present_cloze(p: dict, order_seed: int | None) -> dict:
    """The text, and its parts: strings and 1-based gap numbers in reading order."""
    parts: list[str | int] = [
        int(piece) if i % 2 else piece for i, piece in enumerate(GAP.split(p["text"]))
    ]
    return {"text": p["text"], "parts": [x for x in parts if x != ""], "gap_count": len(p["gaps"])}


# --- numeric --------------------------------------------------------------------------------
def _parse_numeric(p: dict, raw: Any) -> int | float:
    """A finite number; form strings may use a decimal comma and end with the unit."""
    if isinstance(raw, str):
        text = raw.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
        unit = str(p.get("unit") or "").replace(" ", "")
        if unit and text.lower().endswith(unit.lower()):
            text = text[: -len(unit)]
        if not text:
            raise AnswerError(N_("Enter a number."))
        if len(text) > 50 or not _NUMBER.fullmatch(text):
            raise AnswerError(N_("Enter a number, e.g. 32 or 3,5."))
        raw = float(text.replace(",", "."))
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise AnswerError(N_("Enter a number, e.g. 32 or 3,5."))
    try:
        value = float(raw)
    except OverflowError:  # a JSON integer too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise AnswerError(N_("Enter a number, e.g. 32 or 3,5."))
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _grade_numeric(p: dict, answer: float) -> Grade:
    """1 if within the tolerance (inclusive; float rounding forgiven)."""
    solution, tolerance = float(p["solution"]), float(p.get("tolerance") or 0)
    slack = 1e-9 * max(1.0, abs(solution))
    right = abs(float(answer) - solution) <= tolerance + slack
    return _scored(1.0 if right else 0.0, {"given": answer})


# --- ordering -------------------------------------------------------------------------------
def _parse_ordering(p: dict, raw: Any) -> list[str]:
    """The item ids, each exactly once, in the learner's order."""
    ids = [item_id(t) for t in p["items"]]
    order = _list(raw, N_("Put the items in an order."))
    if any(i in ("", None) for i in order):
        raise AnswerError(N_("Put every item in the order."))
    if any(not isinstance(i, str) for i in order) or not set(order) <= set(ids):
        raise AnswerError(N_("The answer names an item that is not in this question."))
    if len(set(order)) != len(order):
        raise AnswerError(N_("Each item may appear only once."))
    if len(order) != len(ids):
        raise AnswerError(N_("Put every item in the order."))
    return order


def _grade_ordering(p: dict, answer: list[str]) -> Grade:
    """The share of items in their right position."""
    ids = [item_id(t) for t in p["items"]]
    right = [a == i for a, i in zip(answer, ids, strict=True)]
    detail = {"positions": [{"id": a, "right": r} for a, r in zip(answer, right, strict=True)]}
    return _scored(sum(right) / len(ids), detail)


def _present_ordering(p: dict, order_seed: int | None) -> dict:
    """The items shuffled, each with its id."""
    items = [{"id": item_id(t), "text": t} for t in p["items"]]
    return {"items": _shuffled(items, order_seed, not_as_given=True)}


# --- matching -------------------------------------------------------------------------------
def _parse_matching(p: dict, raw: Any) -> dict[str, str]:
    """A right id for every left index, keyed by the index as a string."""
    if not isinstance(raw, dict):
        raise AnswerError(N_("Match each item on the left."))
    ids = {item_id(pair["right"]) for pair in p["pairs"]}
    answer: dict[str, str] = {}
    for key, value in raw.items():
        try:
            index = _index(key, len(p["pairs"]))
        except AnswerError:
            raise AnswerError(
                N_("The answer names an item that is not in this question.")
            ) from None
        if str(index) in answer:
            raise AnswerError(N_("Each item on the left may be matched only once."))
        if value in ("", None):
            raise AnswerError(N_("Match every item on the left."))
        if not isinstance(value, str) or value not in ids:
            raise AnswerError(N_("The answer names a partner that is not in this question."))
        answer[str(index)] = value
    if len(answer) != len(p["pairs"]):
        raise AnswerError(N_("Match every item on the left."))
    return {str(i): answer[str(i)] for i in range(len(p["pairs"]))}


def _grade_matching(p: dict, answer: dict[str, str]) -> Grade:
    """The share of left items matched to their right partner."""
    right = [answer.get(str(i)) == item_id(pair["right"]) for i, pair in enumerate(p["pairs"])]
    detail = {
        "pairs": [{"left": i, "id": answer.get(str(i)), "right": r} for i, r in enumerate(right)]
    }
    return _scored(sum(right) / len(right), detail)


def _present_matching(p: dict, order_seed: int | None) -> dict:
    """Lefts in file order with their index; distinct rights shuffled, each with its id."""
    lefts = [{"index": i, "text": pair["left"]} for i, pair in enumerate(p["pairs"])]
    rights = {item_id(pair["right"]): pair["right"] for pair in p["pairs"]}
    rights_list = [{"id": i, "text": t} for i, t in rights.items()]
    return {"lefts": lefts, "rights": _shuffled(rights_list, order_seed, not_as_given=True)}


# --- fact_or_opinion ------------------------------------------------------------------------
def _choices(p: dict) -> list[str]:
    """The categories offered (default fact and opinion)."""
    return list(p.get("choices") or ["fact", "opinion"])


def _parse_fact_or_opinion(p: dict, raw: Any) -> str:
    """One of the offered categories."""
    if not isinstance(raw, str) or raw.strip().lower() not in _choices(p):
        raise AnswerError(N_("Choose one of the offered categories."))
    return raw.strip().lower()


def _grade_fact_or_opinion(p: dict, answer: str) -> Grade:
    """1 if the category is right."""
    return _scored(1.0 if answer == p["solution"] else 0.0, {"chosen": answer})


# --- reflection -----------------------------------------------------------------------------
def _parse_reflection(p: dict, raw: Any) -> str:
    """Free text, not empty, with at least min_words words."""
    text = _text(raw)
    min_words = int(p.get("min_words") or 0)
    if not text:
        raise AnswerError(N_("Write an answer."))
    if len(text.split()) < min_words:
        raise AnswerError(N_("Write at least %(count)s words."), count=min_words)
    return text


# --- the registry ---------------------------------------------------------------------------
class _Type(NamedTuple):
    """What one question type can do; each function takes the payload first."""

    parse: Callable[[dict, Any], Any]
    grade: Callable[[dict, Any], Grade]
    present: Callable[[dict, int | None], dict]
    solution: Callable[[dict], dict]


_REGISTRY: dict[str, _Type] = {
    "single_choice": _Type(
        _parse_single, _grade_single, _present_choices, lambda p: {"options": _right_options(p)}
    ),
    "multiple_choice": _Type(
        _parse_multiple, _grade_multiple, _present_choices, lambda p: {"options": _right_options(p)}
    ),
    "true_false": _Type(
        _parse_true_false,
        _grade_true_false,
        lambda p, seed: {"statement": p["statement"]} if p.get("statement") else {},
        lambda p: {"value": bool(p["solution"])},
    ),
    "cloze": _Type(
        _parse_cloze,
        _grade_cloze,
        _present_cloze,
        lambda p: {"gaps": [str(g["answers"][0]) for g in p["gaps"]]},
    ),
    "numeric": _Type(
        _parse_numeric,
        _grade_numeric,
        lambda p, seed: {"unit": p["unit"]} if p.get("unit") else {},
        lambda p: {
            "value": p["solution"],
            "unit": p.get("unit") or "",
            "tolerance": p.get("tolerance") or 0,
        },
    ),
    "ordering": _Type(
        _parse_ordering, _grade_ordering, _present_ordering, lambda p: {"order": list(p["items"])}
    ),
    "matching": _Type(
        _parse_matching,
        _grade_matching,
        _present_matching,
        lambda p: {"pairs": [[pair["left"], pair["right"]] for pair in p["pairs"]]},
    ),
    "fact_or_opinion": _Type(
        _parse_fact_or_opinion,
        _grade_fact_or_opinion,
        lambda p, seed: {"statement": p["statement"], "choices": _choices(p)},
        lambda p: {"category": p["solution"], "markers": list(p.get("markers") or [])},
    ),
    "reflection": _Type(
        _parse_reflection,
        lambda p, answer: Grade(score=None, correct=None, detail={"words": len(answer.split())}),
        lambda p, seed: {"min_words": int(p.get("min_words") or 0)},
        lambda p: {},
    ),
}


TYPES = tuple(_REGISTRY)


def _type(qtype: str) -> _Type:
    """Look up a question type; unknown types are a programming error."""
    try:
        return _REGISTRY[qtype]
    except KeyError:
        raise ValueError(f"unknown question type: {qtype!r}") from None


def parse_answer(qtype: str, payload: dict, raw: RawAnswer) -> Answer:
    """Validate a raw answer (JSON or form values) and return its canonical stored form."""
    return _type(qtype).parse(payload, raw)


def grade(qtype: str, payload: dict, answer: Answer) -> Grade:
    """Grade a canonical answer (the output of parse_answer) against the payload's key."""
    return _type(qtype).grade(payload, answer)


def present(qtype: str, payload: dict, *, order_seed: int | None = None) -> dict:
    """The learner's view of the payload before answering: nothing that reveals the key."""
    return _type(qtype).present(payload, order_seed)


def solution(qtype: str, payload: dict) -> dict:
    """The right answer in display form, for feedback once the answer is final."""
    return _type(qtype).solution(payload)
