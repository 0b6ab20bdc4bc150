"""Lay out an article for reading: headings, paragraphs and each claim's quote as a <mark>."""

from dataclasses import dataclass

from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from quizapp.labels import kind_label, verdict_label
from quizapp.models import Claim

HEADING_MAX = 100
# A line ending in one of these is a sentence, not a heading.
_SENTENCE_END = ".!?:;,…\"“”»«'’"


@dataclass(frozen=True)
class Block:
    """One block of the article: a heading or a paragraph, as safe HTML."""

    kind: str
    html: Markup


def is_heading(line: str) -> bool:
    """A heading is a short line without a final period (the seed format's rule)."""
    line = line.strip()
    return 0 < len(line) <= HEADING_MAX and line[-1] not in _SENTENCE_END


def lay_out(text: str, claims: list[Claim]) -> list[Block]:
    """Split the text into blocks (one per non-empty line) with the claims' quotes marked.

    Overlapping quotes nest where they can; a quote that crosses a block or another quote's
    end is split into pieces, and only the first piece carries the anchor id claim-<key>.
    """
    spans = sorted(
        (c for c in claims if 0 <= c.start < c.end <= len(text)),
        key=lambda c: (c.start, -c.end, c.key),
    )
    started: set[str] = set()
    blocks = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        inside = [c for c in spans if c.start < end and c.end > start]
        html = _mark(text, start, end, inside, started)
        blocks.append(Block("heading" if is_heading(line) else "paragraph", html))
    return blocks


def _mark(text: str, start: int, end: int, claims: list[Claim], started: set[str]) -> Markup:
    """Return the HTML of text[start:end] with the claims' pieces wrapped in marks."""
    points = sorted(
        {start, end, *(max(c.start, start) for c in claims), *(min(c.end, end) for c in claims)}
    )
    out: list[str] = []
    stack: list[Claim] = []
    position = start
    for point in points:
        out.append(str(escape(text[position:point])))
        position = point
        closing = [c for c in stack if min(c.end, end) == point]
        if closing:
            # Close down to the deepest ending claim, then reopen the ones that go on.
            depth = min(stack.index(c) for c in closing)
            reopen = [c for c in stack[depth:] if c not in closing]
            for _ in stack[depth:]:
                out.append("</mark>")
            del stack[depth:]
            for claim in reopen:
                out.append(_open(claim, started))
                stack.append(claim)
        if point == end:
            break
        for claim in claims:
            if max(claim.start, start) == point and claim not in stack:
                out.append(_open(claim, started))
                stack.append(claim)
    out.extend("</mark>" for _ in stack)
    # Every piece is escaped text or one of our own tags (see _open).
    return Markup("".join(out))  # nosec


def _open(claim: Claim, started: set[str]) -> str:
    """Open a mark for a claim: the first piece has the anchor and the badge."""
    classes = f"claim kind-{claim.kind}"
    if claim.key in started:
        return f'<mark class="{classes} claim-more" data-claim="{escape(claim.key)}">'
    started.add(claim.key)
    return (
        f'<mark id="claim-{escape(claim.key)}" class="{classes}" data-claim="{escape(claim.key)}"'
        f' tabindex="-1">{badge(claim)}'
    )


def badge(claim: Claim) -> Markup:
    """Return the badge naming a claim's kind and verdict."""
    verdict = claim.verdict or "none"
    if claim.verdict is None and claim.kind == "opinion":
        label = kind_label(claim.kind)  # an opinion is not true or false: no "not checked"
    else:
        label = gettext(
            "%(kind)s, %(verdict)s",
            kind=kind_label(claim.kind),
            verdict=verdict_label(claim.verdict),
        )
    return Markup(
        '<span class="claim-badge" lang="{lang}"><span class="visually-hidden">{start}</span>'
        '<span class="claim-key">{key}</span> {label}</span>'
    ).format(
        lang=str(get_locale() or "de"),
        start=gettext("Marked statement:"),
        key=claim.key,
        label=Markup('<span class="verdict-{v}">{text}</span>').format(v=verdict, text=label),
    )
