"""Reading free text: a teacher reads the reflections of their quiz, comments, gives points.

Only the quiz's teacher (or an admin) reads them; the learner sees the comment with
their own answer.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Question, QuestionVersion, Quiz, Response, User, utcnow

COMMENT_MAX = 2000
POINTS_MAX = 10.0


@dataclass
class Reflection:
    """One free-text answer with who wrote it and the teacher's reading."""

    response_id: int
    question_key: str
    prompt: str
    author: str
    text: str
    answered_at: datetime
    comment: str | None
    points: float | None


def _quiz_of_teacher(teacher: User, quiz_id: int) -> Quiz:
    """The quiz if the user made it (admins: any); else refuse."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise ServiceError("unknown")
    if teacher.role != "admin" and not (teacher.is_teacher and quiz.created_by_id == teacher.id):
        raise ServiceError("forbidden")
    return quiz


def reflections(teacher: User, quiz_id: int) -> tuple[Quiz, list[Reflection]]:
    """Every reflection given in the quiz by learners with an account, by question then name."""
    quiz = _quiz_of_teacher(teacher, quiz_id)
    rows = db.session.execute(
        select(Response, Question.key, QuestionVersion.prompt, User.display_name)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz.id, QuestionVersion.type == "reflection")
        .order_by(Question.position, Question.id, User.display_name, Response.answered_at)
    )
    found = [
        Reflection(
            r.id,
            key,
            prompt,
            name,
            r.answer if isinstance(r.answer, str) else "",
            r.answered_at,
            r.comment,
            r.comment_points,
        )
        for r, key, prompt, name in rows
    ]
    return quiz, found


def comment(
    teacher: User, quiz_id: int, response_id: int, text: str, points: float | None
) -> Response:
    """Save the teacher's comment (and optional points) on a reflection of their quiz."""
    quiz = _quiz_of_teacher(teacher, quiz_id)
    response = db.session.get(Response, response_id)
    if response is None or response.attempt.quiz_id != quiz.id:
        raise ServiceError("unknown")
    if response.version.type != "reflection":
        raise ServiceError("not_reflection")
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise ServiceError("comment_too_long", field="comment", max=COMMENT_MAX)
    if points is not None and not 0 <= points <= POINTS_MAX:
        raise ServiceError("points_range", field="points", max=int(POINTS_MAX))
    response.comment = text or None
    response.comment_points = points
    response.commented_at = utcnow()
    db.session.commit()
    return response
