"""Read Moodle XML questions of the types we share into draft questions.

Parsed with expat directly so that every element knows its line; a document type
declaration (the way to entity bombs and external entities) is refused.
"""

import re
import xml.parsers.expat
from dataclasses import dataclass, field

from quizapp.banks.foreign import GAP_PROMPT, Draft, Note, ReadError, ReadResult, Skipped
from quizapp.banks.html_text import html_to_text

# Moodle types and ours; description and category become no question.
MAPPED = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay")
MAPPED += ("ordering", "cloze")
SKIPPED = ("category", "description")
# Embedded answers (Moodle's Cloze) of the short-answer kinds: {1:SHORTANSWER:=a~=b}.
_EMBEDDED = re.compile(r"\{(\d*):(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC):((?:\\.|[^}])*)\}")
_ANY_EMBEDDED = re.compile(r"\{\d*:[A-Z_]+:(?:\\.|[^}])*\}")


@dataclass
class Element:
    """An XML element: tag, attributes, text, children and the line it starts on."""

    tag: str
    attrib: dict
    line: int
    children: list["Element"] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> "Element | None":
        """The first child with this tag."""
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list["Element"]:
        """The children with this tag."""
        return [child for child in self.children if child.tag == tag]

    def walk(self) -> "list[Element]":
        """This element and all below it."""
        return [self, *(node for child in self.children for node in child.walk())]

    def value(self, path: str, default: str = "") -> str:
        """The text at a /-separated path of child tags."""
        node: Element | None = self
        for tag in path.split("/"):
            node = node.find(tag) if node else None
        return node.text if node is not None else default


def parse(text: str) -> Element:
    """Parse XML into elements with lines; ReadError names the line of a syntax error."""
    parser = xml.parsers.expat.ParserCreate()
    root: list[Element] = []
    stack: list[Element] = []

    def start(tag: str, attrib: dict) -> None:
        element = Element(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].text += chunk

    def doctype(*args: object) -> None:
        raise ReadError("xml_doctype", parser.CurrentLineNumber, "file")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = doctype
    parser.buffer_text = True
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as error:
        raise ReadError(
            "xml_syntax", error.lineno, "file", problem=xml.parsers.expat.ErrorString(error.code)
        ) from None
    if not root or root[0].tag != "quiz":
        raise ReadError("xml_not_moodle", 1, "file")
    return root[0]


def read_moodle_xml(text: str, language: str = "de") -> ReadResult:
    """Read `<quiz>` with its `<question type=…>` elements."""
    result = ReadResult()
    for element in parse(text).findall("question"):
        kind = element.attrib.get("type", "")
        if kind in SKIPPED:
            name = element.value("category/text") or element.value("name/text")
            result.skipped.append(Skipped(element.line, Note(kind, {"name": name, "title": name})))
            continue
        if kind not in MAPPED:
            raise ReadError("unknown_type", element.line, "type", type=kind)
        draft = _question(element, kind, language)
        if any(node.tag == "file" or "<img" in node.text.casefold() for node in element.walk()):
            draft.note("images")
        result.drafts.append(draft)
    return result


def _html(element: Element | None) -> str:
    """The text of a <… format=…><text>…</text></…> element, HTML reduced to text."""
    if element is None:
        return ""
    text = element.value("text")
    if element.attrib.get("format", "html") == "html":
        return html_to_text(text)
    return text.strip()


def _fraction(answer: Element) -> float:
    """An answer's grade in percent."""
    raw = answer.attrib.get("fraction", "0")
    try:
        return float(raw)
    except ValueError:
        raise ReadError("xml_bad_fraction", answer.line, "fraction", fraction=raw) from None


