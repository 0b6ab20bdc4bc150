"""Export a stored bank as a bank file (YAML) in its canonical form: export → import → export is
byte-identical."""

import yaml
from sqlalchemy import select

from quizapp.banks.interchange import ExportError, bank_or_error
from quizapp.banks.schema import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import Bank, Claim, Question


class _FlowList(list):
    """A short list written on one line: [a, b]."""


class _FlowDict(dict):
    """A small mapping written on one line: {text: …, correct: true}."""


WIDTH = 100
# Characters that must be escaped: YAML's own line breaks, carriage return, byte-order mark.
_ESCAPE = "\x85\u2028\u2029\r\ufeff"
# Entries that read best on one line when they are short (options, pairs, gaps, sources).
FLOW_WIDTH = 88


class _Dumper(yaml.SafeDumper):
    """YAML for people: multi-line text as literal blocks, short lists inline, no key sorting."""

    def ignore_aliases(self, data: object) -> bool:
        """Never write anchors: each value is written where it is."""
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list entries under their key, as people write them."""
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Write multi-line text as a literal block."""
    if any(char in _ESCAPE or (char < " " and char not in "\n\t") for char in value):
        style = '"'  # YAML would read these back as line breaks or reject them unescaped
    elif "\n" in value:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    """Write a short list inline."""
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.Node:
    """Write a small mapping inline."""
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow)
_Dumper.add_representer(_FlowDict, _represent_flow_dict)


def _small(entries: list[dict]) -> list[dict]:
    """Mark the entries that fit on one line as inline mappings."""
    marked = []
    for entry in entries:
        flat = all(isinstance(v, str | int | float | bool | _FlowList) for v in entry.values())
        inline = _FlowDict(entry)
        short = flat and "\n" not in dump(inline).strip() and len(dump(inline)) <= FLOW_WIDTH
        marked.append(inline if short else entry)
    return marked


def dump(data: object) -> str:
    """Dump data the way bank files are written."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=96, indent=2)


def bank_document(bank: Bank) -> dict:
    """Return the bank as the data of its file (bank, claims, questions)."""
    meta = {"slug": bank.slug, "title": bank.title, "language": bank.language}
    meta["article"] = bank.article.slug
    if bank.description is not None:
        meta["description"] = bank.description
    claims = db.session.scalars(
        select(Claim).where(Claim.article_id == bank.article_id).order_by(Claim.start, Claim.key)
    )
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank.id, Question.status != "retired")
        .order_by(Question.position, Question.id)
    )
    return {
        "bank": meta,
        "claims": [_claim(claim) for claim in claims],
        "questions": [_question(question) for question in questions],
    }


def _claim(claim: Claim) -> dict:
    """Return a claim as written in a bank file (empty fields left out)."""
    data: dict = {"key": claim.key, "kind": claim.kind, "quote": claim.quote}
    optional = {
        "speaker": claim.speaker,
        "verdict": claim.verdict,
        "note": claim.note,
        "sources": _small(claim.sources) if claim.sources else None,
        "checked_on": claim.checked_on,
        "counter_positions": claim.counter_positions or None,
    }
    data.update({name: value for name, value in optional.items() if value is not None})
    return data


def _question(question: Question) -> dict:
    """Return a question's current version as written in a bank file."""
    version = question.current
    if version is None:
        raise ExportError(f"question {question.key} has no version")
    model = QUESTION_TYPES[version.type]
    data: dict = {"key": question.key}
    if question.claim is not None:
        data["claim"] = question.claim.key
    data |= {
        "type": version.type,
        "asks": version.asks,
        "status": question.status,
        "difficulty": question.difficulty,
        "tags": _FlowList(question.tags or []),
        "prompt": version.prompt,
    }
    if version.explanation:
        data["explanation"] = version.explanation
    # Through the type's model: the payload's fields in the file's order, defaults filled in.
    payload = model.model_validate({**data, **version.payload}).payload()
    for name in model.PAYLOAD:
        if name not in payload:
            continue
        value = payload[name]
        if name in ("choices", "markers"):
            value = _FlowList(value)
        elif name == "gaps":
            value = _small([{**gap, "answers": _FlowList(gap["answers"])} for gap in value])
        elif name in ("options", "pairs"):
            value = _small(value)
        data[name] = value
    return data


def export_yaml(slug: str) -> str:
    """Return the bank file of a stored bank."""
    document = bank_document(bank_or_error(slug))
    # Blank lines between sections and entries, so the file reads like a hand-written one.
    parts = [dump({"bank": document["bank"]})]
    for section in ("claims", "questions"):
        entries = [dump([entry]) for entry in document[section]]
        parts.append(f"{section}:\n" + "\n".join(_indent(entry) for entry in entries))
    return "\n".join(parts)


def _indent(text: str) -> str:
    """Indent a dumped list entry under its section key."""
    return "".join(line if line == "\n" else f"  {line}" for line in text.splitlines(True))


def export(slug: str, fmt: str) -> str:
    """Export a stored bank as yaml (the bank file), gift or moodle-xml."""
    from quizapp.banks.gift import export_gift
    from quizapp.banks.moodle_xml import export_moodle_xml

    exporters = {"yaml": export_yaml, "gift": export_gift, "moodle-xml": export_moodle_xml}
    return exporters[fmt](slug)


__all__ = ["ExportError", "export", "export_yaml"]
