"""Forms of the authoring area: article, claim, bank, co-author and one form per question type.

The forms only collect input; the authoring service checks it with the bank file's rules.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.forms import strip
from quizapp.labels import KIND_LABELS, VERDICT_LABELS
from quizapp.models import QuestionVersion
from quizapp.services.authoring import cloze_from_marked, cloze_to_marked


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


LANGUAGE_CHOICES = choices([("de", _l("German")), ("en", _l("English"))])
ASKS_CHOICES = choices(
    [
        ("text", _l("what the article says (the prompt says so: „Laut dem Artikel …“)")),
        ("world", _l("a fact about the world (only for claims checked as true)")),
        ("correction", _l("the correction of a wrong claim")),
        ("classify", _l("the kind of a statement (fact or opinion)")),
        ("reflect", _l("nothing: an unscored reflection")),
    ]
)


def _int(value: str | None, default: int | None = None):
    """Read a whole number, or keep the text for the validator to name."""
    value = (value or "").strip()
    if not value:
        return default
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def _number(value: str | None):
    """Read a number written with a decimal comma or point; keep other text for the validator."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    candidate = value.replace(",", ".")
    try:
        number = float(candidate)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in candidate else number


def _lines(value: str | None) -> list[str]:
    """Return the non-empty lines of a text area."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _words(value: str | None) -> list[str]:
    """Split a comma-separated list."""
    return [word.strip() for word in (value or "").split(",") if word.strip()]


class Rows(FieldList):
    """A fixed number of numbered rows, read as sent: an empty row in the middle stays
    empty (WTForms' FieldList would renumber the rows and repeat the last one)."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Read rows 0 … min_entries-1 from the form; else fill from data as usual."""
        if formdata is None or not any(key.startswith(f"{self.name}-") for key in formdata):
            super().process(formdata, data, extra_filters)
            return
        self.entries = []
        for index in range(self.min_entries):
            self._add_entry(formdata, index=index)
        self.last_index = self.min_entries - 1


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ArticleForm(FlaskForm):
    """A new article: pasted text or an uploaded .txt, .md or .html file, with its details."""

    title = StringField(_l("Title"), filters=[strip])
    outlet = StringField(_l("Outlet (newspaper, website)"), filters=[strip])
    author = StringField(_l("Author"), filters=[strip])
    published_on = DateField(_l("Date of the article"), validators=[Optional()])
    url = StringField(_l("Link to the article"), filters=[strip])
    language = SelectField(
        _l("Language"), validate_choice=False, choices=LANGUAGE_CHOICES, default="de"
    )
    fmt = RadioField(
        _l("The pasted text is"),
        validate_choice=False,
        choices=choices(
            [
                ("txt", _l("plain text")),
                ("md", _l("Markdown")),
                ("html", _l("HTML")),
            ]
        ),
        default="txt",
    )
    text = TextAreaField(_l("Text of the article"))
    file = FileField(_l("… or upload a file (.txt, .md, .html)"))


def _source_lines(value: str | None) -> list[dict]:
    """Read sources written one per line: the address, a space, then the title."""
    sources = []
    for line in _lines(value):
        url, _, title = line.partition(" ")
        sources.append({"url": url, "title": title.strip()} if title.strip() else {"url": url})
    return sources


def _counter_lines(value: str | None) -> list[dict]:
    """Read counter-positions written one per line: text | address | title."""
    positions = []
    for line in _lines(value):
        parts = [part.strip() for part in line.split("|")]
        source = {"url": parts[1]} if len(parts) > 1 else {}
        if len(parts) > 2 and parts[2]:
            source["title"] = parts[2]
        positions.append({"text": parts[0], "source": source})
    return positions


class ClaimForm(FlaskForm):
    """A claim made from a passage of the article."""

    sentence = SelectField(_l("Choose a sentence of the article"), validate_choice=False)
    quote = TextAreaField(_l("Quote (verbatim from the article)"), filters=[strip])
    start = HiddenField()
    end = HiddenField()
    kind = RadioField(
        _l("Kind"),
        validate_choice=False,
        choices=choices([(k, label) for k, label in KIND_LABELS.items()]),
        default="fact",
    )
    speaker = StringField(_l("Who is quoted (for kind quote)"), filters=[strip])
    verdict = SelectField(
        _l("Verdict"),
        validate_choice=False,
        choices=choices(
            [("", VERDICT_LABELS[None])] + [(k, label) for k, label in VERDICT_LABELS.items() if k]
        ),
        default="",
    )
    note = TextAreaField(_l("Note: correction or context"), filters=[strip])
    sources = TextAreaField(_l("Sources"), filters=[strip])
    checked_on = DateField(_l("Checked on"), validators=[Optional()])
    counter_positions = TextAreaField(_l("Counter-positions"), filters=[strip])

    def values(self) -> dict:
        """Return the claim's fields for the service."""
        start, end = _int(self.start.data), _int(self.end.data)
        quote = self.quote.data or ""
        chosen = re.fullmatch(r"(\d+):(\d+)", self.sentence.data or "")
        if not quote and chosen:
            start, end = int(chosen.group(1)), int(chosen.group(2))
        return {
            "quote": quote,
            "start": start if isinstance(start, int) else None,
            "end": end if isinstance(end, int) else None,
            "kind": self.kind.data,
            "speaker": self.speaker.data,
            "verdict": self.verdict.data or None,
            "note": self.note.data,
            "sources": _source_lines(self.sources.data),
            "checked_on": self.checked_on.data,
            "counter_positions": _counter_lines(self.counter_positions.data),
        }


class BankForm(FlaskForm):
    """A new bank, about an article or about none."""

    title = StringField(_l("Title"), filters=[strip])
    article = SelectField(_l("Article"), validate_choice=False)
    language = SelectField(
        _l("Language"), validate_choice=False, choices=LANGUAGE_CHOICES, default="de"
    )
    description = TextAreaField(_l("Description"), filters=[strip])


class CoAuthorForm(FlaskForm):
    """Invite another teacher by email."""

    email = StringField(_l("Email of the teacher"), filters=[strip])


class ImportForm(FlaskForm):
    """Questions from a GIFT, Moodle XML, bank YAML or tab-separated file, added as drafts."""

    file = FileField(_l("File with questions"))
    fmt = SelectField(
        _l("Format"),
        validate_choice=False,
        choices=choices(
            [
                ("gift", _l("GIFT (Moodle, .txt)")),
                ("moodle-xml", _l("Moodle XML (.xml)")),
                ("yaml", _l("Bank file (YAML)")),
                ("tsv", _l("Term and definition separated by a tab (.tsv, .txt)")),
            ]
        ),
        default="gift",
    )
    tsv_as = SelectField(
        _l("Tab-separated lines become"),
        validate_choice=False,
        choices=choices(
            [
                ("matching", _l("one matching question")),
                ("single_choice", _l("single-choice questions")),
            ]
        ),
        default="matching",
    )


class OptionRow(Form):
    """One answer option: text, whether it is right, an optional image."""

    text = StringField(_l("Option"), filters=[strip])
    correct = BooleanField(_l("right"))
    image = FileField(_l("Image (PNG, JPEG, WebP)"))
    image_alt = StringField(_l("Alt text of the image"), filters=[strip])
    image_remove = BooleanField(_l("Remove the image"))


class PairRow(Form):
    """One pair of a matching question."""

    left = StringField(_l("Left"), filters=[strip])
    right = StringField(_l("Right"), filters=[strip])


class QuestionForm(FlaskForm):
    """The fields every question has; each type's form adds its own."""

    TYPE = ""
    claim = SelectField(_l("Claim (source in the article)"), validate_choice=False)
    asks = SelectField(
        _l("The answer key is about"), validate_choice=False, choices=ASKS_CHOICES, default="text"
    )
    prompt = TextAreaField(_l("Prompt (Markdown allowed)"), filters=[strip])
    explanation = TextAreaField(_l("Explanation (Markdown allowed)"), filters=[strip])
    difficulty = SelectField(
        _l("Difficulty"),
        validate_choice=False,
        choices=choices([("1", "1"), ("2", "2"), ("3", "3")]),
    )
    tags = StringField(_l("Tags (separated by commas)"), filters=[strip])
    image = FileField(_l("Image of the question (PNG, JPEG, WebP)"))
    image_alt = StringField(_l("Alt text of the image"), filters=[strip])
    image_remove = BooleanField(_l("Remove the image"))

    def fields(self) -> dict:
        """Return the question's fields in the bank file's format."""
        return {
            "asks": self.asks.data,
            "prompt": self.prompt.data or "",
            "explanation": self.explanation.data or "",
            "difficulty": _int(self.difficulty.data, 1),
            "tags": _words(self.tags.data),
            **self.payload(),
        }

    def payload(self) -> dict:
        """Return the type's own fields (overridden per type)."""
        return {}

    def image_slots(self) -> dict:
        """Return the image slots: name → (file field, alt field, remove field)."""
        return {"image": (self.image, self.image_alt, self.image_remove)}

    def load(self, version: QuestionVersion) -> None:
        """Fill the form from a stored version."""
        question = version.question
        self.asks.data = version.asks
        self.prompt.data = version.prompt
        self.explanation.data = version.explanation
        self.difficulty.data = str(question.difficulty)
        self.tags.data = ", ".join(question.tags or [])
        self.claim.data = question.claim.key if question.claim else ""
        media = version.media or {}
        if media.get("image"):
            self.image_alt.data = media["image"]["alt"]
        self.load_payload(version.payload, media)

    def load_payload(self, payload: dict, media: dict) -> None:
        """Fill the type's own fields (overridden per type)."""


class ChoiceForm(QuestionForm):
    """Options with the right ones ticked."""

    options = Rows(FormField(OptionRow), min_entries=8, max_entries=8)

    def payload(self) -> dict:
        """Options that have a text (or an image) count."""
        return {
            "options": [
                {"text": row.text.data or "", "correct": bool(row.correct.data)}
                for row in self.options
                if row.text.data
            ]
        }

    def image_slots(self) -> dict:
        """The question's image and one per filled option (by its place among them)."""
        slots = super().image_slots()
        filled = [row for row in self.options if row.text.data]
        for index, row in enumerate(filled):
            slots[f"options-{index}"] = (row.image, row.image_alt, row.image_remove)
        return slots

    def load_payload(self, payload: dict, media: dict) -> None:
        """One row per option."""
        images = media.get("options") or {}
        for index, option in enumerate(payload.get("options", [])):
            if index < len(self.options):
                row = self.options[index]
                row.text.data, row.correct.data = option["text"], option.get("correct")
                if str(index) in images:
                    row.image_alt.data = images[str(index)]["alt"]


class SingleChoiceForm(ChoiceForm):
    """Exactly one right option."""

    TYPE = "single_choice"


class MultipleChoiceForm(ChoiceForm):
    """At least one right option."""

    TYPE = "multiple_choice"


class TrueFalseForm(QuestionForm):
    """A statement that is true or false."""

    TYPE = "true_false"
    statement = TextAreaField(_l("Statement (optional)"), filters=[strip])
    solution = RadioField(
        _l("The statement is"),
        validate_choice=False,
        choices=choices([("true", _l("true")), ("false", _l("false"))]),
    )

    def payload(self) -> dict:
        """Statement and solution."""
        solution = {"true": True, "false": False}.get(self.solution.data or "")
        return {"statement": self.statement.data or None, "solution": solution}

    def load_payload(self, payload: dict, media: dict) -> None:
        """Statement and solution."""
        self.statement.data = payload.get("statement")
        self.solution.data = "true" if payload.get("solution") else "false"


class ClozeForm(QuestionForm):
    """A text whose gaps are marked [[answer|other accepted answer]]."""

    TYPE = "cloze"
    text = TextAreaField(_l("Text with gaps"), filters=[strip])
    typo_tolerance = SelectField(
        _l("Typos forgiven per gap"),
        validate_choice=False,
        choices=choices([("0", "0"), ("1", "1"), ("2", "2")]),
        default="0",
    )

    def payload(self) -> dict:
        """The text with {n} placeholders and the gaps' answers."""
        text, gaps = cloze_from_marked(self.text.data or "")
        tolerance = _int(self.typo_tolerance.data, 0)
        return {"text": text, "gaps": [{**gap, "typo_tolerance": tolerance} for gap in gaps]}

    def load_payload(self, payload: dict, media: dict) -> None:
        """Write the gaps back into the text."""
        gaps = payload.get("gaps", [])
        self.text.data = cloze_to_marked(payload.get("text", ""), gaps)
        self.typo_tolerance.data = str(gaps[0].get("typo_tolerance", 0)) if gaps else "0"


class NumericForm(QuestionForm):
    """A number with a tolerance and a unit."""

    TYPE = "numeric"
    solution = StringField(_l("Right value"), filters=[strip])
    tolerance = StringField(_l("Tolerance (±)"), filters=[strip], default="0")
    unit = StringField(_l("Unit"), filters=[strip])

    def payload(self) -> dict:
        """Value, tolerance, unit."""
        return {
            "solution": _number(self.solution.data),
            "tolerance": _number(self.tolerance.data) or 0,
            "unit": self.unit.data or None,
        }

    def load_payload(self, payload: dict, media: dict) -> None:
        """Value, tolerance, unit."""
        self.solution.data = str(payload.get("solution", ""))
        self.tolerance.data = str(payload.get("tolerance", 0))
        self.unit.data = payload.get("unit") or ""


class OrderingForm(QuestionForm):
    """Items in their right order."""

    TYPE = "ordering"
    items = Rows(StringField(_l("Item"), filters=[strip]), min_entries=8, max_entries=8)

    def payload(self) -> dict:
        """The filled items, in order."""
        return {"items": [field.data for field in self.items if field.data]}

    def load_payload(self, payload: dict, media: dict) -> None:
        """One row per item."""
        for index, item in enumerate(payload.get("items", [])[: len(self.items)]):
            self.items[index].data = item


class MatchingForm(QuestionForm):
    """Pairs to match."""

    TYPE = "matching"
    pairs = Rows(FormField(PairRow), min_entries=8, max_entries=8)

    def payload(self) -> dict:
        """The rows with a left or right side."""
        return {
            "pairs": [
                {"left": row.left.data or "", "right": row.right.data or ""}
                for row in self.pairs
                if row.left.data or row.right.data
            ]
        }

    def load_payload(self, payload: dict, media: dict) -> None:
        """One row per pair."""
        for index, pair in enumerate(payload.get("pairs", [])[: len(self.pairs)]):
            self.pairs[index].left.data, self.pairs[index].right.data = pair["left"], pair["right"]


class FactOrOpinionForm(QuestionForm):
    """A sentence of the article to classify."""

    TYPE = "fact_or_opinion"
    statement = TextAreaField(_l("Sentence from the article"), filters=[strip])
    solution = SelectField(
        _l("It is"), validate_choice=False, choices=choices(KIND_LABELS.items()), default="opinion"
    )
    choices = MultiCheckboxField(
        _l("Categories offered"),
        validate_choice=False,
        choices=choices(KIND_LABELS.items()),
        default=["fact", "opinion"],
    )
    markers = StringField(_l("Marker words (separated by commas)"), filters=[strip])

    def fields(self) -> dict:
        """A fact-or-opinion item always asks to classify."""
        return {**super().fields(), "asks": "classify"}

    def payload(self) -> dict:
        """Statement, solution, choices, markers."""
        return {
            "statement": self.statement.data or "",
            "solution": self.solution.data,
            "choices": list(self.choices.data or []),
            "markers": _words(self.markers.data),
        }

    def load_payload(self, payload: dict, media: dict) -> None:
        """Statement, solution, choices, markers."""
        self.statement.data = payload.get("statement", "")
        self.solution.data = payload.get("solution")
        self.choices.data = payload.get("choices", ["fact", "opinion"])
        self.markers.data = ", ".join(payload.get("markers", []))


class ReflectionForm(QuestionForm):
    """An unscored free-text answer."""

    TYPE = "reflection"
    min_words = StringField(_l("At least this many words (optional)"), filters=[strip], default="0")

    def fields(self) -> dict:
        """A reflection asks for nothing to grade."""
        return {**super().fields(), "asks": "reflect"}

    def payload(self) -> dict:
        """The minimum number of words."""
        return {"min_words": _int(self.min_words.data, 0)}

    def load_payload(self, payload: dict, media: dict) -> None:
        """The minimum number of words."""
        self.min_words.data = str(payload.get("min_words", 0))


FORMS: dict[str, type[QuestionForm]] = {
    form.TYPE: form
    for form in (
        SingleChoiceForm,
        MultipleChoiceForm,
        TrueFalseForm,
        ClozeForm,
        NumericForm,
        OrderingForm,
        MatchingForm,
        FactOrOpinionForm,
        ReflectionForm,
    )
}
