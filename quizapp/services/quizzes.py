"""Quizzes: which question versions a quiz asks, in which order, and teachers' own quizzes."""

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion, Quiz, SchoolClass, User, utcnow

# What a quiz asks: every published question, those with one tag, or N drawn per attempt.
SELECTIONS = ("all", "tag", "random")
# The modes a teacher sets; learners open quizzes of these modes by id.
MODES = ("practice", "exam")
GRADING_METHODS = ("highest", "average", "first", "last")
TIME_LIMIT_MINUTES = (1, 180)
ATTEMPTS_ALLOWED = (1, 20)
TITLE_MAX = 300


def _published(bank_id: int):
    """The statement selecting a bank's published questions that have a current version."""
    return (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank_id, Question.status == "published")
    )


def published_versions(bank_id: int) -> list[QuestionVersion]:
    """Return the current versions of a bank's published questions, in bank order."""
    return list(db.session.scalars(_published(bank_id).order_by(Question.position, Question.id)))


def pool(quiz: Quiz) -> list[QuestionVersion]:
    """Return the versions a quiz draws from: the bank's published ones, by tag if it says so."""
    versions = published_versions(quiz.bank_id) if quiz.bank_id else []
    if quiz.selection == "tag" and quiz.tag:
        versions = [v for v in versions if quiz.tag in (v.question.tags or [])]
    return versions


def select_versions(quiz: Quiz, rng: random.Random | None = None) -> list[QuestionVersion]:
    """Return the versions a new attempt of the quiz asks: all, by tag, or N at random."""
    # Which questions are drawn is no secret (attempts pass SystemRandom anyway).
    rng = rng or random.Random()  # nosec B311
    versions = pool(quiz)
    if quiz.selection == "random" and quiz.count:
        versions = rng.sample(versions, min(quiz.count, len(versions)))
    elif quiz.count:
        versions = versions[: quiz.count]
    if quiz.shuffle_questions:
        rng.shuffle(versions)
    return versions


def questions_per_attempt(quiz: Quiz) -> int:
    """Return how many questions one attempt of the quiz asks (as the bank stands now)."""
    available = len(pool(quiz))
    return min(quiz.count, available) if quiz.count else available


def bank_tags(bank: Bank) -> list[str]:
    """Return the tags of a bank's published questions, sorted."""
    rows = db.session.scalars(
        select(Question.tags)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id, Question.status == "published")
    )
    return sorted({tag for tags in rows for tag in (tags or []) if isinstance(tag, str)})


def classes_of(teacher: User) -> list[SchoolClass]:
    """Return the classes a teacher runs, by name (those a quiz can be assigned to)."""
    return list(
        db.session.scalars(
            select(SchoolClass)
            .where(SchoolClass.teacher_id == teacher.id)
            .order_by(SchoolClass.name, SchoolClass.id)
        )
    )


@dataclass
class QuizSettings:
    """What a teacher chooses for a quiz; time limit in minutes, due date in naive UTC."""

    title: str = ""
    selection: str = "all"
    tag: str | None = None
    count: int | None = None
    mode: str = "practice"
    shuffle_questions: bool = False
    # Authors tend to write the right option first: shuffled unless the teacher says otherwise.
    shuffle_options: bool = True
    time_limit_minutes: int | None = None
    attempts_allowed: int | None = None
    grading_method: str = "highest"
    class_id: int | None = None
    due_at: datetime | None = None


def _check(teacher: User, bank: Bank, s: QuizSettings, now: datetime) -> dict:
    """Return the refused settings of a new quiz (empty when all are fine)."""
    errors: dict[str, tuple[str, dict]] = {}
    if len(s.title.strip()) > TITLE_MAX:
        errors["title"] = ("title_too_long", {"max": TITLE_MAX})
    available = len(published_versions(bank.id))
    if s.selection not in SELECTIONS:
        errors["selection"] = ("unknown_selection", {})
    elif available == 0:
        errors["selection"] = ("empty_bank", {})
    elif s.selection == "tag" and not s.tag:
        errors["tag"] = ("tag_missing", {})
    elif s.selection == "tag" and s.tag not in bank_tags(bank):
        errors["tag"] = ("tag_unknown", {"tag": s.tag})
    elif s.selection == "random" and s.count is None:
        errors["count"] = ("count_missing", {"max": available})
    elif s.selection == "random" and not 1 <= s.count <= available:
        errors["count"] = ("count_range", {"max": available})
    if s.mode not in MODES:
        errors["mode"] = ("unknown_mode", {})
    low, high = TIME_LIMIT_MINUTES
    if s.time_limit_minutes is not None and not low <= s.time_limit_minutes <= high:
        errors["time_limit_minutes"] = ("time_limit_range", {"min": low, "max": high})
    low, high = ATTEMPTS_ALLOWED
    if s.attempts_allowed is not None and not low <= s.attempts_allowed <= high:
        errors["attempts_allowed"] = ("attempts_range", {"min": low, "max": high})
    if s.grading_method not in GRADING_METHODS:
        errors["grading_method"] = ("unknown_grading_method", {})
    if s.class_id is not None:
        school_class = db.session.get(SchoolClass, s.class_id)
        if school_class is None or school_class.teacher_id != teacher.id:
            errors["class_id"] = ("not_your_class", {})
    if s.due_at is not None and s.class_id is None:
        errors["due_at"] = ("due_without_class", {})
    elif s.due_at is not None and s.due_at <= now:
        errors["due_at"] = ("due_in_past", {})
    return errors


def create_quiz(
    teacher: User, bank: Bank, settings: QuizSettings, now: datetime | None = None
) -> Quiz:
    """Check a teacher's settings and save the quiz over the bank; refused settings raise
    ServiceError("invalid_settings", errors={setting: (code, params)}).

    A time limit is optional in both modes (DESIGN §4: exams have an optional one): a timed
    practice is a drill, an untimed exam suits homework with a due date. The due date is shown,
    not enforced: attempts after it still count, so the teacher sees who was late.
    """
    now = now or utcnow()
    errors = _check(teacher, bank, settings, now)
    if errors:
        raise ServiceError("invalid_settings", errors=errors)
    selection = settings.selection
    quiz = Quiz(
        bank_id=bank.id,
        title=settings.title.strip() or bank.title,
        selection=selection,
        tag=settings.tag if selection == "tag" else None,
        count=settings.count if selection == "random" else None,
        mode=settings.mode,
        shuffle_questions=settings.shuffle_questions,
        shuffle_options=settings.shuffle_options,
        time_limit_s=settings.time_limit_minutes * 60 if settings.time_limit_minutes else None,
        attempts_allowed=settings.attempts_allowed,
        grading_method=settings.grading_method,
        class_id=settings.class_id,
        due_at=settings.due_at,
        created_by_id=teacher.id,
        created_at=now,
    )
    db.session.add(quiz)
    db.session.commit()
    return quiz


def quizzes_by(teacher: User) -> list[Quiz]:
    """Return the quizzes a teacher made for learners (not live games), newest first."""
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.created_by_id == teacher.id, Quiz.mode.in_(MODES), Quiz.key.is_(None))
            .order_by(Quiz.created_at.desc(), Quiz.id.desc())
        )
    )


def assigned_class(quiz: Quiz) -> SchoolClass | None:
    """Return the class the quiz is assigned to, if any."""
    return db.session.get(SchoolClass, quiz.class_id) if quiz.class_id else None
