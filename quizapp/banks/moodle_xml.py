"""Export a bank's published questions as Moodle XML (every type has a Moodle counterpart)."""

import html
import xml.etree.ElementTree as ET  # builds the export, never parses input  # nosec B405

from quizapp.banks.interchange import Item, kind_names, published_items
from quizapp.grading import GAP


def _html(text: str) -> str:
    """Return plain text as Moodle HTML (escaped, line breaks kept)."""
    return "<br>".join(html.escape(line) for line in text.strip().split("\n"))


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    """Add <tag format=…><text>…</text></tag>."""
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = _html(text) if fmt == "html" else text
    return element


def _value(parent: ET.Element, tag: str, value: object) -> None:
    """Add <tag>value</tag>."""
    ET.SubElement(parent, tag).text = str(value)


def _answer(parent: ET.Element, fraction: float, text: str, feedback: str | None = None) -> None:
    """Add an answer with its grade fraction (percent) and optional feedback."""
    answer = ET.SubElement(
        parent, "answer", {"fraction": f"{fraction:.5f}".rstrip("0").rstrip(".")}
    )
    answer.set("format", "html")
    ET.SubElement(answer, "text").text = _html(text)
    if feedback:
        _text(answer, "feedback", feedback)


def _cloze_answer(text: str) -> str:
    """Escape an answer inside Moodle's embedded-answer (Cloze) syntax."""
    for char in '\\}#~/"':
        text = text.replace(char, "\\" + char)
    return text


def _choices(question: ET.Element, single: bool, options: list[tuple[float, str, str | None]]):
    """Fill a multichoice question."""
    _value(question, "single", "true" if single else "false")
    _value(question, "shuffleanswers", "true")
    _value(question, "answernumbering", "none")
    for fraction, text, feedback in options:
        _answer(question, fraction, text, feedback)


def question(item: Item, language: str) -> ET.Element:
    """Return one <question> element."""
    p = item.payload
    moodle_type = {
        "single_choice": "multichoice",
        "multiple_choice": "multichoice",
        "fact_or_opinion": "multichoice",
        "true_false": "truefalse",
        "cloze": "cloze",
        "numeric": "numerical",
        "ordering": "ordering",
        "matching": "matching",
        "reflection": "essay",
    }[item.type]
    element = ET.Element("question", {"type": moodle_type})
    name = ET.SubElement(element, "name")
    ET.SubElement(name, "text").text = item.key
    prompt = item.prompt
    if item.type == "true_false" and p.get("statement"):
        prompt += "\n" + p["statement"]
    if item.type == "fact_or_opinion":
        prompt += f"\n„{p['statement']}“"
    if item.type == "numeric" and p.get("unit"):
        prompt += f" ({p['unit']})"
    if item.type == "cloze":
        answers = iter(p["gaps"])
        text = GAP.sub(
            lambda _m: (
                "{1:SHORTANSWER:"
                + "~".join(f"={_cloze_answer(a)}" for a in next(answers)["answers"])
                + "}"
            ),
            html.escape(p["text"]),
        )
        prompt_html = _html(prompt) + "<br>" + text
        question_text = ET.SubElement(element, "questiontext", {"format": "html"})
        ET.SubElement(question_text, "text").text = prompt_html
    else:
        _text(element, "questiontext", prompt)
    _text(element, "generalfeedback", item.explanation)
    _value(element, "defaultgrade", 0 if item.type == "reflection" else 1)
    _value(element, "penalty", 0)
    _value(element, "hidden", 0)
    _value(element, "idnumber", item.key)
    if item.type == "single_choice":
        _choices(
            element,
            True,
            [(100 if o["correct"] else 0, o["text"], o.get("feedback")) for o in p["options"]],
        )
    elif item.type == "multiple_choice":
        share = 100 / sum(1 for o in p["options"] if o["correct"])
        _choices(
            element,
            False,
            [
                (share if o["correct"] else -share, o["text"], o.get("feedback"))
                for o in p["options"]
            ],
        )
    elif item.type == "fact_or_opinion":
        names = kind_names(language)
        _choices(
            element,
            True,
            [(100 if c == p["solution"] else 0, names[c], None) for c in p["choices"]],
        )
    elif item.type == "true_false":
        _answer(element, 100 if p["solution"] else 0, "true")
        _answer(element, 0 if p["solution"] else 100, "false")
    elif item.type == "numeric":
        _answer(element, 100, str(p["solution"]))
        _value(element.findall("answer")[-1], "tolerance", p.get("tolerance") or 0)
        if p.get("unit"):
            # The unit as Moodle keeps it; the prompt names it, so answers are plain numbers (3).
            unit = ET.SubElement(ET.SubElement(element, "units"), "unit")
            _value(unit, "multiplier", 1)
            _value(unit, "unit_name", p["unit"])
            _value(element, "showunits", 3)
    elif item.type == "ordering":
        for tag, value in (
            ("layouttype", "VERTICAL"),
            ("selecttype", "ALL"),
            ("selectcount", 0),
            ("gradingtype", "ABSOLUTE_POSITION"),
            ("showgrading", "SHOW"),
            ("numberingstyle", "none"),
        ):
            _value(element, tag, value)
        for position, text in enumerate(p["items"], start=1):
            _answer(element, position, text)
    elif item.type == "matching":
        _value(element, "shuffleanswers", "true")
        for pair in p["pairs"]:
            sub = _text(element, "subquestion", pair["left"])
            answer = ET.SubElement(sub, "answer")
            ET.SubElement(answer, "text").text = pair["right"]
    elif item.type == "reflection":
        _value(element, "responseformat", "plain")
        _value(element, "responserequired", 1)
        _value(element, "responsefieldlines", 8)
        _value(element, "attachments", 0)
        if p.get("min_words"):
            _value(element, "minwordlimit", p["min_words"])
    return element


def export_moodle_xml(slug: str) -> str:
    """Return the bank's published questions as a Moodle XML file."""
    bank, items = published_items(slug)
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    ET.SubElement(ET.SubElement(category, "category"), "text").text = f"$course$/top/{bank.slug}"
    _text(category, "info", bank.title)
    for item in items:
        quiz.append(question(item, bank.language))
    ET.indent(quiz, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
