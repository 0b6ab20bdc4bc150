"""Quizzes: which question versions a quiz asks, in which order, and teachers' own quizzes."""

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    Claim,
    Question,
    QuestionVersion,
    Quiz,
    SchoolClass,
    User,
    utcnow,
)
from quizapp.services.schedule import LATE_POLICIES, REVIEW_PARTS

# What a quiz asks: every published question, those with one tag, or N drawn per attempt.
SELECTIONS = ("all", "tag", "random", "pick")
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
    """Return the versions a quiz draws from: the bank's published ones, by tag if it says so,
    or the questions the teacher picked, in the chosen order."""
    versions = published_versions(quiz.bank_id) if quiz.bank_id else []
    if quiz.selection == "pick":
        by_question = {v.question_id: v for v in versions}
        return [by_question[q] for q in quiz.question_ids or [] if q in by_question]
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
    open_at: datetime | None = None
    # After the due date: "accept" (marked late) or "refuse" new attempts.
    late_policy: str = "accept"
    # Review options (see services/schedule.py); None shows everything.
    review_now: list[str] | None = None
    review_after_due: list[str] | None = None


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
    if s.open_at is not None and s.due_at is not None and s.open_at >= s.due_at:
        errors["open_at"] = ("open_after_due", {})
    if s.late_policy not in LATE_POLICIES:
        errors["late_policy"] = ("unknown_late_policy", {})
    for name in ("review_now", "review_after_due"):
        chosen = getattr(s, name)
        if chosen is not None and not set(chosen) <= set(REVIEW_PARTS):
            errors[name] = ("unknown_review_part", {})
    return errors


def create_quiz(
    teacher: User, bank: Bank, settings: QuizSettings, now: datetime | None = None
) -> Quiz:
    """Check a teacher's settings and save the quiz over the bank; refused settings raise
    ServiceError("invalid_settings", errors={setting: (code, params)}).

    A time limit is optional in both modes (DESIGN §4: exams have an optional one): a timed
    practice is a drill, an untimed exam suits homework with a due date. After the due date
    new attempts are refused or accepted and marked late, as the teacher chose.
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
        open_at=settings.open_at,
        late_policy=settings.late_policy,
        review_now=settings.review_now,
        review_after_due=settings.review_after_due,
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
            .where(
                Quiz.created_by_id == teacher.id,
                Quiz.mode.in_(MODES),
                Quiz.key.is_(None),
                Quiz.archived_at.is_(None),
            )
            .order_by(Quiz.created_at.desc(), Quiz.id.desc())
        )
    )


def assigned_class(quiz: Quiz) -> SchoolClass | None:
    """Return the class the quiz is assigned to, if any."""
    return db.session.get(SchoolClass, quiz.class_id) if quiz.class_id else None


# Settings that change which questions an attempt asks: fixed once someone has started.
QUESTION_SETTINGS = ("selection", "tag", "count", "question_ids")


def _own(teacher: User, quiz: Quiz) -> None:
    """Refuse unless the teacher made the quiz (admins may change any)."""
    if teacher.role != "admin" and quiz.created_by_id != teacher.id:
        raise ServiceError("forbidden")


def has_attempts(quiz: Quiz) -> bool:
    """Whether anyone has started the quiz."""
    return (
        db.session.scalar(select(Attempt.id).where(Attempt.quiz_id == quiz.id).limit(1)) is not None
    )


def settings_of(quiz: Quiz) -> QuizSettings:
    """The quiz's settings as the form shows them."""
    return QuizSettings(
        title=quiz.title,
        selection=quiz.selection,
        tag=quiz.tag,
        count=quiz.count,
        mode=quiz.mode,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        time_limit_minutes=quiz.time_limit_s // 60 if quiz.time_limit_s else None,
        attempts_allowed=quiz.attempts_allowed,
        grading_method=quiz.grading_method,
        class_id=quiz.class_id,
        due_at=quiz.due_at,
        open_at=quiz.open_at,
        late_policy=quiz.late_policy,
        review_now=quiz.review_now,
        review_after_due=quiz.review_after_due,
    )


