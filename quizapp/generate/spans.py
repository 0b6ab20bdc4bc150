"""Typed spans of a sentence by rules: dates, numbers, percentages, money, names, offices, quotes.

Every span keeps its offsets in the article, so a draft can always point at the exact words.
"""

import re
from dataclasses import dataclass

from quizapp.generate.lexicon import MONTHS, OFFICE_HEADS, ORGANISATION_HEADS, lexicon
from quizapp.generate.text import Sentence, Token, compound_parts

TYPES = (
    "person",
    "office",
    "place",
    "organisation",
    "date",
    "month",
    "year",
    "number",
    "percent",
    "money",
)
NUMERIC_TYPES = ("date", "month", "year", "number", "percent", "money")
_MONTH = "|".join(MONTHS)
_MONEY = re.compile(
    r"(?<![\w,.])\d{1,3}(?:\.\d{3})*(?:,\d+)?\s?(?:Millionen|Milliarden|Mio\.|Mrd\.)?\s?"
    r"(?:Euro|US-Dollar|Dollar|€)(?![\w])"
)
_PERCENT = re.compile(r"(?<![\w,.])\d+(?:,\d+)?(?=\s?%|\s?-?Prozent)")
_DATE = re.compile(rf"(?<![\w.])\d{{1,2}}\.\s?(?:{_MONTH})(?:\s(?:19|20)\d{{2}})?(?![\w])")
_YEAR = re.compile(r"(?<![\w,.])(?:19|20)\d{2}(?![\w,]|\.\d)")
_MONTH_RE = re.compile(rf"(?<![\w-])(?:{_MONTH})(?![\w-])")
_NUMBER = re.compile(r"(?<![\w,.-])\d+(?:[.,]\d+)?(?![\w]|[.,]\d)")
# Quoted speech: German and guillemet quotes and straight double quotes.
_QUOTED = re.compile(r"„([^“”\"]+)[“”\"]|»([^«]+)«|\"([^\"]+)\"")
# Nouns after which a quoted name is the name of a body ("Netzwerk „Five Eyes“").
_NAMING_HEADS = ("netzwerk", "bündnis", "initiative", "magazin", "zeitung", "partei", "verein")
_NAME_TAGS = ("NE", "NN", "FM")
# An English title inside German text is a medium or body ("The Atlantic", "The Guardian").
_ENGLISH_TITLE = re.compile(r"(?<![\w-])The(?: [A-Z][a-z]+){1,3}(?![\w-])")


@dataclass(frozen=True)
class Span:
    """A typed span: its text as written, offsets in the article, type and why it was found."""

    text: str
    start: int
    end: int
    type: str
    why: str


@dataclass(frozen=True)
class Quote:
    """Quoted words in a sentence (offsets include the quotation marks)."""

    text: str
    start: int
    end: int


def quotes(sentence: Sentence) -> list[Quote]:
    """Return the quoted passages of a sentence."""
    found = []
    for match in _QUOTED.finditer(sentence.text):
        inner = next(group for group in match.groups() if group is not None)
        found.append(Quote(inner, sentence.start + match.start(), sentence.start + match.end()))
    return found


def find_spans(sentence: Sentence, known_persons: dict[str, str] | None = None) -> list[Span]:
    """Return the non-overlapping typed spans of a tagged sentence, in text order.

    `known_persons` maps last names already seen in the article (or the lexicon) to full names,
    so "Freuding" after "Christian Freuding" is a person too.
    """
    known_persons = known_persons if known_persons is not None else lexicon().surnames()
    candidates: list[tuple[int, Span]] = []
    candidates += [(0, s) for s in _pattern_spans(sentence)]
    candidates += [(1, s) for s in _lexicon_spans(sentence)]
    candidates += [(2, s) for s in _token_spans(sentence, known_persons)]
    candidates.sort(key=lambda c: (c[1].start, -(c[1].end - c[1].start), c[0]))
    chosen: list[Span] = []
    for _, span in candidates:
        if chosen and span.start < chosen[-1].end:
            continue
        chosen.append(span)
    return chosen


def _regex_spans(sentence: Sentence, pattern: re.Pattern, kind: str, why: str) -> list[Span]:
    """Spans of one regex over a sentence."""
    return [
        Span(m.group(0), sentence.start + m.start(), sentence.start + m.end(), kind, why)
        for m in pattern.finditer(sentence.text)
    ]


def _pattern_spans(sentence: Sentence) -> list[Span]:
    """Money, percentages, dates, years, months and other numbers (most specific first)."""
    found = []
    found += _regex_spans(sentence, _MONEY, "money", "Geldbetrag")
    found += _regex_spans(sentence, _PERCENT, "percent", "Prozentangabe")
    found += _regex_spans(sentence, _DATE, "date", "Datum")
    found += _regex_spans(sentence, _YEAR, "year", "Jahreszahl")
    found += _regex_spans(sentence, _MONTH_RE, "month", "Monat")
    found += _regex_spans(sentence, _NUMBER, "number", "Zahl")
    return found


