"""School classes: a teacher creates one, people join with its code, the teacher manages it.

Every function that changes data commits its own transaction, or changes nothing and
raises ServiceError with a code (name, unknown, own_class, not_member, forbidden,
no_code) that the classes blueprint words for the person (classes/messages.py).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp import names
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Membership, Quiz, SchoolClass, User
from quizapp.services.attempts import counted_attempts, graded_result

# No 0/O, 1/I/L: a code read off a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TRIES = 10
NAME_LENGTH = 120


@dataclass
class ClassSummary:
    """A class as listed on the classes page."""

    id: int
    name: str
    join_code: str
    teacher_name: str
    members: int


@dataclass
class Member:
    """A member of a class, for the teacher's list."""

    user_id: int
    display_name: str
    joined_at: datetime
    # The last quiz the learner started or finished; None before the first one.
    last_active_at: datetime | None


def new_join_code() -> str:
    """Return a random join code of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Return a typed code as stored: upper case, without spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def can_manage(user: User, school_class: SchoolClass) -> bool:
    """Whether the user runs the class: its teacher, or an admin."""
    return user.id == school_class.teacher_id or user.role == "admin"


def get_class(class_id: int) -> SchoolClass | None:
    """Return the class with this id, or None."""
    return db.session.get(SchoolClass, class_id)


def _managed(user: User, class_id: int) -> SchoolClass:
    """Return the class if the user runs it; else raise (unknown or forbidden)."""
    school_class = get_class(class_id)
    if school_class is None:
        raise ServiceError("unknown")
    if not can_manage(user, school_class):
        raise ServiceError("forbidden")
    return school_class


def create_class(teacher: User, name: str) -> SchoolClass:
    """Create a class of the teacher with a fresh unique join code."""
    if not teacher.has_role("teacher"):
        raise ServiceError("forbidden")
    name = names.normalise(name)
    if not name or len(name) > NAME_LENGTH:
        raise ServiceError("name", field="name")
    if names.has_invisible(name) or not names.has_visible_letter(name):
        raise ServiceError("name_letters", field="name")
    for _ in range(CODE_TRIES):
        code = new_join_code()
        if db.session.scalar(select(exists().where(SchoolClass.join_code == code))):
            continue
        school_class = SchoolClass(name=name, join_code=code, teacher_id=teacher.id)
        db.session.add(school_class)
        try:
            db.session.commit()
        except IntegrityError:
            # Another request took the same code between the check and the insert.
            db.session.rollback()
            continue
        return school_class
    raise ServiceError("no_code")


def join_class(user: User, code: str) -> tuple[SchoolClass, bool]:
    """Put the user in the class with this code; return it and whether they were new to it.

    Joining twice changes nothing. A teacher cannot join their own class.
    """
    school_class = db.session.scalar(
        select(SchoolClass).where(SchoolClass.join_code == normalize_code(code))
    )
    if school_class is None or school_class.archived_at is not None:
        raise ServiceError("unknown")
    if school_class.teacher_id == user.id:
        raise ServiceError("own_class")
    if _is_member(school_class.id, user.id):
        return school_class, False
    db.session.add(Membership(class_id=school_class.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:
        # The same person joined at the same moment (a double click): already in.
        db.session.rollback()
        return school_class, False
    return school_class, True


def _is_member(class_id: int, user_id: int) -> bool:
    """Whether the user is in the class."""
    return bool(
        db.session.scalar(
            select(exists().where(Membership.class_id == class_id, Membership.user_id == user_id))
        )
    )


def _drop_membership(class_id: int, user_id: int) -> None:
    """Delete one membership and commit; raise not_member when there was none."""
    result = db.session.execute(
        delete(Membership).where(Membership.class_id == class_id, Membership.user_id == user_id)
    )
    if not result.rowcount:
        db.session.rollback()
        raise ServiceError("not_member")
    db.session.commit()


def leave_class(user: User, class_id: int) -> SchoolClass:
    """Take the user out of a class they are in; return the class."""
    school_class = get_class(class_id)
    if school_class is None:
        raise ServiceError("unknown")
    _drop_membership(class_id, user.id)
    return school_class


def remove_member(teacher: User, class_id: int, user_id: int) -> User:
    """Take a member out of the teacher's class; return the person removed."""
    if _managed(teacher, class_id).archived_at is not None:
        raise ServiceError("archived")
    member = db.session.get(User, user_id)
    _drop_membership(class_id, user_id)
    return member


