"""Distractors of the answer's own type: from the article, the app's banks and the lexicon."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from quizapp.generate.lexicon import MONTHS, lexicon
from quizapp.generate.spans import office_head

_YEAR = re.compile(r"(?:19|20)\d{2}")
_DATE = re.compile(rf"(\d{{1,2}})\.\s?({'|'.join(MONTHS)})(\s(?:19|20)\d{{2}})?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Places named with an article ("die USA", "der Ukraine").
PLACES_WITH_ARTICLE = frozenset(
    ["USA", "Ukraine", "Niederlande", "Schweiz", "Türkei", "Slowakei", "Vereinigten Staaten"]
)
_MONEY = re.compile(r"(\d{1,3}(?:\.\d{3})*(?:,\d+)?)(\s?.*)")


def term_type(text: str, known: dict[str, str] | None = None) -> str | None:
    """Type a standalone term: numbers and dates by form, names by the article or lexicon."""
    text = text.strip()
    if _DATE.fullmatch(text):
        return "date"
    if text in MONTHS:
        return "month"
    if _YEAR.fullmatch(text):
        return "year"
    if _NUMBER.fullmatch(text):
        return "number"
    if re.fullmatch(
        r"\d[\d.,]*\s?(?:Millionen |Milliarden |Mio\. |Mrd\. )?(?:Euro|US-Dollar|Dollar|€)", text
    ):
        return "money"
    if known and text in known:
        return known[text]
    kind = lexicon().type_of(text)
    if kind:
        return kind
    first = text.split()[0]
    if first[:1].isupper() and office_head(first) is not None:
        return "office"
    if first in lexicon().first_names and len(text.split()) >= 2:
        return "person"
    return None


def _fmt(value: float, like: str) -> str:
    """Write a number as the answer is written (decimal comma, thousands dots)."""
    if "," in like:
        decimals = len(like.split(",")[1])
        return f"{value:.{decimals}f}".replace(".", ",")
    number = f"{int(round(value)):,}"
    return number.replace(",", ".") if "." in like else number.replace(",", "")


def _parse(text: str) -> float:
    """Read a German-formatted number."""
    return float(text.replace(".", "").replace(",", "."))


def nearby_numbers(answer: str, kind: str) -> list[str]:
    """Plausible numbers near the answer (years ±1–3, small counts ±1–2, others ±10–50 %)."""
    if kind == "year":
        year = int(answer)
        return [str(year + d) for d in (-1, 1, -2, 2, 3, -3)]
    if kind == "date":
        match = _DATE.fullmatch(answer)
        day, month, year = int(match.group(1)), match.group(2), match.group(3) or ""
        index = MONTHS.index(month)
        result = [f"{day}. {MONTHS[(index + d) % 12]}{year}" for d in (-1, 1)]
        result += [f"{d}. {month}{year}" for d in (day + 7, day - 2, day + 1) if 1 <= d <= 28]
        return result
    if kind == "month":
        index = MONTHS.index(answer)
        return [MONTHS[(index + d) % 12] for d in (-1, 1, -2, 2)]
    if kind == "money":
        match = _MONEY.fullmatch(answer)
        value, unit = _parse(match.group(1)), match.group(2)
        return [_fmt(value * f, match.group(1)) + unit for f in (0.5, 2, 1.5, 10)]
    value = _parse(answer)
    if value.is_integer() and 0 <= value <= 12 and "," not in answer:
        steps = [value + d for d in (1, -1, 2, 3, -2)]
        return [_fmt(v, answer) for v in steps if v > 0]
    return [_fmt(value * f, answer) for f in (0.8, 1.25, 1.5, 2)]


def _same_thing(a: str, b: str) -> bool:
    """Whether two names would both be right: equal, one inside the other, same last word."""
    a, b = a.casefold(), b.casefold()
    if a == b or a in b or b in a:
        return True
    last_a, last_b = re.split(r"[\s-]", a)[-1], re.split(r"[\s-]", b)[-1]
    return last_a == last_b


def pick(
    answer: str,
    kind: str,
    pools: Iterable[Iterable[str]],
    known: dict[str, str],
    count: int = 3,
    seed: int = 0,
    article_word: str | None = None,
    seen_with: dict[str, set[str]] | None = None,
) -> list[str]:
    """Choose distractors of the answer's type: numbers nearby, names from the pools in order
    (article, app banks, lexicon); each must be typed like the answer and differ from it."""
    wanted = term_type(answer, known)
    if kind in ("date", "month", "year", "number", "percent", "money"):
        options = nearby_numbers(answer, kind)
        rotate = seed % max(1, len(options) - count + 1)
        options = options[rotate:] + options[:rotate]
        chosen = []
        for option in options:
            if option != answer and option not in chosen and term_type(option, known) == wanted:
                chosen.append(option)
        return chosen[:count]
    chosen: list[str] = []
    pools = [list(dict.fromkeys(pool)) for pool in pools]
    # First only candidates that fit the sentence's grammar and form; then any that agree.
    for strict in (True, False):
        for candidates in pools:
            if candidates and seed:
                shift = seed % len(candidates)
                candidates = candidates[shift:] + candidates[:shift]
            for candidate in candidates:
                if len(chosen) == count:
                    return chosen
                if term_type(candidate, known) != wanted:
                    continue
                seen = seen_with or {}
                grammar = Grammar(article_word, seen.get(answer, set()), seen.get(candidate, set()))
                if not agrees(candidate, answer, kind, grammar, strict):
                    continue
                if _same_thing(candidate, answer) or any(_same_thing(candidate, c) for c in chosen):
                    continue
                chosen.append(candidate)
    return chosen[:count]


def _feminine(office: str) -> bool:
    """Whether an office is named in the feminine ("Sprecherin", "Chefin der …")."""
    return office.split()[0].endswith(("in", "innen"))


# The genders (m, f, n, pl) an article word can go with, in any case.
GENDERS_OF = {
    "der": {"m", "f", "pl"},
    "der1": {"m"},
    "die": {"f", "pl"},
    "das": {"n"},
    "den": {"m", "pl"},
    "dem": {"m", "n"},
    "des": {"m", "n"},
}


@dataclass(frozen=True)
class Grammar:
    """The article word before the answer ("die" USA) and the article words seen before the
    answer and the candidate elsewhere in the text."""

    article_word: str | None
    answer_articles: set[str]
    candidate_articles: set[str]


def genders(term: str, kind: str, seen: set[str]) -> set[str] | None:
    """The genders a name can have: from the lexicon, an office's ending, or the article words
    seen before it; None when nothing is known."""
    if kind == "office":
        return {"f", "pl"} if _feminine(term) else {"m", "pl"}
    known = lexicon().genders.get(term)
    if known:
        return {known}
    result = None
    for word in seen:
        result = GENDERS_OF[word] if result is None else result & GENDERS_OF[word]
    return result


def agrees(candidate: str, answer: str, kind: str, grammar: Grammar, strict: bool) -> bool:
    """Whether a candidate can stand where the answer stands: offices of the same gender, places
    with or without an article as the answer is, bodies whose gender fits the answer's article
    (when strict, only bodies of known gender); when strict, names of as many words too."""
    if kind == "office" and _feminine(candidate) != _feminine(answer):
        return False
    if kind == "place" and (candidate in PLACES_WITH_ARTICLE) != bool(grammar.article_word):
        return False
    if kind == "organisation" and grammar.article_word:
        wanted = GENDERS_OF[grammar.article_word]
        ours = genders(answer, kind, grammar.answer_articles)
        wanted = wanted & ours if ours else wanted
        theirs = genders(candidate, kind, grammar.candidate_articles)
        if (theirs is None and strict) or (theirs is not None and not theirs & wanted):
            return False
    if kind == "person":
        ours, theirs = lexicon().gender(answer), lexicon().gender(candidate)
        if ours and theirs and ours != theirs:
            return False
        if strict:
            return len(candidate.split()) == len(answer.split())
    return True
