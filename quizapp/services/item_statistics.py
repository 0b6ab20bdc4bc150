"""Item statistics of a teacher's quiz or of a bank: load finished attempts, compute figures.

Three statements whatever the number of attempts (attempts, responses, versions). By default
only each person's first finished attempt counts, as Moodle's report does; `all_attempts`
treats every finished attempt as its own.
"""

from sqlalchemy import case, null, select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Question, QuestionVersion, Quiz, Response, User
from quizapp.statistics import CHOICE_TYPES, Item, QuizStats, Taken, quiz_statistics


def may_see_quiz(user: User, quiz: Quiz) -> bool:
    """Whether the user may see the quiz's statistics: its teacher, or an admin."""
    return user.role == "admin" or (user.is_teacher and quiz.created_by_id == user.id)


def _first_only(attempts: list) -> list:
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
    """Statistics over the finished, scored attempts of the quizzes the filter selects
    (three statements, columns only: a bank's hundreds of attempts load quickly)."""
    attempts = db.session.execute(
        select(
            Attempt.id,
            Attempt.quiz_id,
            Attempt.user_id,
            Attempt.guest_token_hash,
            Attempt.version_ids,
        )
        .where(quiz_filter, Attempt.finished_at.is_not(None), Attempt.max_score > 0)
        .order_by(Attempt.started_at, Attempt.id)
    ).all()
    if not all_attempts:
        attempts = _first_only(attempts)
    version_ids = sorted({v for a in attempts for v in (a.version_ids or [])})
    versions = {}
    if version_ids:
        rows = db.session.execute(
            select(QuestionVersion, Question.key)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(QuestionVersion.id.in_(version_ids))
            .order_by(Question.position, Question.id, QuestionVersion.number)
        )
        versions = {v.id: (v, key) for v, key in rows}
    choice_ids = [vid for vid, (v, _key) in versions.items() if v.type in CHOICE_TYPES]
    given: dict[int, dict[int, tuple]] = {}
    if attempts:
        ids = select(Attempt.id).where(
            quiz_filter, Attempt.finished_at.is_not(None), Attempt.max_score > 0
        )
        answer = (
            case((Response.question_version_id.in_(choice_ids), Response.answer), else_=null())
            if choice_ids
            else null()
        )
        rows = db.session.execute(
            select(Response.attempt_id, Response.question_version_id, Response.score, answer).where(
                Response.attempt_id.in_(ids)
            )
        )
        for attempt_id, version_id, score, chosen in rows:
            given.setdefault(attempt_id, {})[version_id] = (score, chosen)
    items = [
        Item(str(vid), f"{key} (v{v.number}): {v.prompt}", v.type, v.payload or {})
        for vid, (v, key) in versions.items()
    ]
    taken = []
    for attempt in attempts:
        answered = given.get(attempt.id, {})
        scores, answers = {}, {}
        for vid in attempt.version_ids or []:
            score, chosen = answered.get(vid, (None, None))
            scores[str(vid)] = score
            answers[str(vid)] = chosen
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
