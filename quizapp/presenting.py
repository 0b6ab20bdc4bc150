"""How answers read: instructions, answer and solution lines, feedback, attempt refusals.

Neutral: the learn pages, the API and the live export all show answers this way.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from babel.numbers import format_decimal
from flask import current_app, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp import grading
from quizapp.errors import ServiceError
from quizapp.labels import kind_label, verdict_label
from quizapp.models import Claim, QuestionVersion, Response

TYPE_LABELS = {
    "single_choice": _l("Choose one answer."),
    "multiple_choice": _l("Choose all answers that apply."),
    "true_false": _l("True or false?"),
    "cloze": _l("Fill in the gaps."),
    "numeric": _l("Enter a number."),
    "ordering": _l("Put the items in the right order."),
    "matching": _l("Match each item to its partner."),
    "fact_or_opinion": _l("What kind of statement is this?"),
    "reflection": _l("Write your thoughts. This answer is not scored."),
}
GRADING_METHOD_LABELS = {
    "highest": _l("best attempt counts"),
    "average": _l("average of all attempts"),
    "first": _l("first attempt counts"),
    "last": _l("last attempt counts"),
}
ERRORS = {
    "not_found": _l("This attempt does not exist or is not yours."),
    "not_in_attempt": _l("This question is not part of this attempt."),
    "finished": _l("This attempt is finished; answers can no longer be changed."),
    "time_up": _l(
        "Time is up: your answer arrived after the time limit and was not saved. "
        "The attempt was handed in with the answers given before."
    ),
    "invalid_answer": _l("This answer could not be read."),
    "no_attempts_left": _l("You have used all attempts allowed for this quiz."),
    "empty_quiz": _l("This quiz has no published questions yet."),
    "not_open": _l("This quiz is not open yet."),
    "archived": _l("This quiz was deleted by its teacher; the results stay."),
    "past_due": _l("The due date has passed: this quiz takes no more attempts."),
    "no_owner": _l("Start the quiz from its page first."),
    "exam_in_progress": _l(
        "You are taking the exam “%(quiz)s”, which asks these questions: hand it in first, "
        "then practise them."
    ),
    "not_finished": _l("Finish the attempt first."),
    "nothing_wrong": _l("You got every question right: there is nothing to retry."),
    "no_quiz": _l("This quiz does not exist."),
    "not_skippable": _l("Only a reflection can be skipped; please answer this question."),
    "csrf": _l(
        "The CSRF token is missing or invalid: get one from GET /api/v1/csrf and send it "
        "in the X-CSRFToken header."
    ),
    "bad_body": _l("Send a JSON object with version_id (a number) and answer."),
}


def _min_words(count: int) -> str:
    """Say how many words a reflection needs, in the right plural form."""
    return ngettext("Write at least %(num)s word.", "Write at least %(num)s words.", count)


# Grading messages with a count, and the plural-aware text shown in their place.
COUNTED_ANSWER_ERRORS = {"Write at least %(count)s words.": _min_words}


def answer_error_text(error: grading.AnswerError) -> str:
    """Return why grading could not read an answer, in the current language."""
    if error.message in COUNTED_ANSWER_ERRORS:
        return COUNTED_ANSWER_ERRORS[error.message](error.params["count"])
    return _(error.message, **error.params)


def error_message(error: ServiceError) -> str:
    """Return the learner's message for a refused operation on an attempt (learn and API)."""
    if error.code == "invalid_answer" and "answer_error" in error.params:
        return answer_error_text(error.params["answer_error"])
    text = str(ERRORS.get(error.code, ERRORS["invalid_answer"]))
    return text % error.params if error.params else text


def article_link(claim: Claim | None) -> str | None:
    """Return the link to the claim's place in the article view, when that view exists."""
    if claim is None or "content.article" not in current_app.view_functions:
        return None
    return url_for("content.article", slug=claim.article.slug, _anchor=f"claim-{claim.key}")


def percent(share: float) -> int:
    """Return a share of 0..1 as a whole percentage, rounding halves up (12.5 % → 13 %)."""
    return int(share * 100 + 0.5 + 1e-9)


def _number(value) -> str:
    """Format a number for the current language (3.5 → 3,5 in German)."""
    return _number_in(value, str(get_locale()))


@lru_cache(maxsize=4096)
def _number_in(value, locale: str) -> str:
    """Format a number for a language; remembered, as Babel reads the pattern on every call."""
    return format_decimal(value, format="#,##0.########", locale=locale)


def grading_method_label(name: str) -> str:
    """Return how a quiz's result is computed across attempts, in words."""
    return str(GRADING_METHOD_LABELS.get(name, name))


def _truth(value: bool) -> str:
    """Return the label of a true/false answer."""
    return _("True") if value else _("False")


@dataclass
class Line:
    """One line of an answer as shown: its text and whether it was right (None: not graded)."""

    text: str
    right: bool | None = None