def delete_class(teacher: User, class_id: int) -> None:
    """Delete the teacher's class and its memberships; its quizzes stay, assigned to no class."""
    _managed(teacher, class_id)
    db.session.execute(update(Quiz).where(Quiz.class_id == class_id).values(class_id=None))
    db.session.execute(delete(Membership).where(Membership.class_id == class_id))
    db.session.execute(delete(SchoolClass).where(SchoolClass.id == class_id))
    db.session.commit()


def _summaries(query) -> list[ClassSummary]:
    """Run a query over classes and return them with teacher name and member count."""
    counts = (
        select(Membership.class_id, func.count(Membership.id).label("members"))
        .group_by(Membership.class_id)
        .subquery()
    )
    rows = db.session.execute(
        query.add_columns(User.display_name, func.coalesce(counts.c.members, 0))
        .join(User, User.id == SchoolClass.teacher_id)
        .outerjoin(counts, counts.c.class_id == SchoolClass.id)
        .order_by(func.lower(SchoolClass.name), SchoolClass.id)
    )
    return [
        ClassSummary(c.id, c.name, c.join_code, teacher_name, members)
        for c, teacher_name, members in rows
    ]


def classes_of_teacher(teacher: User) -> list[ClassSummary]:
    """Return the classes the teacher runs, by name."""
    return _summaries(
        select(SchoolClass).where(
            SchoolClass.teacher_id == teacher.id, SchoolClass.archived_at.is_(None)
        )
    )


def classes_of_learner(user: User) -> list[ClassSummary]:
    """Return the classes the user is a member of, by name."""
    return _summaries(
        select(SchoolClass).where(
            SchoolClass.id.in_(select(Membership.class_id).where(Membership.user_id == user.id)),
            SchoolClass.archived_at.is_(None),
        )
    )


def member_count(school_class: SchoolClass) -> int:
    """Return how many people are in the class."""
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.class_id == school_class.id)
    )


def members(school_class: SchoolClass) -> list[Member]:
    """Return the class's members by name, each with their last activity (one query)."""
    in_class = select(Membership.user_id).where(Membership.class_id == school_class.id)
    last = (
        select(
            Attempt.user_id,
            func.max(func.coalesce(Attempt.finished_at, Attempt.started_at)).label("last"),
        )
        .where(Attempt.user_id.in_(in_class))
        .group_by(Attempt.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User.id, User.display_name, Membership.joined_at, last.c.last)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(last, last.c.user_id == User.id)
        .where(Membership.class_id == school_class.id)
        .order_by(func.lower(User.display_name), User.id)
    )
    return [Member(*row) for row in rows]


def quiz_count(school_class: SchoolClass) -> int:
    """Return how many quizzes are assigned to the class."""
    return db.session.scalar(select(func.count(Quiz.id)).where(Quiz.class_id == school_class.id))


def quizzes_for_member(user: User) -> dict[int, list[Quiz]]:
    """Return the quizzes assigned to the classes the user is in, by class id (one query),
    soonest due first, undated last."""
    rows = db.session.scalars(
        select(Quiz)
        .where(
            Quiz.class_id.in_(select(Membership.class_id).where(Membership.user_id == user.id)),
            Quiz.archived_at.is_(None),
        )
        .order_by(Quiz.due_at.is_(None), Quiz.due_at, Quiz.title, Quiz.id)
    )
    found: dict[int, list[Quiz]] = {}
    for quiz in rows:
        found.setdefault(quiz.class_id, []).append(quiz)
    return found


def quizzes(school_class: SchoolClass) -> list[Quiz]:
    """Return the quizzes assigned to the class, soonest due first, undated last."""
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.class_id == school_class.id)
            .order_by(Quiz.due_at.is_(None), Quiz.due_at, Quiz.title, Quiz.id)
        )
    )


@dataclass
class GradebookQuiz:
    """A column of the gradebook: a quiz assigned to the class."""

    id: int
    title: str
    grading_method: str
    due_at: datetime | None


