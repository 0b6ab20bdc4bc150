"""The bank file format (questions/README.md) as pydantic models: bank, claims, question types."""

import re
from collections import Counter
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from quizapp.grading import GAP
from quizapp.models.content import CLAIM_KINDS, VERDICTS

ASKS = ("text", "world", "correction", "classify", "reflect")
LANGUAGES = ("de", "en")
STATUSES = ("draft", "published")

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CLAIM_KEY = r"^[A-Za-z0-9_-]+$"
URL = r"^https?://\S+$"
# What a pattern means, for messages.
PATTERN_HELP = {
    SLUG: "may use only a-z, 0-9 and single hyphens",
    CLAIM_KEY: "may use only letters, digits, _ and -",
    URL: "must be a web address starting with http:// or https://",
}
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=120)]
ClaimKey = Annotated[str, StringConstraints(pattern=CLAIM_KEY, max_length=40)]
QuestionKey = Annotated[str, StringConstraints(pattern=SLUG, max_length=60)]
Url = Annotated[str, StringConstraints(pattern=URL, max_length=500)]
Kind = Literal[CLAIM_KINDS]


def _not_blank(value: str) -> str:
    """Reject text that is empty or only whitespace."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _string(value: Any) -> str:
    """Accept only strings (YAML turns unquoted 1990 or yes into numbers and booleans)."""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_yaml_type(value)} (put it in quotation marks)")
    return value


def _yaml_type(value: Any) -> str:
    """Name a YAML value's type for messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _tag(value: str) -> str:
    """A tag is a short non-empty text."""
    if not value.strip() or len(value) > 60:
        raise ValueError("a tag needs 1 to 60 characters")
    return value


def _number(value: Any) -> int | float:
    """Accept an int or float (not a boolean, not a string)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, not {_yaml_type(value)}")
    return value


def _verdict(value: Any) -> Any:
    """Accept an unquoted YAML true/false as the verdicts "true"/"false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _date(value: Any) -> Any:
    """Accept a quoted ISO date as well as YAML's unquoted one."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be a date written YYYY-MM-DD") from None
    return value


Text = Annotated[str, BeforeValidator(_string), AfterValidator(_not_blank)]
Tag = Annotated[str, BeforeValidator(_string), AfterValidator(_tag)]
Number = Annotated[int | float, PlainValidator(_number)]
Verdict = Annotated[Literal[VERDICTS] | None, BeforeValidator(_verdict)]
CheckedOn = Annotated[date | None, BeforeValidator(_date)]


class Strict(BaseModel):
    """A part of the file: unknown fields are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Source(Strict):
    """A source: URL and title."""

    url: Url
    title: Text


class CounterPosition(Strict):
    """A documented counter-position to an opinion, with its source."""

    text: Text
    source: Source


class BankMeta(Strict):
    """The `bank:` section."""

    slug: Slug
    title: Text
    language: Literal[LANGUAGES] = "de"
    article: Slug
    description: Text | None = None


class ClaimSpec(Strict):
    """One claim of the article: kind, verbatim quote and, where checked, verdict and sources."""

    key: ClaimKey
    kind: Kind
    quote: Text
    speaker: Text | None = None
    verdict: Verdict = None
    note: Text | None = None
    sources: list[Source] = []
    checked_on: CheckedOn = None
    counter_positions: list[CounterPosition] = []


class Option(Strict):
    """A choice option."""

    text: Text
    correct: bool
    feedback: Text | None = None


class Gap(Strict):
    """A cloze gap: accepted answers and how many typos are forgiven."""

    answers: list[Text] = Field(min_length=1)
    typo_tolerance: int = Field(0, ge=0, le=2)


class Pair(Strict):
    """A matching pair."""

    left: Text
    right: Text


def _unique(values: list[str], what: str) -> list[str]:
    """Reject repeated entries (learners answer by text-derived ids)."""
    repeated = [text for text, count in Counter(values).items() if count > 1]
    if repeated:
        raise ValueError(f"{what} must be different from each other; repeated: {repeated[0]!r}")
    return values


class QuestionSpec(Strict):
    """The fields every question has; subclasses add their type's own fields (the payload)."""

    TYPE: ClassVar[str] = ""
    PAYLOAD: ClassVar[tuple[str, ...]] = ()

    key: QuestionKey
    claim: ClaimKey | None = None  # a published question needs one; an imported draft may lack it
    type: str
    asks: Literal[ASKS]
    status: Literal[STATUSES] = "published"
    difficulty: int = Field(1, ge=1, le=3)
    tags: list[Tag] = []
    prompt: Text
    explanation: str = ""

    def payload(self) -> dict:
        """Return the type's own fields as stored in QuestionVersion.payload."""
        return self.model_dump(include=set(self.PAYLOAD), exclude_none=True, mode="json")


