"""Names people choose (nicknames, class names): one normal form, look-alikes folded.

- normalise: NFKC (full-width "Ａｎｎａ" and mathematical "𝐀𝐧𝐧𝐚" become "Anna"), spaces
  collapsed and trimmed.
- invisible: characters Unicode marks as default-ignorable (zero-width space, the Hangul
  fillers "ᅠ", …), which make a name look empty or like another.
- skeleton: the form in which look-alike names compare equal and word filters match: case
  folded, and every letter that Unicode's confusables list (UTS #39, through the
  confusable-homoglyphs package) pairs with a Latin letter or digit replaced by it, so
  Cyrillic "Аnna" reads as "anna".
"""

import re
import unicodedata
from functools import cache

from confusable_homoglyphs.confusables import confusables_data

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def normalise(raw: str | None) -> str:
    """Return the name as stored and shown: NFKC, spaces collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFKC", raw or "").split())


def has_invisible(name: str) -> bool:
    """Whether the name holds a character that shows as nothing (default-ignorable)."""
    return _INVISIBLE.search(name) is not None


def has_visible_letter(name: str) -> bool:
    """Whether the name has at least one letter that can be seen."""
    return any(ch.isalpha() for ch in _INVISIBLE.sub("", name))


@cache
def _latin(ch: str) -> str:
    """Return the Latin letter or digit a character can be confused with, else itself."""
    if ch.isascii():
        return ch
    for homoglyph in confusables_data.get(ch, ()):
        candidate = homoglyph["c"]
        if len(candidate) == 1 and candidate.isascii() and candidate.isalnum():
            return candidate
    return ch


def skeleton(name: str) -> str:
    """Return the form under which two names look the same (see the module docstring)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(_latin(ch) for ch in text).casefold()
