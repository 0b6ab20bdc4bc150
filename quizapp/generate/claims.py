"""Candidate claims: clauses with names, dates, numbers, offices or quotes, with a proposed kind."""

import hashlib
import re
from dataclasses import dataclass, field

from quizapp.generate.spans import Quote, Span, quotes
from quizapp.generate.text import Sentence, Token

# Words that mark an evaluation or a guess by the writer (lemmas, lower case).
HEDGES = frozenset(
    """anscheinend offensichtlich offenbar natürlich angeblich wohl vermutlich vermeintlich
    zweifellos sicherlich leider hoffentlich ausgerechnet bekanntlich selbstverständlich
    scheinen klingen erschreckend bedauerlicherweise glücklicherweise""".split()
)
# Evaluative adjectives (lemmas).
EVALUATIVE = frozenset(
    """verzweifelt peinlich skandalös katastrophal fatal dramatisch enttäuschend erfreulich
    absurd unverantwortlich lächerlich symbolträchtig bemerkenswert unrealistisch mutig klug
    dumm naiv überfällig halbherzig vorbildlich beschämend großartig richtig falsch schlimm
    gefährlich unsinnig vernünftig ehrgeizig zaghaft kläglich bitter""".split()
)
# Words that intensify an evaluation ("sehr deutlich", "höchst ungewöhnlich").
INTENSIFIERS = frozenset("sehr höchst ziemlich äußerst völlig total extrem besonders".split())
# Figurative words (lemmas or stems) common in commentary.
METAPHORS = (
    "melken",
    "schlucken",
    "konjunkturprogramm",
    "signal",
    "sargnagel",
    "todesstoß",
    "weckruf",
    "feigenblatt",
    "armutszeugnis",
    "luftschloss",
    "kahlschlag",
    "bremsklotz",
    "hängepartie",
    "papiertiger",
    "verabschieden",
    "fundament",
    "schlag ins gesicht",
)
# Finite verbs in the subjunctive of reported speech (Konjunktiv I, and II as its stand-in).
REPORTED = frozenset("sei seien habe könne müsse werde wolle solle dürfe gebe hätten wären".split())
# Verbs that introduce someone's words (lemmas).
SPEECH_VERBS = frozenset(
    """sagen erklären entgegnen klagen schreiben betonen kritisieren fordern warnen mitteilen
    antworten heißen formulieren zitieren berichten ankündigen versprechen meinen behaupten
    äußern sprechen""".split()
)
# Clause boundaries that start a new proposition.
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:wobei|denn|während|sondern)\b)|;\s+|:\s+(?=[^„»\"])")
_FUTURE_AUX = frozenset("wird werden wirst werdet".split())


@dataclass
class Claim:
    """A candidate claim: a clause of a sentence, its proposed kind and why."""

    key: str
    sentence: Sentence
    text: str
    start: int
    end: int
    kind: str
    spans: list[Span]
    markers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    speaker: str | None = None
    speaker_type: str | None = None
    quotes: list[Quote] = field(default_factory=list)

    @property
    def opinion_like(self) -> bool:
        """Whether the claim reads as the writer's evaluation."""
        return self.kind == "opinion"

    @property
    def fact_like(self) -> bool:
        """Whether the claim reads as a checkable statement of fact."""
        return self.kind == "fact"


def claim_key(text: str) -> str:
    """Return a stable claim key for a quote (the same words give the same key)."""
    return "G" + hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]


def clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Split a sentence at clause boundaries outside quotes; return article offsets."""
    inside = [(q.start - sentence.start, q.end - sentence.start) for q in quotes(sentence)]
    cuts = [0]
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        if any(a <= match.start() < b for a, b in inside):
            continue
        cuts.append(match.start())
        cuts.append(match.end())
    cuts.append(len(sentence.text))
    result = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=True):
        piece = sentence.text[a:b]
        stripped = piece.strip().rstrip(",;:")
        if len(stripped.split()) < 3:
            continue
        offset = a + (len(piece) - len(piece.lstrip()))
        result.append((sentence.start + offset, sentence.start + offset + len(stripped)))
    return result or [(sentence.start, sentence.end)]


def claims_of(
    sentence: Sentence,
    spans: list[Span],
    context: list[Span],
    known_persons: dict[str, str] | None = None,
) -> list[Claim]:
    """Return the candidate claims of a tagged sentence.

    `context` holds the spans of the sentences before it in the same paragraph (for speakers).
    """
    found = []
    all_quotes = quotes(sentence)
    for start, end in clauses(sentence):
        text = sentence.text[start - sentence.start : end - sentence.start]
        inner = [s for s in spans if start <= s.start and s.end <= end]
        own_quotes = [q for q in all_quotes if start <= q.start and q.end <= end]
        tokens = [t for t in sentence.tokens if start <= t.start and t.end <= end]
        outside = [t for t in tokens if not any(q.start <= t.start < q.end for q in own_quotes)]
        claim = Claim(claim_key(text), sentence, text, start, end, "fact", inner)
        claim.quotes = [q for q in own_quotes if len(q.text.split()) >= 3]
        _classify(claim, outside, spans, context, known_persons or {})
        if inner or claim.markers or claim.quotes:
            found.append(claim)
    return found


def _classify(
    claim: Claim,
    outside: list[Token],
    sentence_spans: list[Span],
    context: list[Span],
    known_persons: dict[str, str],
) -> None:
    """Set the claim's kind, markers and reasons (prediction > opinion > quote > fact)."""
    future = _future(outside)
    markers = _opinion_markers(outside, claim.text)
    reported = [t.text for t in outside if t.text in REPORTED and t.tag.endswith("(FIN)")]
    if claim.quotes or reported:
        claim.speaker, claim.speaker_type = _speaker(claim, sentence_spans, context, known_persons)
    kinds = ", ".join(sorted({s.type for s in claim.spans}))
    if kinds:
        claim.reasons.append(f"enthält prüfbare Angaben ({kinds})")
    if future:
        claim.kind = "prediction"
        claim.markers = future + markers
        claim.reasons.append(f"Zukunftsaussage ({', '.join(future)})")
        if markers:
            claim.reasons.append(f"wertende Wörter: {', '.join(markers)}")
    elif markers and not (reported and _speech_verb(outside)):
        claim.kind = "opinion"
        claim.markers = markers
        claim.reasons.append(f"Meinungsmarker: {', '.join(markers)}")
    elif claim.quotes or reported:
        claim.kind = "quote" if claim.speaker else "claim"
        claim.markers = reported[:2]
        if markers:
            claim.markers = markers + claim.markers
            claim.reasons.append(f"wertende Wörter der zitierten Person: {', '.join(markers)}")
        how = "wörtliches Zitat" if claim.quotes else f"indirekte Rede ({', '.join(reported[:2])})"
        who = f" von {claim.speaker}" if claim.speaker else " ohne erkennbare Quelle"
        claim.reasons.append(how + who)
    else:
        claim.reasons.append("keine Meinungsmarker: Tatsachenbehauptung")


