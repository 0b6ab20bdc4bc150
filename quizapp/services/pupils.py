"""Pupil accounts without email: a teacher makes them for a class, with one-time passwords.

A pupil logs in with the username and must choose their own password first. Only the
teacher who made an account (or an admin) sees its class list entry as theirs and may
reset its password. Passwords are shown once, when made; only their hashes are stored.
"""

import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Membership, SchoolClass, User
from quizapp.security import hash_password

MAX_PUPILS = 60
NAME_MAX = 80
USERNAME_BASE_MAX = 16
# No 0/O, 1/I/l: a password read off a paper card is typed right the first time.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # letters to draw from, no secret  # nosec B105
PASSWORD_GROUPS = 3
TRIES = 20
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass
class Card:
    """What a pupil's login card shows: name, username and the one-time password."""

    user_id: int
    display_name: str
    username: str
    password: str


def one_time_password() -> str:
    """Return a random password of three groups of four unambiguous characters."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def username_base(name: str) -> str:
    """Return the letters of a name as a username stem: "Jörg Müller" → "joergm"."""
    words = unicodedata.normalize("NFKC", name).lower().translate(_FOLD).split()
    folded = [unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() for w in words]
    folded = [re.sub(r"[^a-z0-9]", "", w) for w in folded]
    folded = [w for w in folded if w]
    if not folded:
        return "pupil"
    base = folded[0] + (folded[-1][0] if len(folded) > 1 else "")
    return base[:USERNAME_BASE_MAX]


def _managed(teacher: User, class_id: int) -> SchoolClass:
    """The class if the teacher runs it (admins run every class); else refuse."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise ServiceError("unknown")
    if teacher.id != school_class.teacher_id and teacher.role != "admin":
        raise ServiceError("forbidden")
    if school_class.archived_at is not None:
        raise ServiceError("archived")
    return school_class


def clean_names(lines: list[str]) -> list[str]:
    """Return the names of a pasted list: one per line, spaces tidied, blank lines left out."""
    return [" ".join(line.split()) for line in lines if line.strip()]


def _usernames(bases: list[str]) -> list[str]:
    """Return a free username per stem (stem + two digits), distinct among themselves."""
    taken = set(db.session.scalars(select(User.username).where(User.username.is_not(None))).all())
    chosen = []
    for base in bases:
        for _ in range(TRIES):
            candidate = f"{base}{secrets.randbelow(90) + 10}"
            if candidate not in taken:
                break
        else:
            candidate = f"{base}{secrets.randbelow(9000) + 1000}"
        taken.add(candidate)
        chosen.append(candidate)
    return chosen


def create_pupils(teacher: User, class_id: int, names: list[str]) -> list[Card]:
    """Make an account per name in the teacher's class; return the login cards (shown once)."""
    school_class = _managed(teacher, class_id)
    names = clean_names(names)
    if not names:
        raise ServiceError("no_names", field="names")
    if len(names) > MAX_PUPILS:
        raise ServiceError("too_many", field="names", max=MAX_PUPILS)
    too_long = [n for n in names if len(n) > NAME_MAX]
    if too_long:
        raise ServiceError("name_too_long", field="names", name=too_long[0][:40], max=NAME_MAX)
    for _ in range(3):
        usernames = _usernames([username_base(n) for n in names])
        cards, users = [], []
        for name, username in zip(names, usernames, strict=True):
            password = one_time_password()
            user = User(
                email=None,
                username=username,
                display_name=name,
                password_hash=hash_password(password),
                role="learner",
                must_change_password=True,
                created_by_id=teacher.id,
            )
            users.append(user)
            cards.append(Card(0, name, username, password))
        db.session.add_all(users)
        try:
            db.session.flush()
            db.session.add_all(Membership(class_id=school_class.id, user_id=u.id) for u in users)
            db.session.commit()
        except IntegrityError:
            # Someone took one of the usernames meanwhile: draw them again.
            db.session.rollback()
            continue
        for card, user in zip(cards, users, strict=True):
            card.user_id = user.id
        return cards
    raise ServiceError("no_username")


def pupils(teacher: User, school_class: SchoolClass) -> set[int]:
    """Return the ids of the class's members whose accounts this teacher made."""
    return set(
        db.session.scalars(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.class_id == school_class.id, User.created_by_id == teacher.id)
        )
    )


def reset_password(teacher: User, class_id: int, user_id: int) -> Card:
    """Give a pupil of the teacher's class a new one-time password; their sessions end."""
    school_class = _managed(teacher, class_id)
    pupil = db.session.get(User, user_id)
    member = pupil is not None and db.session.scalar(
        select(Membership.id).where(
            Membership.class_id == school_class.id, Membership.user_id == pupil.id
        )
    )
    if not member:
        raise ServiceError("not_member")
    if pupil.created_by_id != teacher.id and teacher.role != "admin":
        raise ServiceError("not_your_pupil")
    password = one_time_password()
    pupil.password_hash = hash_password(password)
    pupil.must_change_password = True
    pupil.session_version += 1
    db.session.commit()
    return Card(pupil.id, pupil.display_name, pupil.username or "", password)


def choose_password(user: User, password: str) -> None:
    """Set the password a pupil chose at first login; the one-time password stops working."""
    if not user.must_change_password:
        raise ServiceError("not_needed")
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_version += 1
    db.session.commit()