def update_quiz(
    teacher: User, quiz: Quiz, settings: QuizSettings, now: datetime | None = None
) -> Quiz:
    """Change a quiz's settings; which questions it asks only while nobody has started it."""
    now = now or utcnow()
    _own(teacher, quiz)
    errors = _check(teacher, quiz.bank, settings, now)
    # An unchanged due date may lie in the past (a quiz edited after its due date).
    if settings.due_at == quiz.due_at and errors.get("due_at", ("",))[0] == "due_in_past":
        del errors["due_at"]
    old = settings_of(quiz)
    changed = [
        name
        for name in ("selection", "tag", "count")
        if getattr(settings, name) != getattr(old, name)
    ]
    if changed and has_attempts(quiz):
        errors.setdefault(changed[0], ("questions_locked", {}))
    if errors:
        raise ServiceError("invalid_settings", errors=errors)
    quiz.title = settings.title.strip() or quiz.title
    quiz.selection = settings.selection
    quiz.tag = settings.tag if settings.selection == "tag" else None
    quiz.count = settings.count if settings.selection == "random" else None
    quiz.mode = settings.mode
    quiz.shuffle_questions = settings.shuffle_questions
    quiz.shuffle_options = settings.shuffle_options
    quiz.time_limit_s = settings.time_limit_minutes * 60 if settings.time_limit_minutes else None
    quiz.attempts_allowed = settings.attempts_allowed
    quiz.grading_method = settings.grading_method
    quiz.class_id = settings.class_id
    quiz.due_at = settings.due_at
    quiz.open_at = settings.open_at
    quiz.late_policy = settings.late_policy
    quiz.review_now = settings.review_now
    quiz.review_after_due = settings.review_after_due
    db.session.commit()
    return quiz


def duplicate_quiz(teacher: User, quiz: Quiz, title: str) -> Quiz:
    """Copy a quiz's settings and chosen questions into a new quiz (no attempts, no class)."""
    _own(teacher, quiz)
    copy = Quiz(
        bank_id=quiz.bank_id,
        title=title[:TITLE_MAX],
        selection=quiz.selection,
        tag=quiz.tag,
        count=quiz.count,
        mode=quiz.mode,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        time_limit_s=quiz.time_limit_s,
        attempts_allowed=quiz.attempts_allowed,
        grading_method=quiz.grading_method,
        late_policy=quiz.late_policy,
        review_now=quiz.review_now,
        review_after_due=quiz.review_after_due,
        question_ids=list(quiz.question_ids) if quiz.question_ids is not None else None,
        created_by_id=teacher.id,
    )
    db.session.add(copy)
    db.session.commit()
    return copy


def delete_quiz(teacher: User, quiz: Quiz) -> str:
    """Delete a quiz nobody has started ("deleted"); one with attempts is archived, its
    results kept ("archived")."""
    _own(teacher, quiz)
    if has_attempts(quiz):
        quiz.archived_at = utcnow()
        db.session.commit()
        return "archived"
    db.session.delete(quiz)
    db.session.commit()
    return "deleted"


@dataclass
class Candidate:
    """A published question of the bank as the picking list shows it."""

    question_id: int
    key: str
    type: str
    prompt: str
    tags: list
    claim_key: str
    difficulty: int


def candidates(
    bank: Bank,
    *,
    tag: str | None = None,
    qtype: str | None = None,
    claim: str | None = None,
    difficulty: int | None = None,
) -> list[Candidate]:
    """The bank's published questions, filtered by tag, type, claim key and difficulty."""
    query = (
        select(Question, QuestionVersion, Claim.key)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Claim, Claim.id == Question.claim_id)
        .where(Question.bank_id == bank.id, Question.status == "published")
        .order_by(Question.position, Question.id)
    )
    if qtype:
        query = query.where(QuestionVersion.type == qtype)
    if claim:
        query = query.where(Claim.key == claim)
    if difficulty is not None:
        query = query.where(Question.difficulty == difficulty)
    found = [
        Candidate(q.id, q.key, v.type, v.prompt, list(q.tags or []), claim_key, q.difficulty)
        for q, v, claim_key in db.session.execute(query)
    ]
    return [c for c in found if not tag or tag in c.tags]


def change_picks(teacher: User, quiz: Quiz, action: str, question_id: int) -> Quiz:
    """Add, remove or move (up, down) one chosen question; only while nobody has started."""
    _own(teacher, quiz)
    if quiz.selection != "pick":
        raise ServiceError("not_picking")
    if has_attempts(quiz):
        raise ServiceError("questions_locked")
    chosen = list(quiz.question_ids or [])
    if action == "add":
        published = {c.question_id for c in candidates(quiz.bank)}
        if question_id not in published:
            raise ServiceError("unknown_question")
        if question_id not in chosen:
            chosen.append(question_id)
    elif question_id not in chosen:
        raise ServiceError("unknown_question")
    elif action == "remove":
        chosen.remove(question_id)
    elif action in ("up", "down"):
        i = chosen.index(question_id)
        j = i - 1 if action == "up" else i + 1
        if 0 <= j < len(chosen):
            chosen[i], chosen[j] = chosen[j], chosen[i]
    else:
        raise ServiceError("unknown_action")
    quiz.question_ids = chosen
    db.session.commit()
    return quiz