class SingleChoice(QuestionSpec):
    """Exactly one right option."""

    TYPE = "single_choice"
    PAYLOAD = ("options",)
    options: list[Option] = Field(min_length=2, max_length=8)

    @field_validator("options")
    @classmethod
    def _one_right(cls, options: list[Option]) -> list[Option]:
        """Exactly one option is correct and no option repeats."""
        right = sum(o.correct for o in options)
        if right != 1:
            raise ValueError(f"a single_choice needs exactly one correct option, not {right}")
        _unique([o.text for o in options], "options")
        return options


class MultipleChoice(QuestionSpec):
    """At least one right option."""

    TYPE = "multiple_choice"
    PAYLOAD = ("options",)
    options: list[Option] = Field(min_length=2, max_length=8)

    @field_validator("options")
    @classmethod
    def _some_right(cls, options: list[Option]) -> list[Option]:
        """At least one option is correct and no option repeats."""
        if not any(o.correct for o in options):
            raise ValueError("a multiple_choice needs at least one correct option")
        _unique([o.text for o in options], "options")
        return options


class TrueFalse(QuestionSpec):
    """A statement that is true or false."""

    TYPE = "true_false"
    PAYLOAD = ("statement", "solution")
    statement: Text | None = None
    solution: bool


class Cloze(QuestionSpec):
    """A text with gaps {1}, {2}, …"""

    TYPE = "cloze"
    PAYLOAD = ("text", "gaps")
    text: Text
    gaps: list[Gap] = Field(min_length=1)

    @field_validator("gaps")
    @classmethod
    def _gaps_match_text(cls, gaps: list[Gap], info: ValidationInfo) -> list[Gap]:
        """The text names each gap {1}…{n} exactly once, one per entry of gaps."""
        text = info.data.get("text")
        if text is None:
            return gaps
        numbers = [int(n) for n in GAP.findall(text)]
        wanted = list(range(1, len(gaps) + 1))
        if sorted(numbers) != wanted:
            found = ", ".join(f"{{{n}}}" for n in numbers) or "none"
            raise ValueError(
                f"{len(gaps)} gap(s) need the placeholders "
                f"{', '.join(f'{{{n}}}' for n in wanted)} once each in the text; found: {found}"
            )
        return gaps


class Numeric(QuestionSpec):
    """A number with a tolerance and an optional unit."""

    TYPE = "numeric"
    PAYLOAD = ("solution", "tolerance", "unit")
    solution: Number
    tolerance: Number = 0
    unit: Text | None = None

    @field_validator("tolerance")
    @classmethod
    def _not_negative(cls, tolerance: int | float) -> int | float:
        """A tolerance is ≥ 0."""
        if tolerance < 0:
            raise ValueError("must be 0 or more")
        return tolerance


class Ordering(QuestionSpec):
    """Items in their right order."""

    TYPE = "ordering"
    PAYLOAD = ("items",)
    items: list[Text] = Field(min_length=2, max_length=8)

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: list[str]) -> list[str]:
        """Items are told apart by their text."""
        return _unique(items, "items")


class Matching(QuestionSpec):
    """Pairs to match."""

    TYPE = "matching"
    PAYLOAD = ("pairs",)
    pairs: list[Pair] = Field(min_length=2, max_length=8)

    @field_validator("pairs")
    @classmethod
    def _distinct(cls, pairs: list[Pair]) -> list[Pair]:
        """Left sides are told apart by their text; a right side may take several left sides
        (sorting into categories), but at least two different right sides are offered."""
        _unique([p.left for p in pairs], "left sides")
        if len({p.right for p in pairs}) < 2:
            raise ValueError("offer at least two different right sides")
        return pairs


class FactOrOpinion(QuestionSpec):
    """A sentence of the article to classify by kind."""

    TYPE = "fact_or_opinion"
    PAYLOAD = ("statement", "solution", "choices", "markers")
    statement: Text
    solution: Kind
    choices: list[Kind] = Field(default=["fact", "opinion"], min_length=2, validate_default=True)
    markers: list[Text] = []

    @field_validator("choices")
    @classmethod
    def _solution_offered(cls, choices: list[str], info: ValidationInfo) -> list[str]:
        """Choices don't repeat and include the solution."""
        _unique(choices, "choices")
        solution = info.data.get("solution")
        if solution is not None and solution not in choices:
            raise ValueError(f"the solution '{solution}' must be one of the choices")
        return choices


class Reflection(QuestionSpec):
    """An unscored free-text reflection."""

    TYPE = "reflection"
    PAYLOAD = ("min_words",)
    min_words: int = Field(0, ge=0)


QUESTION_TYPES: dict[str, type[QuestionSpec]] = {
    model.TYPE: model
    for model in (
        SingleChoice,
        MultipleChoice,
        TrueFalse,
        Cloze,
        Numeric,
        Ordering,
        Matching,
        FactOrOpinion,
        Reflection,
    )
}


def payload_fields(question_type: str) -> tuple[str, ...]:
    """Return the payload field names of a question type, in file order."""
    return QUESTION_TYPES[question_type].PAYLOAD


def tidy_message(message: str) -> str:
    """Drop pydantic's 'Value error, ' prefix from messages of our own validators."""
    return re.sub(r"^(Value|Assertion) error, ", "", message)
