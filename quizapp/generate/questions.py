"""Draft questions in the bank format (questions/README.md), each tied to its sentence."""

import hashlib
from dataclasses import dataclass, field

from quizapp.generate.claims import Claim
from quizapp.generate.distractors import pick
from quizapp.generate.spans import Span
from quizapp.generate.text import Sentence

# The order in which span types make the best gap or choice.
PRIORITY = (
    "date",
    "year",
    "number",
    "percent",
    "money",
    "month",
    "person",
    "office",
    "organisation",
    "place",
)
WHO = {
    "person": "Welche Person",
    "office": "Welches Amt",
    "place": "Welcher Ort",
    "organisation": "Welche Organisation",
    "date": "Welches Datum",
    "month": "Welcher Monat",
    "year": "Welches Jahr",
    "number": "Welche Zahl",
    "percent": "Welche Prozentzahl",
    "money": "Welcher Betrag",
}
KIND_WORDS = {
    "fact": "Tatsachenbehauptung",
    "opinion": "Meinung",
    "quote": "Zitat",
    "prediction": "Vorhersage",
    "claim": "Behauptung",
}
MAX_CLOZE = 2
ARTICLE_WORDS = ("der", "die", "das", "den", "dem", "des")


@dataclass
class Draft:
    """A proposed question: bank-format fields, the claim it stands on and why it was made."""

    key: str
    claim: Claim
    type: str
    asks: str
    prompt: str
    fields: dict
    explanation: str
    reason: str
    answer: str | None = None
    answer_type: str | None = None
    distractors: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The sentence of the article the draft stands on."""
        return self.claim.sentence.text

    def question(self) -> dict:
        """The draft as a question entry of a bank file (status draft)."""
        return {
            "key": self.key,
            "claim": self.claim.key,
            "type": self.type,
            "asks": self.asks,
            "status": "draft",
            "difficulty": 1,
            "tags": ["entwurf"],
            "prompt": self.prompt,
            "explanation": self.explanation,
            **self.fields,
        }


def claim_entry(claim: Claim) -> dict:
    """The claim as an entry of a bank file (unchecked: no verdict)."""
    entry = {"key": claim.key, "kind": claim.kind, "quote": claim.text}
    if claim.kind == "quote":
        entry["speaker"] = claim.speaker
    if claim.kind != "fact":
        entry["note"] = "Automatisch vorgeschlagen: " + "; ".join(claim.reasons) + "."
    else:
        entry["note"] = "Automatisch vorgeschlagen, noch nicht geprüft."
    return entry


def _key(label: str, *parts: str) -> str:
    """A stable question key: the same sentence and answer give the same key."""
    blob = "\x1f".join(" ".join(p.split()) for p in parts)
    return f"{label}-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:12]}"


def _seed(key: str) -> int:
    """A number derived from a key (varies the distractors between drafts)."""
    return int(key[-6:], 16)


def _quoted(text: str) -> str:
    """Put a sentence in quotation marks it does not use itself."""
    if "„" not in text and "“" not in text:
        return f"„{text}“"
    if "»" not in text and "«" not in text:
        return f"»{text}«"
    return f"‚{text}‘"


def _gapped(claim: Claim, span: Span, filler: str) -> str:
    """The claim's sentence with the span replaced by a filler."""
    sentence = claim.sentence
    a, b = span.start - sentence.start, span.end - sentence.start
    return sentence.text[:a] + filler + sentence.text[b:]


def _source_note(claim: Claim) -> str:
    """The explanation's reference to the sentence."""
    return f"Im Artikel heißt es: {_quoted(claim.sentence.text)}"


def drafts_for(
    claim: Claim,
    pools: dict[str, list[list[str]]],
    known: dict[str, str],
    seen_with: dict[str, set[str]] | None = None,
) -> list[Draft]:
    """Return the drafts a claim supports. Opinion-like claims get only fact-or-opinion items."""
    drafts = [_fact_or_opinion(claim)] if claim.kind != "claim" else []
    if claim.kind == "quote" and claim.speaker:
        speaker = _speaker_choice(claim, pools, known)
        if speaker:
            drafts.append(speaker)
    if claim.kind != "fact":
        return drafts
    spans = sorted(
        (s for s in claim.spans if s.type in PRIORITY),
        key=lambda s: (PRIORITY.index(s.type), s.start),
    )
    used: set[str] = set()
    for span in spans:
        if span.text in used or len([d for d in drafts if d.type == "cloze"]) >= MAX_CLOZE:
            continue
        used.add(span.text)
        drafts.append(_cloze(claim, span))
    for span in spans:
        choices = pick(
            span.text,
            span.type,
            pools.get(span.type, []),
            known,
            seed=_seed(_key("w", claim.text, span.text)),
            article_word=article_before(claim.sentence, span),
            seen_with=seen_with,
        )
        if len(choices) < 3:
            continue
        drafts.append(_single_choice(claim, span, choices))
        drafts.append(_true_false(claim, span, choices[0]))
        break
    return drafts


