"""Read Moodle GIFT text into draft questions of our types, as Moodle's GIFT import reads it.

Questions are separated by blank lines; `//` starts a comment line; `$CATEGORY:` lines are
skipped. A question is `::title::` (optional), a format marker (optional), its text and one
answer block `{…}`; text after the block makes it a missing-word question. The block says the
type: `{}` essay, `{T}`/`{F}` true-false, `{#…}` numeric, `=a -> b` matching, `~` choices,
only `=` short answer; no block is a description (skipped). `\\` escapes ~ = # { } : and n.
"""

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal

from quizapp.banks.foreign import GAP_PROMPT, Draft, Note, ReadError, ReadResult, Skipped
from quizapp.banks.html_text import html_to_text

# Escapable characters, each kept as a private-use placeholder while parsing.
_ESCAPABLE = "\\~=#{}:"
_HOLD = {char: chr(0xE000 + index) for index, char in enumerate(_ESCAPABLE)}
_HOLD["n"] = chr(0xE000 + len(_ESCAPABLE))  # \n: a line break inside a question
_RELEASE = {ord(held): char for char, held in _HOLD.items()} | {ord(_HOLD["n"]): "\n"}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%([^%]*)%")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class _Text:
    """A question's text with escapes held, and where its lines start (for line numbers)."""

    text: str
    numbers: list[int]  # the file line of each line of the text
    starts: list[int]  # the index where each line of the text starts

    @classmethod
    def of(cls, numbers: list[int], lines: list[str]) -> "_Text":
        """Join a question's lines, holding escapes (an escaped n is a held line break)."""
        held = [_ESCAPE.sub(lambda m: _HOLD[m.group(1)], line) for line in lines]
        starts, offset = [], 0
        for line in held:
            starts.append(offset)
            offset += len(line) + 1
        return cls("\n".join(held), numbers, starts)

    def line(self, index: int) -> int:
        """The file line of the character at index."""
        return self.numbers[max(bisect_right(self.starts, index) - 1, 0)]

    def find(self, needle: str, start: int = 0) -> int:
        """Index of needle from start, or -1."""
        return self.text.find(needle, start)


def release(text: str) -> str:
    """Turn held escapes back into their characters."""
    return text.translate(_RELEASE)


