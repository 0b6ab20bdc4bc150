"""The words for the codes of question imports: refusals (ServiceError) and report notes."""

from flask_babel import lazy_gettext as _l

from quizapp.errors import ServiceError

MESSAGES = {
    # Refusals: the file imports nothing.
    "bank_not_found": _l("There is no bank '%(slug)s'."),
    "file_too_large": _l("The file is larger than %(limit_kb)s KB."),
    "not_utf8": _l(
        "The file is not UTF-8 text (it looks like %(encoding)s). Save it as UTF-8 and import "
        "it again."
    ),
    "binary_file": _l("The file contains a NUL character; it is not a text file."),
    "unknown_format": _l("'%(format)s' is not a format; use gift, moodle-xml, yaml or tsv."),
    "unknown_tsv_as": _l("Tab-separated lines become matching or single_choice questions."),
    "no_questions": _l("The file contains no questions."),
    "unknown_type": _l("'%(type)s' is not a question type that can be imported."),
    "invalid_question": _l("This %(type)s question cannot be stored: %(problem)s"),
    "gift_unclosed_title": _l("The title starts with :: but is not closed by ::."),
    "gift_stray_brace": _l("A closing brace } without an opening brace {."),
    "gift_unclosed_brace": _l("The answer block opened here with { is not closed by }."),
    "gift_two_answer_blocks": _l(
        "A second answer block: a question has one; separate questions with a blank line."
    ),
    "gift_no_text": _l("The question has no text."),
    "gift_answer_without_mark": _l(
        "The answer '%(text)s' does not start with = (right) or ~ (wrong)."
    ),
    "gift_bad_weight": _l(
        "'%(weight)s' is not a weight; write %%50%% or %%-100%% (from -100 to 100)."
    ),
    "gift_unknown_type": _l(
        "{%(text)s} is no question type: mark right answers with =, wrong ones with ~, "
        "numbers with #, or write T or F."
    ),
    "gift_empty_answer": _l("An answer without text."),
    "gift_bad_number": _l("'%(number)s' is not a number, value:tolerance or min..max."),
    "gift_no_right_answer": _l("No answer is marked fully right."),
    "gift_matching_pair": _l("'%(text)s' is not a pair =left -> right."),
    "yaml_syntax": _l("%(problem)s"),
    "yaml_no_questions": _l("A bank file with a list 'questions:' is expected."),
    "yaml_not_a_question": _l("A question is a mapping of fields."),
    "tsv_line": _l("A line needs a term, a tab and a definition."),
    "tsv_too_few": _l("At least two lines of term and definition are needed."),
    "tsv_repeated": _l("The term '%(term)s' is also on line %(first)s."),
    "xml_doctype": _l("A document type declaration (<!DOCTYPE …>) is not accepted."),
    "xml_syntax": _l("Not well-formed XML: %(problem)s."),
    "xml_not_moodle": _l("Not a Moodle XML file: it must start with <quiz>."),
    "xml_bad_fraction": _l("'%(fraction)s' is not a grade fraction."),
    "xml_no_answers": _l("The question has no answers."),
    "xml_cloze_kind": _l("Only short-answer gaps can be imported, not %(part)s."),
    # Notes: what a question lost on the way.
    "category": _l("Category '%(name)s': not carried (the questions go into this bank)."),
    "description": _l("Description '%(title)s': no question type shows text alone; skipped."),
    "html_reduced": _l("HTML reduced to plain text."),
    "images": _l("Images are not carried: add them to the question here."),
    "answer_feedback": _l("Feedback on single answers is not carried for this type."),
    "several_right": _l("Several answers are right: imported as multiple choice."),
    "weights": _l("Answer weights not carried: right answers score by our rule."),
    "distractor": _l("The extra answer '%(text)s' without a partner is not carried."),
    "partial_answer": _l("The partly right answer '%(text)s' (%(weight)s%%) is not carried."),
    "claim": _l("Claim '%(claim)s' is not in this bank's article: tie the question to a claim."),
    "key_changed": _l("The key '%(wanted)s' is taken; the question is '%(key)s'."),
    "claims_not_imported": _l(
        "Claims of the file not imported (%(count)s): claims are made on the article."
    ),
}


class _Params(dict):
    """Message parameters that print a missing one as '?' rather than fail."""

    def __missing__(self, key: str) -> str:
        return "?"


def describe(code: str, params: dict) -> str:
    """Return the text of a code with its parameters, in the current language."""
    message = MESSAGES.get(code)
    if message is None:
        return code
    return str(message) % _Params(params)


def describe_error(error: ServiceError) -> str:
    """Render a refused import as `file:line: field: message`."""
    params = dict(error.params)
    where = ":".join(str(params[name]) for name in ("file", "line") if name in params)
    field = f"{error.field}: " if error.field else ""
    return f"{where + ': ' if where else ''}{field}{describe(error.code, params)}"