def article_before(sentence: Sentence, span: Span) -> str | None:
    """The article word right before a span ("die" USA), lower case, if there is one."""
    before = sentence.text[: span.start - sentence.start].split()
    word = before[-1].casefold() if before else ""
    if word not in ARTICLE_WORDS:
        return None
    # "Der" opening a sentence is a subject's article: masculine.
    return "der1" if word == "der" and len(before) == 1 else word


def _cloze(claim: Claim, span: Span) -> Draft:
    """A gap on a name, date, number or office of the sentence."""
    numeric = span.type in ("date", "year", "number", "percent", "money", "month")
    return Draft(
        key=_key("luecke", claim.sentence.text, span.text, str(span.start)),
        claim=claim,
        type="cloze",
        asks="text",
        prompt="Ergänze die Lücke so, wie es im Artikel steht.",
        fields={
            "text": _gapped(claim, span, "{1}"),
            "gaps": [{"answers": [span.text], "typo_tolerance": 0 if numeric else 1}],
        },
        explanation=_source_note(claim),
        reason=f"Lücke auf „{span.text}“ ({span.why}); {'; '.join(claim.reasons)}",
        answer=span.text,
        answer_type=span.type,
    )


def _single_choice(claim: Claim, span: Span, distractors: list[str]) -> Draft:
    """One right answer and three distractors of its type."""
    key = _key("wahl", claim.sentence.text, span.text)
    options = [{"text": span.text, "correct": True}] + [
        {"text": d, "correct": False} for d in distractors
    ]
    turn = _seed(key) % len(options)
    options = options[turn:] + options[:turn]
    gapped = _gapped(claim, span, "___")
    return Draft(
        key=key,
        claim=claim,
        type="single_choice",
        asks="text",
        prompt=f"Laut dem Artikel: {WHO[span.type]} gehört in die Lücke? {_quoted(gapped)}",
        fields={"options": options},
        explanation=_source_note(claim),
        reason=f"Auswahl zu „{span.text}“ ({span.why}), Ablenker gleichen Typs; "
        + "; ".join(claim.reasons),
        answer=span.text,
        answer_type=span.type,
        distractors=distractors,
    )


def _true_false(claim: Claim, span: Span, replacement: str) -> Draft:
    """The sentence with one span changed to another of its type: false."""
    return Draft(
        key=_key("wahrfalsch", claim.sentence.text, span.text, replacement),
        claim=claim,
        type="true_false",
        asks="text",
        prompt="Steht das so im Artikel?",
        fields={"statement": _gapped(claim, span, replacement), "solution": False},
        explanation=f"Im Artikel steht „{span.text}“, nicht „{replacement}“. "
        + _source_note(claim),
        reason=f"Satz mit „{replacement}“ statt „{span.text}“ (gleicher Typ: {span.type})",
        answer=span.text,
        answer_type=span.type,
        distractors=[replacement],
    )


def _fact_or_opinion(claim: Claim) -> Draft:
    """Classify the claim's words: fact, opinion, quote or prediction."""
    choices = ["fact", "opinion"] + ([claim.kind] if claim.kind not in ("fact", "opinion") else [])
    if claim.markers:
        why = f"Merkmale: {', '.join(claim.markers)}."
    else:
        why = "Keine wertenden Wörter; die Angaben lassen sich prüfen."
    if claim.kind == "quote":
        why = f"Die Worte stammen von {claim.speaker}, nicht vom Autor. " + why
    return Draft(
        key=_key("einordnen", claim.text),
        claim=claim,
        type="fact_or_opinion",
        asks="classify",
        prompt="Ist diese Aussage aus dem Artikel eine Tatsachenbehauptung oder eine Meinung?",
        fields={
            "statement": claim.text,
            "solution": claim.kind,
            "choices": choices,
            "markers": [m for m in claim.markers if m != "rhetorische Frage"],
        },
        explanation=f"{KIND_WORDS[claim.kind]}. {why} {_source_note(claim)}",
        reason=f"Vorgeschlagene Art: {KIND_WORDS[claim.kind]}; " + "; ".join(claim.reasons),
    )


def _speaker_choice(
    claim: Claim, pools: dict[str, list[list[str]]], known: dict[str, str]
) -> Draft | None:
    """Who is quoted, with three others of the speaker's type."""
    kind = claim.speaker_type or "person"
    key = _key("wer", claim.text, claim.speaker or "")
    choices = pick(claim.speaker or "", kind, pools.get(kind, []), known, seed=_seed(key))
    if len(choices) < 3:
        return None
    options = [{"text": claim.speaker, "correct": True}] + [
        {"text": c, "correct": False} for c in choices
    ]
    turn = _seed(key) % len(options)
    quote = claim.quotes[0].text if claim.quotes else claim.text
    # Reported speech names its speaker: the name must not give the answer away.
    quote = quote.replace(claim.speaker or "", "___")
    return Draft(
        key=key,
        claim=claim,
        type="single_choice",
        asks="text",
        prompt=f"Wem schreibt der Artikel diese Worte zu? {_quoted(quote)}",
        fields={"options": options[turn:] + options[:turn]},
        explanation=_source_note(claim),
        reason=f"Zitat mit Sprecher „{claim.speaker}“; Ablenker: andere Namen gleichen Typs",
        answer=claim.speaker,
        answer_type=kind,
        distractors=choices,
    )
