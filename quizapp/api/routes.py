"""JSON views: the same services and rules as the quiz pages, answered as JSON.

Protection is the site's own: the session cookie (or the guest cookie) says who is asking, and
every POST carries the CSRF token in the X-CSRFToken header (GET /api/v1/csrf hands it out).
"""

from datetime import datetime

from flask import g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import select

from quizapp.access import PUBLIC, everyone, expect
from quizapp.api import bp
from quizapp.api.openapi import document
from quizapp.errors import ServiceError
from quizapp.extensions import db, unlimited
from quizapp.models import Attempt, Bank, Question, Quiz, utcnow
from quizapp.owners import current_owner, guest_start_limit, starting_owner
from quizapp.presenting import TYPE_LABELS, error_message, feedback
from quizapp.services import attempts as service
from quizapp.services import schedule

MODES = ("practice", "exam")
TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    422: "Invalid answer",
}


@bp.before_request
def _private() -> None:
    """API answers are about one learner: never cache them."""
    g.no_store = True


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError):
    """A POST without a valid CSRF token is refused as forbidden, with how to get one."""
    return _refused(ServiceError("csrf"))


def _time(value: datetime | None) -> str | None:
    """Format a stored (naive UTC) time as ISO 8601 with Z."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def _fail(status: int, message: str):
    """Answer with the API's error shape."""
    return jsonify(error=TITLES.get(status, "Error"), message=message, status=status), status


# The HTTP status of each refusal the attempts service (or the API itself) words; else 409.
STATUSES = {
    "no_owner": 400,
    "bad_body": 400,
    "csrf": 403,
    "not_found": 404,
    "not_in_attempt": 404,
    "no_quiz": 404,
    "invalid_answer": 422,
}


def status_of(error: ServiceError) -> int:
    """Return the HTTP status the API answers a refusal with."""
    return STATUSES.get(error.code, 409)


def _refused(error: ServiceError):
    """Answer a refused operation with its message and status."""
    return _fail(status_of(error), error_message(error))


def _quiz_json(quiz: Quiz, owner: service.Owner | None = None) -> dict:
    """A quiz and its rules; with an owner also their result, attempts left and open attempt."""
    data = {
        "id": quiz.id,
        "title": quiz.title,
        "bank": quiz.bank.slug if quiz.bank is not None else None,
        "mode": quiz.mode,
        "feedback": "after_each" if service.shows_feedback_now(quiz) else "at_end",
        "selection": quiz.selection,
        "tag": quiz.tag,
        "count": quiz.count,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "time_limit_s": quiz.time_limit_s,
        "attempts_allowed": quiz.attempts_allowed,
        "grading_method": quiz.grading_method,
    }
    if owner is not None:
        opened = service.open_attempt(quiz, owner)
        data.update(
            result=service.quiz_result(quiz, owner),
            attempts_left=service.attempts_left(quiz, owner),
            open_attempt_id=opened.id if opened is not None else None,
        )
    return data


def _seconds_left(attempt: Attempt) -> int | None:
    """Seconds until the deadline (None without a time limit)."""
    if attempt.deadline_at is None or attempt.finished_at is not None:
        return None
    return max(0, int((attempt.deadline_at - utcnow()).total_seconds()))


def _attempt_json(attempt: Attempt) -> dict:
    """The attempt with its questions as the learner sees them, and feedback where due."""
    versions = service.attempt_versions(attempt)
    responses = service.responses_of(attempt)
    practice = service.shows_feedback_now(attempt.quiz)
    finished = attempt.finished_at is not None
    review = schedule.review_parts(attempt.quiz, utcnow())
    # Each type's instruction translated once (a practice attempt can ask 70 questions).
    instructions = {kind: str(TYPE_LABELS.get(kind, "")) for kind in {v.type for v in versions}}
    questions = []
    for position, version in enumerate(versions, start=1):
        response = responses.get(version.id)
        show = response is not None and (practice or finished)
        shown = feedback(version, response).as_json() if show else None
        if shown is not None and finished:
            shown = schedule.restrict_feedback(shown, review)
        questions.append(
            {
                "position": position,
                "version_id": version.id,
                "type": version.type,
                "prompt": version.prompt,
                "instruction": instructions[version.type],
                "view": service.present(attempt, version),
                "answered": response is not None,
                "feedback": shown,
            }
        )
    next_id = next((v.id for v in versions if v.id not in responses), None)
    return {
        "id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "mode": attempt.quiz.mode,
        "started_at": _time(attempt.started_at),
        "deadline_at": _time(attempt.deadline_at),
        "seconds_left": _seconds_left(attempt),
        "finished_at": _time(attempt.finished_at),
        "score": attempt.score if finished and "score" in review else None,
        "max_score": attempt.max_score if finished and "score" in review else None,
        "next_version_id": None if finished else next_id,
        "questions": questions,
    }


def _load(attempt_id: int) -> Attempt:
    """Return the asker's attempt, finishing it first if its time ran out."""
    attempt = service.load_attempt(attempt_id, current_owner())
    service.expire_if_due(attempt)
    return attempt


