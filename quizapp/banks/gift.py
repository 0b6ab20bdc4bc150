"""Export a bank's published questions as Moodle GIFT text (types GIFT can't express are noted)."""

import re

from quizapp.banks.interchange import Item, kind_names, published_items

# Characters with a meaning in GIFT; a backslash makes them literal.
_SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's special characters."""
    return "".join(f"\\{char}" if char in _SPECIAL else char for char in text)


def _line(text: str) -> str:
    """Escape a text that must stay on one line (answers, feedback)."""
    return escape(" ".join(text.split()))


def _body(text: str) -> str:
    """Escape question text; a blank line would end the question, so keep single breaks."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "\n".join(escape(line) for line in lines if line)


def _inline(text: str) -> str:
    """Escape text next to a gap: its spaces at the gap are kept, blank lines dropped."""
    return "\n".join(escape(line) for line in text.split("\n") if line.strip() or "\n" not in text)


def _feedback(item: Item) -> str:
    """Return the general feedback part of an answer block."""
    return f" ####{_line(item.explanation)}" if item.explanation else ""


def _choices(entries: list[tuple[str, str, str | None]]) -> str:
    """Format choice answers: (mark, text, feedback) with mark '=' or '~' (or '~%n%')."""
    parts = []
    for mark, text, feedback in entries:
        if mark == "~" and text.startswith("%"):
            mark = "~%0%"  # a plain ~ would read the text's % as the start of a weight
        part = f"{mark}{_line(text)}"
        if feedback:
            part += f"#{_line(feedback)}"
        parts.append(part)
    return " ".join(parts)


def _weight(value: float) -> str:
    """Format a GIFT percentage weight with at most five decimals."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def question(item: Item, language: str) -> str | None:
    """Return one question in GIFT, or None when GIFT has no such type."""
    text = _question(item, language)
    return None if text is None else _no_comment_lines(text)


def _no_comment_lines(text: str) -> str:
    """A line starting with // would be read as a comment: join it to the one before by \\n."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line.lstrip().startswith("//"):
            out[-1] += "\\n" + line
        else:
            out.append(line)
    return "\n".join(out)


def _question(item: Item, language: str) -> str | None:
    """Write one question (see question)."""
    p = item.payload
    title = f"::{escape(item.key)}::"
    text = _body(item.prompt)
    if re.match(r"\[(html|moodle|plain|markdown)\]", text, re.IGNORECASE):
        text = "[markdown]" + text  # one marker is read; the prompt's own stays text
    if item.type == "single_choice":
        entries = [
            ("=" if o["correct"] else "~", o["text"], o.get("feedback")) for o in p["options"]
        ]
        return f"{title}{text} {{{_choices(entries)}{_feedback(item)}}}"
    if item.type == "multiple_choice":
        right = sum(1 for o in p["options"] if o["correct"])
        share = _weight(100 / right)
        entries = [
            (f"~%{share}%" if o["correct"] else f"~%-{share}%", o["text"], o.get("feedback"))
            for o in p["options"]
        ]
        return f"{title}{text} {{{_choices(entries)}{_feedback(item)}}}"
    if item.type == "true_false":
        if p.get("statement"):
            text += "\n" + _body(p["statement"])
        return f"{title}{text} {{{'T' if p['solution'] else 'F'}{_feedback(item)}}}"
    if item.type == "cloze":
        # One gap only; and "->" in an answer would make Moodle read a matching question.
        if len(p["gaps"]) != 1 or any("->" in a for a in p["gaps"][0]["answers"]):
            return None
        # One gap is a missing-word question: the answers stand where the gap is.
        before, after = p["text"].split("{1}")
        answers = " ".join(
            f"={'%100%' if a.startswith('%') else ''}{_line(a)}" for a in p["gaps"][0]["answers"]
        )
        return f"{title}{text}\n{_inline(before)}{{{answers}{_feedback(item)}}}{_inline(after)}"
    if item.type == "numeric":
        if p.get("unit"):
            text += f" ({escape(p['unit'])})"
        return f"{title}{text} {{#{p['solution']}:{p.get('tolerance') or 0}{_feedback(item)}}}"
    if item.type == "matching":
        pairs = " ".join(f"={_line(x['left'])} -> {_line(x['right'])}" for x in p["pairs"])
        return f"{title}{text} {{{pairs}{_feedback(item)}}}"
    if item.type == "fact_or_opinion":
        names = kind_names(language)
        text += "\n" + _body(f"„{p['statement']}“")
        entries = [("=" if c == p["solution"] else "~", names[c], None) for c in p["choices"]]
        return f"{title}{text} {{{_choices(entries)}{_feedback(item)}}}"
    if item.type == "reflection":
        return f"{title}{text} {{{_feedback(item).strip()}}}"
    return None


def export_gift(slug: str) -> str:
    """Return the bank's published questions as a GIFT file."""
    bank, items = published_items(slug)
    out = [f"// {bank.title}", f"// quizapp bank {bank.slug}", f"$CATEGORY: {bank.slug}", ""]
    for item in items:
        text = question(item, bank.language)
        if text is None:
            out.append(f"// {item.key}: {item.type} can't be written in GIFT; use moodle-xml")
        else:
            out.append(text)
        out.append("")
    return "\n".join(out)
