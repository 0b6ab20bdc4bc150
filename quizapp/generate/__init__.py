"""Draft questions from a German article, offline: sentences (sentencex), tags, lemmas and
compounds (HanTa), and rules for dates, numbers, names, offices and quotes.

Pure: no Flask, no database. `propose(text)` returns the analysis and the drafts; the drafts
service stores what a teacher accepts.
"""

import re
from dataclasses import dataclass, field

from quizapp.generate.claims import Claim, claims_of
from quizapp.generate.distractors import term_type
from quizapp.generate.lexicon import NAME_TYPES, lexicon
from quizapp.generate.questions import Draft, article_before, claim_entry, drafts_for
from quizapp.generate.spans import Span, find_spans
from quizapp.generate.text import Sentence, paragraphs, sentences, tag

__all__ = [
    "Analysis",
    "Draft",
    "Proposal",
    "analyse",
    "bank_document",
    "claim_entry",
    "looks_german",
    "paragraphs",
    "propose",
    "term_type",
]

_GERMAN = frozenset(
    """der die das und ist nicht ein eine zu mit von den dem des sich auf für im es dass auch
    als wie bei aus wird hat sind sie er wir noch nach über oder aber""".split()
)
_ENGLISH = frozenset(
    "the and of to is in that it for was on with as by are be this have from not".split()
)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


@dataclass
class Analysis:
    """An article's sentences, their typed spans and the candidate claims."""

    text: str
    sentences: list[Sentence]
    spans: dict[int, list[Span]]
    claims: list[Claim]
    known: dict[str, str]

    def spans_of(self, kind: str) -> list[str]:
        """The distinct span texts of one type, in text order."""
        return list(
            dict.fromkeys(s.text for spans in self.spans.values() for s in spans if s.type == kind)
        )


@dataclass
class Proposal:
    """The analysis and the drafts proposed from it."""

    analysis: Analysis
    drafts: list[Draft] = field(default_factory=list)

    @property
    def sentence_count(self) -> int:
        """How many different sentences the drafts stand on."""
        return len({d.claim.sentence.index for d in self.drafts})


def looks_german(text: str) -> bool:
    """Whether a text reads as German (share of common German vs English function words)."""
    words = [w.casefold() for w in _WORD.findall(text[:20000])]
    if len(words) < 5:
        return False
    german = sum(w in _GERMAN for w in words) / len(words)
    english = sum(w in _ENGLISH for w in words) / len(words)
    return german >= 0.08 and german > english


def analyse(text: str) -> Analysis:
    """Split, tag and find spans and candidate claims; names seen once are known afterwards."""
    found = sentences(text)
    known_persons = dict(lexicon().surnames())
    spans: dict[int, list[Span]] = {}
    claims: list[Claim] = []
    known: dict[str, str] = {}
    context: list[Span] = []
    paragraph = None
    for sentence in found:
        tag(sentence)
        own = find_spans(sentence, known_persons)
        spans[sentence.index] = own
        if sentence.paragraph != paragraph:
            paragraph, context = sentence.paragraph, []
        claims.extend(claims_of(sentence, own, context, known_persons))
        context = context + own
        for span in own:
            known.setdefault(span.text, span.type)
            if span.type == "person" and " " in span.text:
                known_persons.setdefault(span.text.split()[-1], span.text)
    return Analysis(text, found, spans, claims, known)


def propose(
    text: str, extra_terms: list[tuple[str, str]] | None = None, skip: set[str] | None = None
) -> Proposal:
    """Analyse a text and draft questions; distractors come from the article, `extra_terms`
    ((text, type) pairs from the app's banks) and the shipped lexicon. Keys in `skip` (rejected
    or already taken) are left out."""
    analysis = analyse(text)
    known = dict(analysis.known)
    extra = [(t, k) for t, k in (extra_terms or []) if k in NAME_TYPES]
    for term, kind in extra:
        known.setdefault(term, kind)
    lex = lexicon()
    pools = {
        kind: [analysis.spans_of(kind), [t for t, k in extra if k == kind], list(lex.terms[kind])]
        for kind in NAME_TYPES
    }
    seen_with: dict[str, set[str]] = {}
    for sentence in analysis.sentences:
        for span in analysis.spans[sentence.index]:
            word = article_before(sentence, span)
            if word:
                seen_with.setdefault(span.text, set()).add(word)
    skip = skip or set()
    drafts: list[Draft] = []
    seen: set[str] = set()
    for claim in analysis.claims:
        for draft in drafts_for(claim, pools, known, seen_with):
            if draft.key in skip or draft.key in seen:
                continue
            seen.add(draft.key)
            drafts.append(draft)
    proposal = Proposal(analysis, drafts)
    proposal.analysis.known = known
    return proposal


def bank_document(slug: str, title: str, article: str, drafts: list[Draft]) -> dict:
    """A bank file (as a mapping) holding the drafts and the claims they stand on."""
    claims: dict[str, dict] = {}
    for draft in drafts:
        claims.setdefault(draft.claim.key, claim_entry(draft.claim))
    return {
        "bank": {"slug": slug, "title": title, "language": "de", "article": article},
        "claims": list(claims.values()),
        "questions": [draft.question() for draft in drafts],
    }
