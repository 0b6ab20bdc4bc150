"""Nicknames in a live game: the length and character rules, a word filter, a generator."""

import random
import re
import unicodedata
from functools import cache
from pathlib import Path

from quizapp import names
from quizapp.errors import ServiceError

MIN_LENGTH = 2
MAX_LENGTH = 20
BLOCKED_WORDS = Path(__file__).with_name("blocked_words.txt")
# Unicode letters and digits (\w without the underscore's special role), space, _ - .
_ALLOWED = re.compile(r"^[\w .\-]+$")
# Digits and symbols people use to dodge a word filter.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t"}
)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def clean(raw: str) -> str:
    """Return the nickname as it will be shown: NFKC, spaces collapsed and trimmed."""
    return names.normalise(raw)


def key(nickname: str) -> str:
    """Return the form under which two nicknames count as the same: case and look-alike
    letters folded ("Anna", "anna", Cyrillic "Аnna" are one name)."""
    return names.skeleton(nickname)[:24]


def check(raw: str) -> str:
    """Return the cleaned nickname, or raise ServiceError(length|characters|no_letter|blocked)."""
    nickname = clean(raw)
    if not MIN_LENGTH <= len(nickname) <= MAX_LENGTH:
        raise ServiceError("length", field="nickname")
    if not _ALLOWED.match(nickname) or names.has_invisible(nickname):
        raise ServiceError("characters", field="nickname")
    if not names.has_visible_letter(nickname):
        raise ServiceError("no_letter", field="nickname")
    if is_blocked(nickname):
        raise ServiceError("blocked", field="nickname")
    return nickname


@cache
def _word_lists() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Read blocked_words.txt: (stems blocked anywhere, whole words, allowed exceptions)."""
    anywhere, whole, allowed = set(), set(), []
    for line in BLOCKED_WORDS.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().casefold().translate(_FOLD)
        if not entry:
            continue
        if entry.startswith("="):
            whole.add(entry[1:])
        elif entry.startswith("!"):
            allowed.append(entry[1:])
        else:
            anywhere.add(entry)
    # Longest exceptions first, so "barsch" is removed before a shorter one could match.
    return frozenset(anywhere), frozenset(whole), tuple(sorted(allowed, key=len, reverse=True))


def _letters(word: str) -> str:
    """Fold case, umlauts, accents and leetspeak of one word; keep letters only.

    A word without any letter ("455") is a number, not leetspeak: it yields nothing.
    """
    if not any(c.isalpha() for c in word):
        return ""
    text = unicodedata.normalize("NFKD", word.casefold().translate(_FOLD).translate(_LEET))
    # NFKD splits accents off as combining marks, which are not letters: "é" counts as "e".
    return "".join(c for c in text if c.isalpha())


def is_blocked(nickname: str) -> bool:
    """Return whether a nickname contains an insult from the de/en word list."""
    anywhere, whole, allowed = _word_lists()
    words = [_letters(w) for w in re.split(r"[\s_.\-]+", names.skeleton(nickname)) if w]
    if any(w in whole or w in anywhere for w in words if w):
        return True
    # Spacing or dots must not hide a word: check the letters run together too.
    joined = "".join(words)
    for exception in allowed:
        joined = joined.replace(exception, "|")
    return any(stem in joined for stem in anywhere)


# Adjective stems and animals with their gender, so the German ending agrees.
_ADJECTIVES_DE = (
    "flink",
    "klug",
    "mutig",
    "schlau",
    "wach",
    "fröhlich",
    "ruhig",
    "neugierig",
    "munter",
    "tapfer",
    "freundlich",
    "flott",
    "sonnig",
    "lustig",
    "pfiffig",
    "fleißig",
    "gelassen",
)
_ANIMALS_DE = (
    ("Fuchs", "m"),
    ("Dachs", "m"),
    ("Igel", "m"),
    ("Luchs", "m"),
    ("Biber", "m"),
    ("Pinguin", "m"),
    ("Falke", "m"),
    ("Otter", "m"),
    ("Eule", "f"),
    ("Katze", "f"),
    ("Robbe", "f"),
    ("Libelle", "f"),
    ("Gämse", "f"),
    ("Krähe", "f"),
    ("Pferd", "n"),
    ("Reh", "n"),
    ("Eichhörnchen", "n"),
    ("Zebra", "n"),
    ("Lama", "n"),
    ("Känguru", "n"),
)
_ADJECTIVES_EN = (
    "Swift",
    "Clever",
    "Brave",
    "Calm",
    "Curious",
    "Cheerful",
    "Quick",
    "Bright",
    "Bold",
    "Friendly",
    "Sunny",
    "Lively",
    "Witty",
    "Keen",
    "Steady",
    "Nimble",
    "Merry",
)
_ANIMALS_EN = (
    "Fox",
    "Badger",
    "Hedgehog",
    "Lynx",
    "Beaver",
    "Penguin",
    "Falcon",
    "Otter",
    "Owl",
    "Cat",
    "Seal",
    "Dragonfly",
    "Crow",
    "Horse",
    "Deer",
    "Squirrel",
    "Zebra",
    "Llama",
)
_ENDINGS = {"m": "er", "f": "e", "n": "es"}


def generate(rng: random.Random | None = None, language: str = "de") -> str:
    """Return a friendly nickname such as "Flinker Fuchs" (or "Swift Fox" in English)."""
    rng = rng or random.Random()  # a friendly suggestion, no secret  # nosec B311
    while True:
        if language == "en":
            name = f"{rng.choice(_ADJECTIVES_EN)} {rng.choice(_ANIMALS_EN)}"
        else:
            animal, gender = rng.choice(_ANIMALS_DE)
            name = f"{rng.choice(_ADJECTIVES_DE).capitalize()}{_ENDINGS[gender]} {animal}"
        # Room for " 99" when the name is taken.
        if len(name) <= MAX_LENGTH - 3:
            return name