@bp.get("/openapi.json")
@expect("GET", PUBLIC)
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(document())


@bp.get("/csrf")
@expect("GET", PUBLIC)
def csrf():
    """A CSRF token for the X-CSRFToken header of POST requests (bound to the session cookie)."""
    return {"csrf_token": generate_csrf()}


@bp.get("/quizzes")
@expect("GET", PUBLIC)
def quizzes():
    """The quizzes learners can take: every bank with published questions, practice and exam."""
    banks = db.session.scalars(
        select(Bank)
        .where(Bank.id.in_(select(Question.bank_id).where(Question.status == "published")))
        .order_by(Bank.title, Bank.id)
    ).all()
    found = [service.quiz_for_bank(bank, mode) for bank in banks for mode in MODES]
    return {"quizzes": [_quiz_json(q) for q in found]}


@bp.get("/quizzes/<int:quiz_id>")
@expect("GET", everyone(404, learner=200, teacher=200, admin=200))
def quiz(quiz_id: int):
    """One quiz with the asker's result, attempts left and open attempt."""
    quiz = service.get_quiz(quiz_id, current_user)
    if quiz is None:
        return _refused(ServiceError("no_quiz"))
    return _quiz_json(quiz, current_owner())


@bp.post("/quizzes/<int:quiz_id>/attempts")
@expect("POST", everyone(404, learner=200, teacher=201, admin=201))
@guest_start_limit
def start(quiz_id: int):
    """Start an attempt (201), or return the open one to resume (200)."""
    quiz = service.get_quiz(quiz_id, current_user)
    if quiz is None:
        return _refused(ServiceError("no_quiz"))
    owner = current_owner()
    resumed = service.open_attempt(quiz, owner)
    if resumed is not None:
        return _attempt_json(resumed), 200
    try:
        attempt = service.start_attempt(quiz, starting_owner())
    except ServiceError as error:
        return _refused(error)
    return _attempt_json(attempt), 201


@bp.get("/attempts/<int:attempt_id>")
@expect("GET", everyone(404, learner=200))
def attempt(attempt_id: int):
    """The attempt; its next unanswered question counts as handed out from now."""
    try:
        attempt = _load(attempt_id)
    except ServiceError as error:
        return _refused(error)
    data = _attempt_json(attempt)
    if data["next_version_id"] is not None:
        service.mark_shown(attempt, data["next_version_id"])
    return data


@bp.post("/attempts/<int:attempt_id>/answers")
@expect("POST", everyone(400))
@unlimited
def answer(attempt_id: int):
    """Record one answer; repeating it changes nothing and returns the same result."""
    # Every learner's every answer: no rate limit applies (one answer per question is the
    # service's rule), so the limiter is not asked either.
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or "answer" not in body
        or not isinstance(body.get("version_id"), int)
        or isinstance(body.get("version_id"), bool)
    ):
        return _refused(ServiceError("bad_body"))
    try:
        answered = service.answer_question(
            attempt_id, current_owner(), body["version_id"], body["answer"], advance=True
        )
    except ServiceError as error:
        return _refused(error)
    response = answered.response
    shown = feedback(answered.version, response).as_json() if answered.feedback_now else None
    return {
        "version_id": response.question_version_id,
        "answered_at": _time(response.answered_at),
        "feedback": shown,
        "next_version_id": answered.next_version_id,
        "finished": answered.finished,
        "score": answered.score if answered.shows_score else None,
        "max_score": answered.max_score if answered.shows_score else None,
    }


@bp.post("/attempts/<int:attempt_id>/finish")
@expect("POST", everyone(404, learner=200))
def finish(attempt_id: int):
    """Hand the attempt in now; unanswered questions count as wrong."""
    try:
        attempt = _load(attempt_id)
    except ServiceError as error:
        return _refused(error)
    service.finish_attempt(attempt)
    return _attempt_json(attempt)


@bp.get("/attempts/<int:attempt_id>/results")
@expect("GET", everyone(404, learner=409))
def results(attempt_id: int):
    """A finished attempt: score and, per question, both answers, explanation and source."""
    try:
        attempt = _load(attempt_id)
    except ServiceError as error:
        return _refused(error)
    if attempt.finished_at is None:
        return _refused(ServiceError("not_finished"))
    responses = service.responses_of(attempt)
    items = [feedback(v, responses.get(v.id)) for v in service.attempt_versions(attempt)]
    review = schedule.review_parts(attempt.quiz, utcnow())
    shows_score = "score" in review
    return {
        "attempt_id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "score": attempt.score if shows_score else None,
        "max_score": attempt.max_score if shows_score else None,
        "quiz_result": service.quiz_result(attempt.quiz, current_owner()) if shows_score else None,
        "review": sorted(review),
        "questions": [
            {"position": n, "prompt": item.version.prompt, "type": item.version.type}
            | schedule.restrict_feedback(item.as_json(), review)
            for n, item in enumerate(items, start=1)
        ],
    }
