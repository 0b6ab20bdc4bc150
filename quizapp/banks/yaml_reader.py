"""Read the questions of a bank file (our YAML) as drafts for importing into another bank."""

from pydantic import ValidationError

from quizapp.banks.foreign import Draft, Note, ReadError, ReadResult, Skipped
from quizapp.banks.loader import YamlSyntaxError, load
from quizapp.banks.schema import QUESTION_TYPES, tidy_message

# The fields every question has; the rest belongs to its type (see schema.QuestionSpec).
COMMON = ("key", "claim", "type", "asks", "status", "difficulty", "tags", "prompt", "explanation")


def read_yaml(text: str) -> ReadResult:
    """Read `questions:` of a bank file (the `bank:` and `claims:` sections are not imported)."""
    try:
        loaded = load(text)
    except YamlSyntaxError as error:
        raise ReadError("yaml_syntax", error.line, error.key, problem=error.message) from None
    if loaded.problems:
        line, path, problem = loaded.problems[0]
        raise ReadError("yaml_syntax", line, ".".join(map(str, path)), problem=problem)
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ReadError("yaml_no_questions", loaded.line_of(("questions",)), "questions")
    result = ReadResult()
    claims = data.get("claims")
    if isinstance(claims, list) and claims:
        line = loaded.line_of(("claims",))
        result.skipped.append(Skipped(line, Note("claims_not_imported", {"count": len(claims)})))
    for index, raw in enumerate(data["questions"]):
        path = ("questions", index)
        line = loaded.line_of(path)
        if not isinstance(raw, dict):
            raise ReadError("yaml_not_a_question", line, f"questions[{index}]")
        model = QUESTION_TYPES.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
        if model is None:
            raise ReadError("unknown_type", line, "type", type=str(raw.get("type")))
        try:
            model.model_validate({**raw, "status": "draft"})
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first["loc"])
            raise ReadError(
                "invalid_question",
                loaded.line_of((*path, *loc)),
                ".".join(map(str, loc)),
                type=raw["type"],
                problem=tidy_message(first["msg"]),
            ) from None
        result.drafts.append(
            Draft(
                line=line,
                type=raw["type"],
                prompt=raw["prompt"],
                payload={name: value for name, value in raw.items() if name not in COMMON},
                explanation=raw.get("explanation", ""),
                title=raw["key"],
                asks=raw["asks"],
                claim=raw.get("claim"),
                difficulty=raw.get("difficulty", 1),
                tags=list(raw.get("tags") or []),
            )
        )
    return result