def _lexicon_spans(sentence: Sentence) -> list[Span]:
    """Names the shipped lexicon knows, multi-word names as one span."""
    lex = lexicon()
    spans = []
    for match in lex.pattern.finditer(sentence.text):
        kind = lex.type_of(match.group(0)) or "organisation"
        start = sentence.start + match.start()
        spans.append(Span(match.group(0), start, start + len(match.group(0)), kind, "Lexikon"))
    for match in _ENGLISH_TITLE.finditer(sentence.text):
        start = sentence.start + match.start()
        why = "englischer Titel (The …)"
        spans.append(Span(match.group(0), start, start + len(match.group(0)), "organisation", why))
    for quote in quotes(sentence):
        before = sentence.text[: quote.start - sentence.start].rstrip().split(" ")[-1]
        words = quote.text.split()
        if (
            before.casefold().endswith(_NAMING_HEADS)
            and 1 <= len(words) <= 4
            and all(w[:1].isupper() for w in words)
        ):
            start = quote.start + 1
            why = f"Name nach „{before}“"
            spans.append(Span(quote.text, start, start + len(quote.text), "organisation", why))
    return spans


def head(word: str) -> str:
    """Return the head of a (compound) noun, without a feminine -in (HanTa's compound split)."""
    parts = [p for p in compound_parts(word) if p.isalpha()]
    if not parts:
        return word.casefold()
    last = parts[-1]
    if last == "in" and len(parts) > 1:
        last = parts[-2]
    return last.casefold()


def office_head(word: str) -> str | None:
    """The office head a noun ends in ("Verteidigungs|minister", "Sprecher|in"), if any: its
    last part by HanTa's compound split, else the word itself without a feminine -in."""
    last = word.split("-")[-1]
    split = head(last)
    if split in OFFICE_HEADS:
        return split
    base = last.casefold()
    base = base[:-2] if base.endswith("in") and not base.endswith("ein") else base
    matches = [h for h in OFFICE_HEADS if base.endswith(h)]
    return max(matches, key=len) if matches else None


def is_office(token: Token) -> bool:
    """Whether a capitalised noun names an office or role."""
    if not token.text[:1].isupper() or not token.tag.startswith(("NN", "NE")):
        return False
    return office_head(token.text) is not None


def _token_spans(sentence: Sentence, known_persons: dict[str, str]) -> list[Span]:
    """Offices (with a genitive complement), persons and public bodies from tags and rules."""
    tokens = sentence.tokens
    lex = lexicon()
    spans = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if is_office(token):
            end = _office_end(tokens, i)
            start_tok, end_tok = tokens[i], tokens[end]
            spans.append(
                _span(
                    sentence,
                    start_tok,
                    end_tok,
                    "office",
                    f"Amt (Wortkopf „{office_head(token.text)}“)",
                )
            )
            # A name right after an office is a person ("US-Verteidigungsminister Hegseth").
            j = end + 1
            names = _name_run(tokens, j)
            if names:
                spans.append(
                    _span(sentence, tokens[j], tokens[j + names - 1], "person", "Name nach Amt")
                )
                i = j + names
                continue
            i = end + 1
            continue
        if token.text in lex.first_names and i + 1 < len(tokens):
            names = _name_run(tokens, i + 1)
            if names:
                last = tokens[i + names]
                spans.append(_span(sentence, token, last, "person", "Vorname und Name"))
                i += names + 1
                continue
        if token.text in known_persons and token.tag in _NAME_TAGS:
            spans.append(_span(sentence, token, token, "person", "bekannter Name"))
        elif (
            token.tag.startswith("NN")
            and token.text[:1].isupper()
            and head(token.text.split("-")[-1]) in ORGANISATION_HEADS
        ):
            spans.append(_span(sentence, token, token, "organisation", "Behörde oder Gremium"))
        elif (
            token.tag == "NE"
            and not (token.text.endswith("s") and token.text[:-1] in known_persons)
            and i > 0
            and tokens[i - 1].text in ("in", "nach", "aus")
            and lex.type_of(token.text) is None
            and token.text not in known_persons
        ):
            spans.append(
                _span(sentence, token, token, "place", f"Ortsname nach „{tokens[i - 1].text}“")
            )
        i += 1
    return spans


def _office_end(tokens: list[Token], i: int) -> int:
    """Extend an office by a genitive complement ("Chef des deutschen Heeres")."""
    j = i + 1
    if j < len(tokens) and tokens[j].text in ("des", "der"):
        k = j + 1
        while k < len(tokens) and tokens[k].tag.startswith("ADJ"):
            k += 1
        if k < len(tokens) and tokens[k].tag.startswith("NN") and not is_office(tokens[k]):
            return k
    return i


def _name_run(tokens: list[Token], j: int) -> int:
    """Count the capitalised name tokens from j (at most 2) that are not offices or known places."""
    count = 0
    lex = lexicon()
    while (
        j + count < len(tokens)
        and count < 2
        and tokens[j + count].text[:1].isupper()
        and tokens[j + count].tag in _NAME_TAGS
        and tokens[j + count].text.isalpha()
        and not is_office(tokens[j + count])
        and lex.type_of(tokens[j + count].text) not in ("place", "organisation")
    ):
        count += 1
    return count


def _span(sentence: Sentence, first: Token, last: Token, kind: str, why: str) -> Span:
    """A span from the first to the last token."""
    text = sentence.text[first.start - sentence.start : last.end - sentence.start]
    return Span(text, first.start, last.end, kind, why)