def _speech_verb(tokens: list[Token]) -> bool:
    """Whether a clause names who speaks ("sagte Meyer")."""
    return any(t.lemma in SPEECH_VERBS for t in tokens)


def _future(tokens: list[Token]) -> list[str]:
    """Future tense ("wird … fließen") or a plan with a target year ("soll … bis 2035")."""
    for i, token in enumerate(tokens):
        if token.text.casefold() in _FUTURE_AUX and token.tag.startswith("VA"):
            after = any(t.tag.endswith("(INF)") for t in tokens[i + 1 : i + 13])
            if after or (i and tokens[i - 1].tag.endswith("(INF)")):
                return [token.text]
        if token.lemma in ("sollen", "wollen") and token.tag.endswith("(FIN)"):
            for j, other in enumerate(tokens[:-1]):
                nxt = tokens[j + 1]
                if other.text.casefold() == "bis" and re.fullmatch(r"20\d\d", nxt.text):
                    return [token.text, f"{other.text} {nxt.text}"]
    return []


def _opinion_markers(tokens: list[Token], text: str) -> list[str]:
    """The words of a clause (outside quotes) that mark an opinion."""
    found = []
    for i, token in enumerate(tokens):
        word, lemma = token.text.casefold(), token.lemma.casefold()
        if word in HEDGES or lemma in HEDGES:
            found.append(token.text)
        elif token.tag.startswith("ADJ") and (lemma in EVALUATIVE or word in EVALUATIVE):
            found.append(token.text)
        elif (
            token.tag.startswith("ADJ") and i > 0 and tokens[i - 1].text.casefold() in INTENSIFIERS
        ):
            found.append(f"{tokens[i - 1].text} {token.text}")
        elif any(lemma.endswith(m) or word.endswith(m) for m in METAPHORS) and (
            lemma != "verabschieden" or "innerlich" in text
        ):
            found.append(token.text)
        elif word in ("dürfte", "dürften") and token.tag.startswith("VM"):
            found.append(token.text)
    if text.rstrip().endswith("?"):
        found.append("rhetorische Frage")
    return list(dict.fromkeys(found))


def _speaker(
    claim: Claim, spans: list[Span], context: list[Span], known_persons: dict[str, str]
) -> tuple[str | None, str | None]:
    """Who says it: the person or office nearest the speech verb (a name right after an office
    wins: "Nato-Sprecherin Oana Lungescu"), else a known name's genitive ("Trumps Plan"), else
    the last person named before it in the paragraph."""
    tokens = [t for t in claim.sentence.tokens if claim.start <= t.start < claim.end]
    verbs = [t for t in tokens if t.lemma in SPEECH_VERBS and not _in_quotes(t.start, claim)]
    candidates = [
        s
        for s in spans
        if s.type in ("person", "office", "organisation") and not _in_quotes(s.start, claim)
    ]
    if verbs:
        verb = verbs[0]
        # The speaker stands next to the verb: "Hegseth sagte", "entgegnete ein Sprecher".
        candidates = [
            s
            for s in candidates
            if -30 <= s.start - verb.end <= 60 or 0 <= verb.start - s.end <= 30
        ]
    if candidates:
        anchor = verbs[0].start if verbs else claim.start
        rank = ("person", "office", "organisation")
        nearest = min(candidates, key=lambda s: (rank.index(s.type) > 1, abs(s.start - anchor)))
        if nearest.type == "office":
            after = [
                s for s in candidates if s.type == "person" and 0 <= s.start - nearest.end <= 2
            ]
            nearest = after[0] if after else nearest
        return nearest.text, nearest.type
    for token in tokens:
        if token.text.endswith("s") and token.text[:-1] in known_persons:
            return token.text[:-1], "person"
    if verbs:
        return None, None
    persons = [s for s in context if s.type == "person"]
    if persons:
        return persons[-1].text, "person"
    return None, None


def _in_quotes(offset: int, claim: Claim) -> bool:
    """Whether an offset lies inside one of the claim's quotes."""
    return any(q.start <= offset < q.end for q in claim.quotes)