def answer_lines(
    version: QuestionVersion, answer: grading.Answer, result: grading.Grade
) -> list[Line]:
    """Return the learner's answer as readable lines, each marked right or wrong."""
    p, t, detail = version.payload, version.type, result.detail
    if t in ("single_choice", "multiple_choice"):
        chosen = {answer} if t == "single_choice" else set(answer)
        return [
            Line(o["text"], bool(o.get("correct")))
            for o in p["options"]
            if grading.item_id(o["text"]) in chosen
        ]
    if t == "true_false":
        return [Line(_truth(answer), answer == bool(p["solution"]))]
    if t == "cloze":
        return [
            Line(_("Gap %(n)s: %(text)s", n=n, text=gap["given"] or "–"), gap["right"])
            for n, gap in enumerate(detail["gaps"], start=1)
        ]
    if t == "numeric":
        unit = p.get("unit") or ""
        return [Line(f"{_number(answer)} {unit}".strip(), result.correct)]
    if t == "ordering":
        texts = {grading.item_id(x): x for x in p["items"]}
        return [
            Line(f"{n}. {texts.get(pos['id'], '?')}", pos["right"])
            for n, pos in enumerate(detail["positions"], start=1)
        ]
    if t == "matching":
        rights = {grading.item_id(pair["right"]): pair["right"] for pair in p["pairs"]}
        return [
            Line(
                f"{p['pairs'][pair['left']]['left']} → {rights.get(pair['id'], '?')}", pair["right"]
            )
            for pair in detail["pairs"]
        ]
    if t == "fact_or_opinion":
        return [Line(kind_label(answer), answer == p["solution"])]
    return [Line(str(answer))]


def solution_lines(version: QuestionVersion) -> list[str]:
    """Return the right answer as readable lines (only once the answer is final)."""
    p, t = version.payload, version.type
    s = grading.solution(t, p)
    if t in ("single_choice", "multiple_choice"):
        return [o["text"] for o in p["options"] if grading.item_id(o["text"]) in s["options"]]
    if t == "true_false":
        return [_truth(s["value"])]
    if t == "cloze":
        return [_("Gap %(n)s: %(text)s", n=n, text=text) for n, text in enumerate(s["gaps"], 1)]
    if t == "numeric":
        line = f"{_number(s['value'])} {s['unit']}".strip()
        if s["tolerance"]:
            line += " " + _("(± %(tolerance)s accepted)", tolerance=_number(s["tolerance"]))
        return [line]
    if t == "ordering":
        return [f"{n}. {text}" for n, text in enumerate(s["order"], start=1)]
    if t == "matching":
        return [f"{left} → {right}" for left, right in s["pairs"]]
    if t == "fact_or_opinion":
        lines = [kind_label(s["category"])]
        if s["markers"]:
            lines.append(_("Marker words: %(words)s", words=", ".join(s["markers"])))
        return lines
    return []


@dataclass
class Feedback:
    """Everything shown once an answer is final: result, both answers, explanation, source."""

    version: QuestionVersion
    response: Response | None
    grade: grading.Grade | None
    answer: list[Line] = field(default_factory=list)
    solution: list[str] = field(default_factory=list)

    @property
    def claim(self) -> Claim | None:
        """The claim the question is about (None: a question without a source)."""
        return self.version.question.claim

    @property
    def source_link(self) -> str | None:
        """Link to the quote in the article view."""
        return article_link(self.claim)

    @property
    def verdict(self) -> str:
        """The claim's verdict in words ('' when unchecked)."""
        if self.claim is None or not self.claim.verdict:
            return ""
        return _("Checked: %(verdict)s", verdict=verdict_label(self.claim.verdict))

    @property
    def kind(self) -> str:
        """Label of the claim's kind ('' without a source)."""
        return kind_label(self.claim.kind) if self.claim is not None else ""

    @property
    def status(self) -> str:
        """right | partly | wrong | unscored | unanswered."""
        if self.response is None:
            return "unanswered"
        if self.response.score is None:
            return "unscored"
        if self.response.score == 1.0:
            return "right"
        return "partly" if self.response.score > 0 else "wrong"

    def as_json(self) -> dict:
        """The feedback for the API: machine-readable, with the source."""
        claim = self.claim
        return {
            "version_id": self.version.id,
            "answered": self.response is not None,
            "answer": self.response.answer if self.response is not None else None,
            "score": self.response.score if self.response is not None else None,
            "correct": self.response.correct if self.response is not None else None,
            "status": self.status,
            "detail": self.grade.detail if self.grade is not None else None,
            "solution": grading.solution(self.version.type, self.version.payload),
            "solution_text": self.solution,
            "explanation": self.version.explanation,
            "claim": None
            if claim is None
            else {
                "key": claim.key,
                "kind": claim.kind,
                "verdict": claim.verdict,
                "quote": claim.quote,
                "speaker": claim.speaker,
                "note": claim.note,
                "sources": claim.sources or [],
                "checked_on": claim.checked_on.isoformat() if claim.checked_on else None,
                "article_url": self.source_link,
            },
        }


def feedback(version: QuestionVersion, response: Response | None) -> Feedback:
    """Build the feedback for a question and the learner's response (None: not answered)."""
    if response is None:
        return Feedback(version, None, None, [], solution_lines(version))
    result = grading.grade(version.type, version.payload, response.answer)
    return Feedback(
        version,
        response,
        result,
        answer_lines(version, response.answer, result),
        solution_lines(version),
    )
