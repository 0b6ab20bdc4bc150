"""A class through the school year: a new join code, and archiving at the end of the year.

An archived class is read-only: nobody joins it, its teacher makes no accounts in it, and
it leaves the class lists (its teacher still finds it under "Archived classes").
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import SchoolClass, User, utcnow
from quizapp.services.classes import CODE_TRIES, can_manage, new_join_code


def _managed(teacher: User, class_id: int) -> SchoolClass:
    """The class if the teacher runs it; else refuse (unknown, forbidden)."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise ServiceError("unknown")
    if not can_manage(teacher, school_class):
        raise ServiceError("forbidden")
    return school_class


def rotate_code(teacher: User, class_id: int) -> SchoolClass:
    """Give the class a new join code; the old one stops working at once."""
    school_class = _managed(teacher, class_id)
    if school_class.archived_at is not None:
        raise ServiceError("archived")
    for _ in range(CODE_TRIES):
        school_class.join_code = new_join_code()
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            school_class = _managed(teacher, class_id)
            continue
        return school_class
    raise ServiceError("no_code")


def set_archived(teacher: User, class_id: int, archived: bool) -> SchoolClass:
    """Archive the class (read-only, out of the lists) or bring it back."""
    school_class = _managed(teacher, class_id)
    school_class.archived_at = utcnow() if archived else None
    db.session.commit()
    return school_class


def archived_classes(teacher: User) -> list[SchoolClass]:
    """The teacher's archived classes, newest archive first."""
    return list(
        db.session.scalars(
            select(SchoolClass)
            .where(SchoolClass.teacher_id == teacher.id, SchoolClass.archived_at.is_not(None))
            .order_by(SchoolClass.archived_at.desc(), SchoolClass.id)
        )
    )
