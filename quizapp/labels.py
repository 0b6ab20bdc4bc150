"""Words for claim kinds and verdicts, shared by every page that shows a claim."""

from flask_babel import lazy_gettext as _l

# The kind of a statement, apart from its truth (the verdict says whether it holds): `fact`
# and `claim` are both statements of fact; `claim` marks one whose verdict is not "true".
KIND_LABELS = {
    "fact": _l("Statement of fact (checkable)"),
    # Not plain "Claim": other areas translate that msgid as "Aussage" (statement).
    "claim": _l("Claim (kind of statement)"),
    "opinion": _l("Opinion"),
    "quote": _l("Quote"),
    "prediction": _l("Prediction"),
}
KIND_HELP = {
    "fact": _l("checkable, true or false; the verdict says whether it holds"),
    "claim": _l("a statement of fact that does not (fully) hold, is disputed or not yet checked"),
    "opinion": _l("an evaluation or interpretation of the author"),
    "quote": _l("someone else's words"),
    "prediction": _l("a statement about the future"),
}
VERDICT_LABELS = {
    "true": _l("correct"),
    "partly": _l("partly correct"),
    "misleading": _l("misleading"),
    "false": _l("false"),
    "unverifiable": _l("cannot be verified"),
    None: _l("not checked"),
}
# Anforderungsbereiche (levels of demand) as bank tags.
LEVEL_LABELS = {
    "afb-1": _l("Level I: reproduce"),
    "afb-2": _l("Level II: analyse"),
    "afb-3": _l("Level III: judge"),
}
TYPE_LABELS = {
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "true_false": _l("True or false"),
    "cloze": _l("Fill in the gaps"),
    "numeric": _l("Number"),
    "ordering": _l("Put in order"),
    "matching": _l("Matching"),
    "fact_or_opinion": _l("Statement of fact or opinion?"),
    "reflection": _l("Reflection"),
}


def kind_label(kind: str) -> str:
    """Return the label of a claim kind."""
    return str(KIND_LABELS.get(kind, kind))


def verdict_label(verdict: str | None) -> str:
    """Return the label of a verdict (or 'not checked')."""
    return str(VERDICT_LABELS.get(verdict, verdict))