@dataclass
class GradebookRow:
    """One member's results: per quiz of the gradebook, in its order."""

    user_id: int
    display_name: str
    # Per quiz: the result (0..1) by the quiz's grading method, None without a finished attempt.
    results: list[float | None]
    # Per quiz: an attempt that makes the result was finished after the quiz's due date.
    late: list[bool]
    # Finished attempts of all the gradebook's quizzes.
    finished: int


@dataclass
class Gradebook:
    """A class's results: members × assigned quizzes, with a count and mean per quiz."""

    quizzes: list[GradebookQuiz]
    rows: list[GradebookRow]
    # Per quiz: how many members have a result, and the mean of those results (None: none).
    counts: list[int]
    means: list[float | None]


def gradebook(
    school_class: SchoolClass,
    *,
    assigned: list[Quiz] | None = None,
    people: list[Member] | None = None,
) -> Gradebook:
    """Return the class's gradebook in at most three queries, however big the class is.

    `assigned` and `people` spare the queries when the caller has quizzes() and members()
    of the class already. A cell is the member's result by the quiz's own grading method over
    finished attempts, as on the quiz page (attempts.graded_result); it is late when an attempt
    that makes it (attempts.counted_attempts) was finished after the due date. Attempts of
    people no longer in the class are not shown.
    """
    assigned = quizzes(school_class) if assigned is None else assigned
    people = members(school_class) if people is None else people
    finished: dict[tuple[int, int], list[tuple[float, datetime]]] = {}
    if assigned and people:
        rows = db.session.execute(
            select(
                Attempt.user_id,
                Attempt.quiz_id,
                Attempt.score,
                Attempt.max_score,
                Attempt.finished_at,
            )
            .where(
                Attempt.quiz_id.in_([q.id for q in assigned]),
                Attempt.user_id.in_([p.user_id for p in people]),
                Attempt.finished_at.is_not(None),
                # As quiz_result: only attempts with a score count.
                Attempt.score.is_not(None),
                Attempt.max_score > 0,
            )
            .order_by(Attempt.started_at, Attempt.id)
        )
        for user_id, quiz_id, score, max_score, finished_at in rows:
            finished.setdefault((user_id, quiz_id), []).append((score / max_score, finished_at))
    book_rows = []
    for person in people:
        results, late, count = [], [], 0
        for quiz in assigned:
            done = finished.get((person.user_id, quiz.id), [])
            shares = [share for share, _ in done]
            counted = counted_attempts(shares, quiz.grading_method)
            results.append(graded_result(shares, quiz.grading_method))
            late.append(quiz.due_at is not None and any(done[i][1] > quiz.due_at for i in counted))
            count += len(done)
        book_rows.append(GradebookRow(person.user_id, person.display_name, results, late, count))
    columns = [[row.results[i] for row in book_rows] for i in range(len(assigned))]
    given = [[r for r in column if r is not None] for column in columns]
    return Gradebook(
        quizzes=[GradebookQuiz(q.id, q.title, q.grading_method, q.due_at) for q in assigned],
        rows=book_rows,
        counts=[len(g) for g in given],
        means=[sum(g) / len(g) if g else None for g in given],
    )


def _percent(fraction: float | None) -> int | str:
    """A result as a whole percentage for the spreadsheet (as on the page), "" for none."""
    return "" if fraction is None else round(100 * fraction)


def gradebook_table(book: Gradebook) -> list[list]:
    """The gradebook as spreadsheet rows (header first, then members, count and mean): a
    column per quiz in percent, and one more saying "late" for a quiz with a due date."""
    dated = [q.due_at is not None for q in book.quizzes]
    header = [gettext("Learner")]
    for quiz, has_due in zip(book.quizzes, dated, strict=True):
        header += [quiz.title] + ([gettext("%(quiz)s: late", quiz=quiz.title)] if has_due else [])
    table = [header + [gettext("Finished attempts")]]
    for row in book.rows:
        line = [row.display_name]
        for result, late, has_due in zip(row.results, row.late, dated, strict=True):
            said = (gettext("yes") if late else gettext("no")) if result is not None else ""
            line += [_percent(result)] + ([said] if has_due else [])
        table.append(line + [row.finished])
    for label, values in (
        (gettext("Members with a result"), book.counts),
        (gettext("Mean"), [_percent(mean) for mean in book.means]),
    ):
        line = [label]
        for value, has_due in zip(values, dated, strict=True):
            line += [value] + ([""] if has_due else [])
        table.append(line + [""])
    return table
