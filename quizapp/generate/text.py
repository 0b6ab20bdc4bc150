"""Sentences, paragraphs and tokens of an article, each with its character offsets."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sentencex import segment

# Words, with inner hyphens/dashes and decimal commas kept in one token ("5-Prozent-Ziel",
# "2010–2023", "3,5"), a day number with its period ("3."), or one punctuation mark.
_TOKEN = re.compile(r"\d+\.(?=\s+[A-ZÄÖÜ][a-zäöü])|\w+(?:[-–,.]\w+)*|[^\w\s]")
# A short line without a final period is a heading.
_HEADING_MAX = 80
# Long segments (a block quote sentencex keeps whole) are split again at sentence ends.
_LONG = 300
_INNER_END = re.compile(r"(?:(?<=[^\d\s][.!?…])|(?<=[.!?…][«“]))\s+(?=(?:…\s+)?[»„\"]?[A-ZÄÖÜ])")


@dataclass(frozen=True)
class Token:
    """One token: text, offsets in the article, part-of-speech tag and lemma (HanTa)."""

    text: str
    start: int
    end: int
    tag: str = ""
    lemma: str = ""


@dataclass
class Sentence:
    """A sentence with offsets in the article, its paragraph's offsets and its tokens."""

    index: int
    text: str
    start: int
    end: int
    paragraph: tuple[int, int]
    tokens: list[Token] = field(default_factory=list)


@dataclass(frozen=True)
class Paragraph:
    """A block of the article between blank lines; headings are kept apart."""

    start: int
    end: int
    heading: bool


def paragraphs(text: str) -> list[Paragraph]:
    """Split a text at blank lines; a short line without final punctuation is a heading."""
    found = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        block = match.group(0)
        stripped = block.strip()
        if not stripped:
            continue
        start = match.start() + (len(block) - len(block.lstrip()))
        end = start + len(stripped)
        heading = (
            "\n" not in stripped
            and len(stripped) <= _HEADING_MAX
            and stripped[-1] not in '.!?:“"»«…)'
        )
        found.append(Paragraph(start, end, heading))
    return found


def sentences(text: str) -> list[Sentence]:
    """Split the text into sentences with `sentencex`; headings are not sentences."""
    result: list[Sentence] = []
    for para in paragraphs(text):
        if para.heading:
            continue
        block = text[para.start : para.end]
        cursor = 0
        for piece in _pieces(block):
            stripped = piece.strip()
            if not stripped:
                continue
            offset = block.find(stripped, cursor)
            if offset < 0:
                continue
            cursor = offset + len(stripped)
            start = para.start + offset
            result.append(
                Sentence(
                    len(result), stripped, start, start + len(stripped), (para.start, para.end)
                )
            )
    return result


def _pieces(block: str) -> list[str]:
    """Segment a paragraph with sentencex; split overlong segments at inner sentence ends."""
    pieces = []
    for piece in segment("de", block):
        if len(piece) > _LONG:
            pieces.extend(_INNER_END.split(piece))
        else:
            pieces.append(piece)
    return pieces


def tokenize(sentence: Sentence) -> list[Token]:
    """Split a sentence into tokens with article offsets."""
    return [
        Token(m.group(0), sentence.start + m.start(), sentence.start + m.end())
        for m in _TOKEN.finditer(sentence.text)
    ]


@lru_cache(maxsize=1)
def tagger():
    """Load HanTa's German model once (it ships inside the package; nothing is downloaded)."""
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


def tag(sentence: Sentence) -> None:
    """Fill the sentence's tokens with HanTa's tags and lemmas."""
    raw = tokenize(sentence)
    if not raw:
        sentence.tokens = []
        return
    tagged = tagger().tag_sent([t.text for t in raw], taglevel=1, casesensitive=True)
    sentence.tokens = [
        Token(t.text, t.start, t.end, pos, lemma)
        for t, (_, lemma, pos) in zip(raw, tagged, strict=True)
    ]


@lru_cache(maxsize=20000)
def compound_parts(word: str) -> tuple[str, ...]:
    """Return the parts of a German compound noun (HanTa), e.g. Verteidigung|Minister."""
    try:
        _, parts, _ = tagger().analyze(word, taglevel=3)
    except Exception:  # HanTa raises on words it cannot analyse at all
        return (word.lower(),)
    return tuple(part for part, kind in parts if kind not in ("FUGE", "SUFF", "PREF")) or (
        word.lower(),
    )
