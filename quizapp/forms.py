"""What every form of the app shares: the one whitespace filter, the answer fields of a question."""

from werkzeug.datastructures import MultiDict

from quizapp.grading import RawAnswer


def strip(value):
    """Trim surrounding whitespace from text input (other values pass unchanged)."""
    return value.strip() if isinstance(value, str) else value


def raw_answer(qtype: str, view: dict, form: MultiDict) -> RawAnswer:
    """Turn the submitted fields of a question form into the raw answer grading parses.

    Field names: `answer` (choices, true/false, number, category, free text), `gap-N` (cloze),
    `position-N` (ordering: the item id at place N), `match-I` (matching: right id for left I).
    """
    if qtype == "multiple_choice":
        return form.getlist("answer")
    if qtype == "cloze":
        return [form.get(f"gap-{n}", "") for n in range(1, view["gap_count"] + 1)]
    if qtype == "ordering":
        return [form.get(f"position-{n}", "") for n in range(1, len(view["items"]) + 1)]
    if qtype == "matching":
        return {
            str(left["index"]): form.get(f"match-{left['index']}", "") for left in view["lefts"]
        }
    return form.get("answer", "")
