"""Read tab-separated "term ⇥ definition" lines (flashcard exports) as matching or single choice."""

from quizapp.banks.foreign import Draft, ReadError, ReadResult

PAIRS_MAX = 8  # our matching questions take 2 to 8 pairs
OPTIONS = 4  # a single choice offers the right definition and three others
MATCH_PROMPT = {"de": "Ordne die Begriffe zu.", "en": "Match the terms."}


def read_tsv(text: str, as_type: str, language: str = "de") -> ReadResult:
    """Each non-blank line is `term<TAB>definition`; `#` lines are comments."""
    cards: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ReadError("tsv_line", number, "line")
        cards.append((number, parts[0].strip(), parts[1].strip()))
    if len(cards) < 2:
        raise ReadError("tsv_too_few", 1, "file")
    seen: dict[str, int] = {}
    for number, term, _ in cards:
        if term in seen:
            raise ReadError("tsv_repeated", number, "line", term=term, first=seen[term])
        seen[term] = number
    if as_type == "matching":
        return ReadResult(drafts=_matching(cards, language))
    return ReadResult(drafts=_single_choice(cards))


def _matching(cards: list[tuple[int, str, str]], language: str) -> list[Draft]:
    """Matching questions of up to 8 pairs each, the last one never left with a single pair."""
    groups = [cards[i : i + PAIRS_MAX] for i in range(0, len(cards), PAIRS_MAX)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-1].insert(0, groups[-2].pop())
    prompt = MATCH_PROMPT.get(language, MATCH_PROMPT["en"])
    return [
        Draft(
            line=group[0][0],
            type="matching",
            prompt=prompt,
            payload={"pairs": [{"left": term, "right": meaning} for _, term, meaning in group]},
        )
        for group in groups
    ]


def _single_choice(cards: list[tuple[int, str, str]]) -> list[Draft]:
    """One question per term: its definition and the next cards' ones as wrong options."""
    drafts = []
    meanings = list(dict.fromkeys(meaning for _, _, meaning in cards))
    for number, term, meaning in cards:
        others = [m for m in meanings if m != meaning]
        start = meanings.index(meaning)
        wrong = (others[start:] + others[:start])[: OPTIONS - 1]
        if not wrong:
            raise ReadError("tsv_too_few", number, "line")
        options = [
            {"text": meaning, "correct": True},
            *({"text": w, "correct": False} for w in wrong),
        ]
        # The right one's place moves with the line, so it is not always first.
        shift = number % len(options)
        options = options[shift:] + options[:shift]
        drafts.append(
            Draft(line=number, type="single_choice", prompt=term, payload={"options": options})
        )
    return drafts