def _question(element: Element, kind: str, language: str) -> Draft:
    """Read one question of a shared type."""
    draft = Draft(
        line=element.line,
        type="",
        prompt=_html(element.find("questiontext")),
        payload={},
        explanation=_html(element.find("generalfeedback")),
        title=element.value("name/text").strip() or None,
    )
    answers = element.findall("answer")
    if kind == "multichoice":
        single = element.value("single", "true").strip() in ("true", "1")
        fractions = [_fraction(a) for a in answers]
        options = []
        for answer, fraction in zip(answers, fractions, strict=True):
            option = {"text": _html(answer), "correct": fraction > 0}
            if feedback := _html(answer.find("feedback")):
                option["feedback"] = feedback
            options.append(option)
        best = max(fractions, default=0)
        if single and fractions.count(best) == 1 and best > 0:
            # One answer: the best one is right; partial credit for others is not carried.
            draft.type = "single_choice"
            for option, fraction in zip(options, fractions, strict=True):
                option["correct"] = fraction == best
            if best != 100 or any(0 < f < best for f in fractions):
                draft.note("weights")
        else:
            draft.type = "multiple_choice"
        draft.payload = {"options": options}
    elif kind == "truefalse":
        right = max(answers, key=_fraction, default=None)
        if right is None:
            raise ReadError("xml_no_answers", element.line, "answer")
        draft.type = "true_false"
        draft.payload = {"solution": _html(right).casefold() in ("true", "wahr")}
        if any(a.find("feedback") is not None and _html(a.find("feedback")) for a in answers):
            draft.note("answer_feedback")
    elif kind == "shortanswer":
        full = [_html(a) for a in answers if _fraction(a) == 100]
        if not full:
            raise ReadError("gift_no_right_answer", element.line, "answer")
        for answer in answers:
            if _fraction(answer) != 100:
                draft.note(
                    "partial_answer", text=_html(answer), weight=answer.attrib.get("fraction")
                )
        draft.type = "cloze"
        draft.payload = {"text": "{1}", "gaps": [{"answers": full}]}
    elif kind == "numerical":
        _numerical(draft, answers, element, language)
    elif kind == "matching":
        pairs = []
        for sub in element.findall("subquestion"):
            left, right = _html(sub), sub.value("answer/text").strip()
            if not left:
                draft.note("distractor", text=right)
            else:
                pairs.append({"left": left, "right": right})
        draft.type, draft.payload = "matching", {"pairs": pairs}
    elif kind == "essay":
        draft.type = "reflection"
        words = element.value("minwordlimit").strip()
        draft.payload = {"min_words": int(words)} if words.isdigit() and int(words) else {}
    elif kind == "ordering":
        ranked = sorted(answers, key=_fraction)
        draft.type, draft.payload = "ordering", {"items": [_html(a) for a in ranked]}
    else:
        _cloze(draft, element, language)
    return draft


def _numerical(draft: Draft, answers: list[Element], element: Element, language: str) -> None:
    """The first fully right answer with its tolerance; a unit is kept if there is one."""
    full = [a for a in answers if _fraction(a) == 100]
    if not full:
        raise ReadError("gift_no_right_answer", element.line, "answer")
    answer = full[0]
    numbers = []
    for raw in (_html(answer), answer.value("tolerance", "0").strip() or "0"):
        try:
            value = float(raw)
        except ValueError:
            raise ReadError("gift_bad_number", answer.line, "answer", number=raw) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ReadError("gift_bad_number", answer.line, "answer", number=raw)
        numbers.append(int(value) if value.is_integer() and "." not in raw else value)
    draft.type = "numeric"
    draft.payload = {"solution": numbers[0], "tolerance": abs(numbers[1])}
    for other in answers:
        if other is not answer:
            draft.note("partial_answer", text=_html(other), weight=other.attrib.get("fraction"))
    units = element.find("units")
    if units is not None and (unit := units.value("unit/unit_name").strip()):
        draft.payload["unit"] = unit
        # Our own export names the unit after the prompt as well.
        draft.prompt = draft.prompt.removesuffix(f" ({unit})")


def _cloze(draft: Draft, element: Element, language: str) -> None:
    """Embedded short answers become gaps; the line before them, if any, the prompt."""
    gaps: list[dict] = []

    def gap(match: re.Match) -> str:
        answers = []
        for part in re.split(r"(?<!\\)~", match.group(3)):
            if part.startswith(("=", "%100%")):
                answer = re.split(r"(?<!\\)#", part.removeprefix("=").removeprefix("%100%"))[0]
                answers.append(re.sub(r"\\(.)", r"\1", answer).strip())
        answers = [a for a in answers if a]
        if not answers:
            raise ReadError("gift_no_right_answer", element.line, "questiontext")
        gaps.append({"answers": answers})
        return "{" + str(len(gaps)) + "}"

    raw = element.value("questiontext/text")
    replaced = _EMBEDDED.sub(gap, raw)
    other = _ANY_EMBEDDED.search(replaced)
    if other:
        raise ReadError("xml_cloze_kind", element.line, "questiontext", part=other.group(0)[:40])
    lines = html_to_text(replaced).split("\n")
    first_gap = next((i for i, line in enumerate(lines) if "{1}" in line), 0)
    if first_gap:
        prompt, text = "\n".join(lines[:first_gap]), "\n".join(lines[first_gap:])
    else:
        prompt, text = GAP_PROMPT.get(language, GAP_PROMPT["en"]), "\n".join(lines)
    draft.type, draft.prompt, draft.payload = "cloze", prompt, {"text": text, "gaps": gaps}