def _blocks(text: str) -> list[tuple[list[int], list[str]]]:
    """Split into questions: runs of non-blank lines, comment lines left out."""
    blocks, numbers, lines = [], [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if lines:
                blocks.append((numbers, lines))
            numbers, lines = [], []
        elif not line.lstrip().startswith("//"):
            numbers.append(number)
            lines.append(line)
    if lines:
        blocks.append((numbers, lines))
    return blocks


def read_gift(text: str, language: str = "de") -> ReadResult:
    """Read GIFT text (newlines already \\n) into drafts; raise ReadError on malformed input."""
    result = ReadResult()
    for numbers, lines in _blocks(text):
        while lines and lines[0].lstrip().startswith("$CATEGORY:"):
            result.skipped.append(
                Skipped(numbers[0], Note("category", {"name": lines[0].split(":", 1)[1].strip()}))
            )
            numbers, lines = numbers[1:], lines[1:]
        if not lines:
            continue
        draft = _question(_Text.of(numbers, lines), language)
        if isinstance(draft, Skipped):
            result.skipped.append(draft)
        else:
            result.drafts.append(draft)
    return result


def _question(q: _Text, language: str) -> Draft | Skipped:
    """Read one question."""
    first_line = q.line(0)
    start = len(q.text) - len(q.text.lstrip())
    title = None
    if q.text.startswith("::", start):
        end = q.find("::", start + 2)
        if end < 0:
            raise ReadError("gift_unclosed_title", first_line, "title")
        title = release(q.text[start + 2 : end]).strip()
        start = end + 2
    fmt = "moodle"
    marker = _FORMAT.match(q.text[start:])
    if marker:
        fmt = marker.group(1).lower()
        start += marker.end()
    opening = q.find("{", start)
    closing = q.find("}", start)
    if opening < 0:
        if closing >= 0:
            raise ReadError("gift_stray_brace", q.line(closing), "answers")
        text = release(q.text[start:])
        text = html_to_text(text) if fmt == "html" else text
        return Skipped(first_line, Note("description", {"title": title or _short(text)}))
    if closing < 0:
        raise ReadError("gift_unclosed_brace", q.line(opening), "answers")
    if closing < opening:
        raise ReadError("gift_stray_brace", q.line(closing), "answers")
    nested = q.find("{", opening + 1)
    if nested >= 0 and nested < closing:
        raise ReadError("gift_unclosed_brace", q.line(opening), "answers")
    tail = q.text[closing + 1 :]
    for char in "{}":
        if char in tail:
            raise ReadError("gift_two_answer_blocks", q.line(closing + 1 + tail.find(char)))
    before = q.text[start:opening]
    after = tail
    missing_word = bool(after.strip())
    draft = _answers(q, opening, closing, title)
    notes = draft.notes
    raw_text = release(before + ("_____" + after if missing_word else ""))
    if draft.type == "cloze":
        draft.prompt, draft.payload["text"] = _cloze_text(
            release(before), release(after), missing_word, language
        )
    else:
        draft.prompt = raw_text.strip()
    if fmt == "html":
        if "<img" in q.text.casefold():
            notes.append(Note("images"))
        _reduce_html(draft)
        notes.append(Note("html_reduced"))
    if not draft.prompt:
        raise ReadError("gift_no_text", first_line, "prompt")
    return draft


def _reduce_html(draft: Draft) -> None:
    """In an [html] question, answers and feedback are HTML too: keep their text."""
    p = draft.payload
    draft.prompt = html_to_text(draft.prompt)
    draft.explanation = html_to_text(draft.explanation)
    if "text" in p:
        p["text"] = html_to_text(p["text"])
    for option in p.get("options", []):
        option["text"] = html_to_text(option["text"])
        if "feedback" in option:
            option["feedback"] = html_to_text(option["feedback"])
    for pair in p.get("pairs", []):
        pair["left"] = html_to_text(pair["left"])
    for gap in p.get("gaps", []):
        gap["answers"] = [html_to_text(answer) for answer in gap["answers"]]


def _cloze_text(before: str, after: str, missing_word: bool, language: str) -> tuple[str, str]:
    """Split a short answer into prompt and cloze text with the gap {1}."""
    before = before.lstrip()
    if "\n" in before:
        prompt, sentence = before.rsplit("\n", 1)
        if prompt.strip():
            return prompt.strip(), f"{sentence}{{1}}{after.rstrip()}"
    if not missing_word:
        return before.strip(), "{1}"
    return GAP_PROMPT.get(language, GAP_PROMPT["en"]), f"{before}{{1}}{after.rstrip()}"


def _short(text: str) -> str:
    """The first words of a text, for reports."""
    words = text.split()
    return " ".join(words[:8]) + (" …" if len(words) > 8 else "")


def _split_feedback(q: _Text, opening: int, closing: int) -> tuple[int, str]:
    """Return where the answers end and the general feedback (after ####)."""
    marker = q.text.rfind("####", opening, closing)
    if marker >= 0:
        return marker, release(q.text[marker + 4 : closing]).strip()
    return closing, ""


def _answers(q: _Text, opening: int, closing: int, title: str | None) -> Draft:
    """Read the answer block into a draft (prompt filled in by the caller)."""
    end, general = _split_feedback(q, opening, closing)
    body = q.text[opening + 1 : end]
    stripped = body.strip()
    line = q.line(opening)
    draft = Draft(line=q.line(0), type="", prompt="", payload={}, explanation=general, title=title)
    if not stripped:
        draft.type = "reflection"
        return draft
    offset = opening + 1 + (len(body) - len(body.lstrip()))
    if stripped.startswith("#"):
        return _numeric(q, draft, offset + 1, end)
    head = stripped.split("#", 1)[0].strip()
    if head in _TRUE_FALSE:
        draft.type, draft.payload = "true_false", {"solution": _TRUE_FALSE[head]}
        if "#" in stripped:
            draft.note("answer_feedback")
        return draft
    if "=" not in stripped and "~" not in stripped:
        raise ReadError("gift_unknown_type", line, "answers", text=_short(release(stripped)))
    # Moodle's order: a ~ makes choices, = with -> a matching, else a short answer. Only a
    # short answer's = takes a weight (=%50%); in choices and pairs % is text after =.
    if "~" in stripped:
        return _choice(draft, _marked(q, offset, end, weighted_equals=False))
    if "=" in stripped and "->" in stripped:
        return _matching(draft, _marked(q, offset, end, weighted_equals=False))
    return _short_answer(draft, _marked(q, offset, end, weighted_equals=True), line)


@dataclass
class _Answer:
    """One answer of a block: its mark, weight (percent), text, feedback and line."""

    mark: str
    weight: float
    text: str
    feedback: str
    line: int


def _marked(q: _Text, start: int, end: int, weighted_equals: bool) -> list[_Answer]:
    """Split answers at = and ~; each may carry #feedback, ~ (and = if so told) a %weight%."""
    answers: list[_Answer] = []
    index = start
    body = q.text
    while index < end:
        char = body[index]
        if char.isspace():
            index += 1
            continue
        if char not in "=~":
            raise ReadError(
                "gift_answer_without_mark",
                q.line(index),
                "answers",
                text=release(body[index:end]).split()[0],
            )
        following = [i for i in (body.find("=", index + 1), body.find("~", index + 1)) if i >= 0]
        stop = min([i for i in following if i < end] or [end])
        answers.append(_answer(q, char, index + 1, stop, char == "~" or weighted_equals))
        index = stop
    return answers


def _answer(q: _Text, mark: str, start: int, stop: int, weighted: bool = True) -> _Answer:
    """Read one answer's weight (if it may have one), text and feedback."""
    raw = q.text[start:stop].lstrip()
    line = q.line(start - 1)
    weight = 100.0 if mark == "=" else 0.0
    explicit = _WEIGHT.match(raw)
    if weighted and raw.startswith("%"):
        if not explicit:
            raise ReadError("gift_bad_weight", line, "answers", weight=release(raw.split()[0]))
        weight = _weight(explicit.group(1), line)
        raw = raw[explicit.end() :]
    text, _, feedback = raw.partition("#")
    text = release(text).strip()
    if not text:
        raise ReadError("gift_empty_answer", line, "answers")
    return _Answer(mark, weight, text, release(feedback).strip(), line)


def _weight(text: str, line: int) -> float:
    """A weight is a number of percent from -100 to 100."""
    value = _number(text, line, "gift_bad_weight", "weight")
    if not -100 <= value <= 100:
        raise ReadError("gift_bad_weight", line, "answers", weight=text)
    return float(value)


def _number(text: str, line: int, code: str, name: str) -> int | float:
    """Parse a decimal number (int when written without a point)."""
    text = release(text).strip()
    if not _NUMBER.match(text):
        raise ReadError(code, line, "answers", **{name: text})
    value = float(text)
    if not math.isfinite(value):
        raise ReadError(code, line, "answers", **{name: text})
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else value


def _choice(draft: Draft, answers: list[_Answer]) -> Draft:
    """`~` answers: single choice when one is marked `=`, else multiple choice by weights."""
    if any(a.mark == "=" for a in answers):
        right = [a for a in answers if a.mark == "="]
        draft.type = "single_choice" if len(right) == 1 else "multiple_choice"
        if len(right) > 1:
            draft.note("several_right")
        correct = [a.mark == "=" for a in answers]
        if any(a.mark == "~" and a.weight != 0 for a in answers) or any(
            a.weight != 100 for a in right
        ):
            draft.note("weights")
    else:
        draft.type = "multiple_choice"
        correct = [a.weight > 0 for a in answers]
        if not any(correct):
            raise ReadError("gift_no_right_answer", answers[0].line, "answers")
        share = 100 / sum(correct)
        if any(
            not math.isclose(abs(a.weight), share, abs_tol=1e-3) and not (a.weight == 0 and not c)
            for a, c in zip(answers, correct, strict=True)
        ):
            draft.note("weights")
    draft.payload = {
        "options": [
            {"text": a.text, "correct": c, **({"feedback": a.feedback} if a.feedback else {})}
            for a, c in zip(answers, correct, strict=True)
        ]
    }
    return draft


def _matching(draft: Draft, answers: list[_Answer]) -> Draft:
    """`=left -> right` pairs; a right side without left is a distractor we can't carry."""
    pairs = []
    for answer in answers:
        if answer.mark != "=" or "->" not in answer.text:
            raise ReadError("gift_matching_pair", answer.line, "answers", text=answer.text)
        left, right = (part.strip() for part in answer.text.split("->", 1))
        if not right:
            raise ReadError("gift_matching_pair", answer.line, "answers", text=answer.text)
        if not left:
            draft.note("distractor", text=right)
            continue
        pairs.append({"left": left, "right": right})
        if answer.feedback:
            draft.note("answer_feedback")
    draft.type, draft.payload = "matching", {"pairs": pairs}
    return draft


def _short_answer(draft: Draft, answers: list[_Answer], line: int) -> Draft:
    """Only `=` answers: a cloze with one gap; partly right answers can't be carried."""
    full = [a.text for a in answers if a.weight == 100]
    if not full:
        raise ReadError("gift_no_right_answer", line, "answers")
    for answer in answers:
        if answer.weight != 100:
            draft.note("partial_answer", text=answer.text, weight=_percent(answer.weight))
        elif answer.feedback:
            draft.note("answer_feedback")
    draft.type, draft.payload = "cloze", {"gaps": [{"answers": full}]}
    return draft


def _percent(value: float) -> str:
    """Write a weight without needless decimals."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _numeric(q: _Text, draft: Draft, start: int, end: int) -> Draft:
    """`{#value:tolerance}`, `{#min..max}`, or several `=` answers of those forms; `~#…` at
    the end is feedback for any other answer."""
    draft.type = "numeric"
    wrong = q.find("~", start)
    if 0 <= wrong < end:
        draft.note("answer_feedback")
        end = wrong
    answers = []
    marks = [start - 1] + [i for i in range(start, end) if q.text[i] == "="] + [end]
    for index, (mark, stop) in enumerate(zip(marks, marks[1:], strict=False)):
        if index == 0 and not q.text[start:stop].strip():
            continue  # the usual case: the first answer starts with =
        answers.append(_answer(q, "=", mark + 1, stop))
    if not answers:
        raise ReadError("gift_no_right_answer", q.line(start), "answers")
    values = [(a, _range(a.text, a.line)) for a in answers]
    full = [(a, v) for a, v in values if a.weight == 100]
    if not full:
        raise ReadError("gift_no_right_answer", q.line(start), "answers")
    (_, (solution, tolerance)), rest = full[0], full[1:]
    draft.payload = {"solution": solution, "tolerance": tolerance}
    for other, _ in [*rest, *[(a, v) for a, v in values if a.weight != 100]]:
        draft.note("partial_answer", text=other.text, weight=_percent(other.weight))
    if any(a.feedback for a in answers) and "answer_feedback" not in [n.code for n in draft.notes]:
        draft.note("answer_feedback")
    return draft


def _range(text: str, line: int) -> tuple[int | float, int | float]:
    """Read `value`, `value:tolerance` or `min..max` as (solution, tolerance)."""
    if ".." in text:
        low_text, high_text = text.split("..", 1)
        low = _number(low_text, line, "gift_bad_number", "number")
        high = _number(high_text, line, "gift_bad_number", "number")
        if high < low:
            raise ReadError("gift_bad_number", line, "answers", number=text)
        low_exact, high_exact = (
            Decimal(release(low_text).strip()),
            Decimal(release(high_text).strip()),
        )
        return _tidy(float((low_exact + high_exact) / 2)), _tidy(
            float((high_exact - low_exact) / 2)
        )
    value_text, _, tolerance_text = text.partition(":")
    value = _number(value_text, line, "gift_bad_number", "number")
    tolerance = _number(tolerance_text, line, "gift_bad_number", "number") if tolerance_text else 0
    if tolerance < 0:
        raise ReadError("gift_bad_number", line, "answers", number=text)
    return value, tolerance


def _tidy(value: float) -> int | float:
    """An integral float as an int (so 2035.0 reads 2035)."""
    return int(value) if float(value).is_integer() else value
