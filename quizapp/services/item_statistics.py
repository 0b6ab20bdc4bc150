"""Item statistics of a teacher's quiz or of a bank: load finished attempts, compute figures.

Three statements whatever the number of attempts (attempts, responses, versions). By default
only each person's first finished attempt counts, as Moodle's report does; `all_attempts`
treats every finished attempt as its own.
"""

from sqlalchemy import select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Question, QuestionVersion, Quiz, Response, User
from quizapp.statistics import Item, QuizStats, Taken, quiz_statistics


def may_see_quiz(user: User, quiz: Quiz) -> bool:
    """Whether the user may see the quiz's statistics: its teacher, or an admin."""
    return user.role == "admin" or (user.is_teacher and quiz.created_by_id == user.id)


def _first_only(attempts: list[Attempt]) -> list[Attempt]:
    """Each person's first finished attempt per quiz (attempts come ordered by start)."""
    seen: set[tuple] = set()
    first = []
    for attempt in attempts:
        who = (attempt.quiz_id, attempt.user_id or attempt.guest_token_hash or attempt.id)
        if who not in seen:
            seen.add(who)
            first.append(attempt)
    return first


def _report(quiz_filter, all_attempts: bool) -> QuizStats:
    """Statistics over the finished, scored attempts of the quizzes the filter selects."""
    attempts = list(
        db.session.scalars(
            select(Attempt)
            .where(quiz_filter, Attempt.finished_at.is_not(None), Attempt.max_score > 0)
            .order_by(Attempt.started_at, Attempt.id)
        )
    )
    if not all_attempts:
        attempts = _first_only(attempts)
    ids = [a.id for a in attempts]
    responses: dict[int, dict[int, Response]] = {}
    if ids:
        for response in db.session.scalars(select(Response).where(Response.attempt_id.in_(ids))):
            responses.setdefault(response.attempt_id, {})[response.question_version_id] = response
    version_ids = sorted({v for a in attempts for v in (a.version_ids or [])})
    versions = {}
    if version_ids:
        rows = db.session.execute(
            select(QuestionVersion, Question.key, Question.position)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(QuestionVersion.id.in_(version_ids))
            .order_by(Question.position, Question.id, QuestionVersion.number)
        )
        versions = {v.id: (v, key) for v, key, _position in rows}
    items = [
        Item(str(vid), f"{key} (v{v.number}): {v.prompt}", v.type, v.payload or {})
        for vid, (v, key) in versions.items()
    ]
    taken = []
    for attempt in attempts:
        given = responses.get(attempt.id, {})
        scores, answers = {}, {}
        for vid in attempt.version_ids or []:
            response = given.get(vid)
            scores[str(vid)] = response.score if response else None
            answers[str(vid)] = response.answer if response else None
        taken.append(Taken(scores, answers))
    return quiz_statistics(items, taken)


def quiz_report(user: User, quiz_id: int, *, all_attempts: bool = False) -> tuple[Quiz, QuizStats]:
    """The quiz and its statistics for its teacher; unknown or forbidden otherwise."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise ServiceError("unknown")
    if not may_see_quiz(user, quiz):
        raise ServiceError("forbidden")
    return quiz, _report(Attempt.quiz_id == quiz.id, all_attempts)


def bank_report(user: User, slug: str, *, all_attempts: bool = False) -> tuple[Bank, QuizStats]:
    """A bank's question statistics over the attempts at the teacher's quizzes of it (an admin:
    every quiz of it)."""
    if not user.is_teacher:
        raise ServiceError("forbidden")
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        raise ServiceError("unknown")
    quizzes = select(Quiz.id).where(Quiz.bank_id == bank.id)
    if user.role != "admin":
        quizzes = quizzes.where(Quiz.created_by_id == user.id)
    return bank, _report(Attempt.quiz_id.in_(quizzes), all_attempts)
