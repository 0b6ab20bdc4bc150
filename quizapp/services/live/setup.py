"""Creating a live game: its questions, its rules, its PIN; finding games; the two-step code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    LiveSession,
    Question,
    QuestionVersion,
    Quiz,
    User,
)
from quizapp.services.live.flow import close_idle_games
from quizapp.services.live.state import LIVE_TYPES, TWO_STEP_WINDOW_S, epoch_ms
from quizapp.services.quizzes import select_versions


def split_versions(versions: list[QuestionVersion]) -> tuple[list, list]:
    """Split versions into those a live game can ask and those it skips (by type)."""
    usable = [v for v in versions if v.type in LIVE_TYPES]
    skipped = [v for v in versions if v.type not in LIVE_TYPES]
    return usable, skipped


@dataclass
class GameRules:
    """What the host chooses when starting a game."""

    count: int | None = None
    shuffle: bool = False
    scoring: str = "speed"
    streak_bonus: bool = True
    time_limit_s: int = 20
    preview_s: int = 3
    two_step: bool = False
    max_players: int | None = None


def create_session(
    host: User, bank: Bank, rules: GameRules, now: datetime, _attempt: int = 0
) -> LiveSession:
    """Create a live quiz over a bank and its game in the lobby, with a fresh PIN."""
    # Games left idle close first, so their PINs are free again.
    close_idle_games(now)
    quiz = Quiz(
        bank_id=bank.id,
        title=bank.title,
        mode="live",
        selection="all",
        shuffle_questions=rules.shuffle,
        created_by_id=host.id,
    )
    db.session.add(quiz)
    db.session.flush()
    usable, _skipped = split_versions(select_versions(quiz))
    if rules.count:
        usable = usable[: rules.count]
    if not usable:
        db.session.rollback()
        raise ServiceError("no_questions")
    quiz.count = len(usable)
    live = LiveSession(
        quiz_id=quiz.id,
        host_id=host.id,
        state="lobby",
        created_at=now,
        scoring=rules.scoring,
        streak_bonus=rules.streak_bonus,
        time_limit_s=rules.time_limit_s,
        preview_s=rules.preview_s,
        two_step=rules.two_step,
        two_step_secret=secrets.token_hex(16),
        max_players=rules.max_players,
        version_ids=[v.id for v in usable],
    )
    live.pin = live.open_pin = _free_pin()
    db.session.add(live)
    try:
        db.session.commit()
    except IntegrityError:
        # Another game took the same PIN a moment ago: start over with another one.
        db.session.rollback()
        if _attempt >= 5:
            raise ServiceError("pin") from None
        return create_session(host, bank, rules, now, _attempt + 1)
    return live


def _free_pin() -> str:
    """Return a random 6-digit PIN that no open game uses right now."""
    while True:
        pin = f"{secrets.randbelow(900_000) + 100_000}"
        if find_open(pin) is None:
            return pin


def bank_overview() -> list[dict]:
    """Return every bank with how many published questions a live game can ask and skips."""
    rows = db.session.execute(
        select(Question.bank_id, QuestionVersion.type, func.count())
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.status == "published")
        .group_by(Question.bank_id, QuestionVersion.type)
    ).all()
    counts: dict[int, Counter] = {}
    for bank_id, qtype, count in rows:
        counts.setdefault(bank_id, Counter())[qtype] += count
    overview = []
    for bank in db.session.scalars(select(Bank).order_by(Bank.title)):
        types = counts.get(bank.id, Counter())
        usable = sum(n for t, n in types.items() if t in LIVE_TYPES)
        overview.append({"bank": bank, "usable": usable, "skipped": sum(types.values()) - usable})
    return overview


def find_open(pin: str) -> LiveSession | None:
    """Return the game that can be joined with this PIN, if any."""
    pin = (pin or "").strip().replace(" ", "")
    if not (pin.isdigit() and len(pin) == 6):
        return None
    return db.session.scalar(select(LiveSession).where(LiveSession.open_pin == pin))


def ended_with_pin(pin: str) -> LiveSession | None:
    """Return the latest game that had this PIN if it is over (to say so to a late joiner)."""
    pin = (pin or "").strip().replace(" ", "")
    live = db.session.scalar(
        select(LiveSession).where(LiveSession.pin == pin).order_by(LiveSession.id.desc()).limit(1)
    )
    return live if live is not None and live.state == "podium" else None


def hosted_by(user: User, limit: int = 20) -> list[LiveSession]:
    """Return a host's most recent games, newest first."""
    return list(
        db.session.scalars(
            select(LiveSession)
            .where(LiveSession.host_id == user.id)
            .order_by(LiveSession.created_at.desc(), LiveSession.id.desc())
            .limit(limit)
        )
    )


def versions_of(live: LiveSession) -> list[QuestionVersion]:
    """Return the game's question versions in order."""
    found = {
        v.id: v
        for v in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_(live.version_ids))
        )
    }
    return [found[i] for i in live.version_ids]


def two_step_code(live: LiveSession, now: datetime, offset: int = 0) -> str:
    """Return the 4-digit code the projector shows; it changes every 10 seconds."""
    window = int(epoch_ms(now) // 1000 // TWO_STEP_WINDOW_S) + offset
    digest = hmac.new(live.two_step_secret.encode(), str(window).encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:4], 'big') % 10_000:04d}"


def two_step_valid(live: LiveSession, code: str, now: datetime) -> bool:
    """Accept the current code and the one before (it may have changed while typing)."""
    code = (code or "").strip()
    return any(hmac.compare_digest(code, two_step_code(live, now, -k)) for k in (0, 1))
