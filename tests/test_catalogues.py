"""The German catalogues: every count goes through plural forms, nothing is left in English."""

import re

import pytest
from babel.messages.pofile import read_po

from quizapp.i18n import areas, po_path

# A number placeholder followed by a capitalised word is a count of a German noun
# ("%(minutes)d Minuten", "{n} Spieler*innen"): it needs the catalogue's plural forms.
NUMBER = (
    r"(?:%\(\w+\)d|%d"
    r"|%\((?:n|num|count|size|total|max|min|minutes|seconds|days|hours)\)s"
    r"|\{(?:n|num|count|total|score|points|players)\})"
)
COUNTED_NOUN = re.compile(NUMBER + r"[ \u00a0]+[A-ZÄÖÜ]")
# "{n} von {total} haben geantwortet" makes a verb agree with a number: plural forms too.
COUNTED_VERB = re.compile(NUMBER + r"[ \u00a0]+(haben|sind|hat|ist|wird|werden)\b")
# Words that may stay as they are in German (names, abbreviations, formats).
SAME_IN_GERMAN = {
    "quizapp",
    "CSV",
    "xlsx",
    "YAML",
    "GIFT",
    "Moodle XML",
    "PIN",
    "QR",
    "GIFT (Moodle, .txt)",
}


# Singular-only entries whose number is never 1: a fixed limit above one, or an ordinal.
NOT_A_COUNT = {
    "Q%(n)s points": "n is the question's number (column F1 Punkte)",
    "At most %(max)d characters.": "max is a fixed limit of the form",
    "The text has %(size)s characters; an article may have at most %(limit)s.": "size > limit",
    "Enter a time limit from %(min)s to %(max)s minutes, or leave it empty for none.": "max 180",
    "The answer is too long (at most %(max)s characters).": "max is grading's fixed limit",
    "The title is too long (at most %(max)s characters).": "max is the form's fixed limit",
    "A comment has at most %(max)s characters.": "max is the form's fixed limit",
    "At most %(max)s accounts can be made at once.": "max is a fixed limit",
    "The name “%(name)s” is longer than %(max)s characters.": "max is the form's fixed limit",
    "Write at least %(count)s words.": "shown through presenting.COUNTED_ANSWER_ERRORS' plurals",
    "Option %(n)s is right": "n is the option's number in the form",
    "This is too long (at most %(max)s characters).": "max is authoring's fixed limit",
}


def german_entries():
    """Yield (area, message) for every entry of every German catalogue."""
    for area in areas():
        with po_path(area, "de").open("rb") as f:
            catalog = read_po(f, locale="de")
        for message in catalog:
            if message.id:
                yield area, message


def counts_without_plural_forms(entries) -> list[str]:
    """Return the singular-only German entries that put a number before a noun or verb."""
    found = []
    for area, message in entries:
        if isinstance(message.id, tuple | list) or message.id in NOT_A_COUNT:
            continue
        text = message.string or ""
        if COUNTED_NOUN.search(text) or COUNTED_VERB.search(text):
            found.append(f"{area}: {message.id!r} -> {text!r}")
    return found


def left_in_english(entries) -> list[str]:
    """Return the German entries whose text is missing or still the English message id."""
    found = []
    for area, message in entries:
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            found.append(f"{area}: {ids[0]!r} has no German text")
            continue
        for english, german in zip(ids, strings, strict=False):
            words = re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)\w|\{\w+\}", "", english))
            if german == english and len(words) >= 2 and english not in SAME_IN_GERMAN:
                found.append(f"{area}: {english!r} is not translated")
    return found


# A number and its unit stay on one line: "3,5 %" and "10 Minuten" take a non-breaking space.
BREAKABLE_UNIT = re.compile(
    NUMBER.replace("(?:", "(?:%\\(percent\\)s|", 1) + r" (%%|Minuten?\b|min\b)"
)


def units_on_a_new_line(entries) -> list[str]:
    """Return the German entries where a line may break between a number and its unit."""
    found = []
    for area, message in entries:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if any(BREAKABLE_UNIT.search(text or "") for text in strings):
            found.append(f"{area}: {strings[0]!r}")
    return found


def test_german_numbers_keep_their_units_on_the_same_line():
    offenders = units_on_a_new_line(german_entries())
    assert offenders == [], "\n".join(offenders)
    assert units_on_a_new_line([("learn", _Entry("x", "Teilweise richtig (%(percent)s %%)"))])


def test_german_counts_use_plural_forms():
    offenders = counts_without_plural_forms(german_entries())
    assert offenders == [], "\n".join(offenders)


def test_german_catalogues_have_no_english_left():
    offenders = left_in_english(german_entries())
    assert offenders == [], "\n".join(offenders)


# The glossary (translations/README.md): one German word per concept.
OTHER_WORDS = {"bank": re.compile(r"Sammlung", re.IGNORECASE)}


def glossary_slips(entries) -> list[str]:
    """Return the German entries that name a concept by another word than the glossary's."""
    found = []
    for area, message in entries:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for concept, other in OTHER_WORDS.items():
            if any(other.search(text or "") for text in strings):
                found.append(f"{area}: {strings[0]!r} ({concept}: see the glossary)")
    return found


def test_german_catalogues_use_one_word_per_concept():
    offenders = glossary_slips(german_entries())
    assert offenders == [], "\n".join(offenders)
    assert glossary_slips([("progress", _Entry("Bank", "Fragensammlung"))])


class _Entry:
    def __init__(self, id, string):
        self.id, self.string = id, string


@pytest.mark.parametrize(
    "msgid, msgstr",
    [
        ("Time limit: %(minutes)d minutes.", "Zeitlimit: %(minutes)d Minuten."),
        ("{n} players", "{n} Spieler*innen"),
        ("{n} of {total} answered", "{n} von {total} haben geantwortet"),
    ],
)
def test_the_checks_catch_the_slips_from_the_issue(msgid, msgstr):
    assert counts_without_plural_forms([("learn", _Entry(msgid, msgstr))])


def test_the_checks_catch_an_english_leftover():
    assert left_in_english([("learn", _Entry("Start quiz", "Start quiz"))])
    assert left_in_english([("learn", _Entry("Start quiz", ""))])
    assert not left_in_english([("learn", _Entry("Start quiz", "Quiz starten"))])
