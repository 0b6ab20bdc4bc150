"""The schema of each question type: what a valid payload is and what each mistake is called."""

import pytest
import yaml

from quizapp import grading
from quizapp.banks.schema import QUESTION_TYPES
from quizapp.banks.validate import validate_text
from tests.bank_helpers import LOADED_WORDS, SMALL, seed_lookup

HEAD = SMALL.read_text(encoding="utf-8").split("questions:")[0]


def bank_with(question: dict) -> tuple:
    """Validate the small bank's claims with one question (claim C1, asks world by default)."""
    entry = {"key": "x", "claim": "C1", "asks": "world", "prompt": "Frage?", **question}
    text = HEAD + yaml.safe_dump({"questions": [entry]}, allow_unicode=True, sort_keys=False)
    return validate_text(text, "bank.yaml", seed_lookup, LOADED_WORDS)


def options(*flags: bool, texts: list | None = None) -> list[dict]:
    """Options with the given correct flags."""
    texts = texts or [f"Option {i}" for i in range(len(flags))]
    return [{"text": t, "correct": f} for t, f in zip(texts, flags, strict=True)]


def test_the_schema_knows_exactly_the_graded_types():
    assert set(QUESTION_TYPES) == set(grading.TYPES)


VALID = [
    ({"type": "single_choice", "options": options(True, False)}, {"options": options(True, False)}),
    (
        {"type": "multiple_choice", "options": options(True, True, False)},
        {"options": options(True, True, False)},
    ),
    ({"type": "true_false", "solution": False}, {"solution": False}),
    (
        {"type": "cloze", "text": "In {1}.", "gaps": [{"answers": ["Brüssel"]}]},
        {"text": "In {1}.", "gaps": [{"answers": ["Brüssel"], "typo_tolerance": 0}]},
    ),
    (
        {"type": "numeric", "solution": 32.5, "tolerance": 0.5, "unit": "%"},
        {"solution": 32.5, "tolerance": 0.5, "unit": "%"},
    ),
    ({"type": "ordering", "items": ["a", "b"]}, {"items": ["a", "b"]}),
    (
        {"type": "matching", "pairs": [{"left": "a", "right": "1"}, {"left": "b", "right": "2"}]},
        {"pairs": [{"left": "a", "right": "1"}, {"left": "b", "right": "2"}]},
    ),
    ({"type": "reflection", "asks": "reflect"}, {"min_words": 0}),
]


@pytest.mark.parametrize(("question", "payload"), VALID, ids=lambda v: str(v.get("type", "")))
def test_valid_payloads_are_stored_as_the_types_own_fields(question, payload):
    bank, errors = bank_with(question)
    assert errors == []
    assert bank.questions[0].payload() == payload


def test_fact_or_opinion_statement_must_be_quoted_from_the_article():
    statement = "Die NATO ist für Trump anscheinend nur noch dazu da"
    question = {"type": "fact_or_opinion", "asks": "classify", "statement": statement}
    bank, errors = bank_with({**question, "solution": "fact", "markers": ["anscheinend"]})
    assert errors == []
    assert bank.questions[0].payload()["choices"] == ["fact", "opinion"]
    _, errors = bank_with({**question, "statement": "Die NATO ist tot.", "solution": "fact"})
    assert [e.field for e in errors] == ["questions[x].statement"]
    assert "not found verbatim" in errors[0].message


BROKEN = [
    ({"type": "single_choice", "options": options(False, False)}, "options", "not 0"),
    ({"type": "single_choice", "options": options(True)}, "options", "at least 2"),
    ({"type": "single_choice", "options": options(*[False] * 8, True)}, "options", "at most 8"),
    (
        {"type": "single_choice", "options": options(True, False, texts=["A", "A"])},
        "options",
        "repeated: 'A'",
    ),
    (
        {"type": "single_choice", "options": options(True, False, texts=[1990, "B"])},
        "options[0].text",
        "put it in quotation marks",
    ),
    (
        {"type": "single_choice", "options": [{"text": "A", "correct": True}, {"text": "B"}]},
        "options[1].correct",
        "required field is missing",
    ),
    ({"type": "multiple_choice", "options": options(False, False)}, "options", "at least one"),
    ({"type": "true_false", "solution": "ja"}, "solution", "boolean"),
    ({"type": "true_false"}, "solution", "required field is missing"),
    (
        {"type": "cloze", "text": "In {1} und {3}.", "gaps": [{"answers": ["a"]}] * 2},
        "gaps",
        "found: {1}, {3}",
    ),
    (
        {"type": "cloze", "text": "In {1}.", "gaps": [{"answers": ["a"], "typo_tolerance": 3}]},
        "gaps[0].typo_tolerance",
        "less than or equal to 2",
    ),
    (
        {"type": "cloze", "text": "In {1}.", "gaps": [{"answers": []}]},
        "gaps[0].answers",
        "at least 1",
    ),
    ({"type": "numeric", "solution": "32"}, "solution", "must be a number"),
    ({"type": "numeric", "solution": True}, "solution", "must be a number"),
    ({"type": "numeric", "solution": 3, "tolerance": -1}, "tolerance", "0 or more"),
    ({"type": "ordering", "items": ["a", "a"]}, "items", "repeated"),
    (
        {"type": "matching", "pairs": [{"left": "a", "right": "1"}, {"left": "b", "right": "1"}]},
        "pairs",
        "at least two different right sides",
    ),
    (
        {"type": "matching", "pairs": [{"left": "a", "right": "1"}, {"left": "a", "right": "2"}]},
        "pairs",
        "left sides",
    ),
    (
        {
            "type": "fact_or_opinion",
            "asks": "classify",
            "statement": "Die NATO ist für Trump anscheinend nur noch dazu da",
            "solution": "prediction",
        },
        "choices",
        "must be one of the choices",
    ),
    (
        {"type": "fact_or_opinion", "asks": "classify", "statement": "x", "solution": "meinung"},
        "solution",
        "'meinung' is not allowed",
    ),
    ({"type": "reflection", "asks": "reflect", "min_words": -1}, "min_words", "greater than"),
    ({"type": "essay"}, "type", "'essay' is not a question type"),
    ({"type": "true_false", "solution": True, "difficulty": 4}, "difficulty", "less than"),
    ({"type": "true_false", "solution": True, "asks": "maybe"}, "asks", "'maybe' is not allowed"),
    ({"type": "true_false", "solution": True, "key": "X 1"}, None, "a-z, 0-9"),
    ({"type": "true_false", "solution": True, "colour": "red"}, "colour", "unknown field"),
    ({"type": "reflection", "asks": "world"}, "asks", "reflect goes with type reflection"),
    ({"type": "true_false", "solution": True, "asks": "classify"}, "asks", "classify goes"),
]


@pytest.mark.parametrize(("question", "field", "words"), BROKEN)
def test_payload_mistakes_name_their_field(question, field, words):
    _, errors = bank_with(question)
    assert errors, "expected an error"
    expected = f"questions[{question.get('key', 'x')}]" + (f".{field}" if field else ".key")
    assert any(e.field == expected and words in e.message for e in errors), errors
    assert all(e.line > 20 for e in errors)


def test_a_question_without_a_type():
    _, errors = bank_with({"solution": True})
    assert [(e.field, e.message) for e in errors] == [
        ("questions[x].type", "required field is missing")
    ]
