"""Live classroom games: create, join, run questions, record answers, rank players.

State lives in the database (LiveSession, Player, LiveAnswer, LiveEvent), so any
worker can serve any request of a game. Every change players see is a
*transition*: a conditional UPDATE of the session on its version (`last_seq`),
which also numbers the LiveEvent announcing it; the event is committed with the
change and published after the commit. So a double click, two host tabs, or a
timer firing in two workers advance the game once.

Closing a question needs no background scheduler: a question closes when its
deadline has passed and anyone notices it — each worker's timer for the
deadline (quizapp/live/timers.py), the projector's tick, any state read, or a
late answer — all through `close_if_expired`, which is idempotent. It also
closes early when every active player has answered.

Answers and transitions of one game are ordered by a PostgreSQL advisory lock:
answers take it shared (they run in parallel), transitions exclusive (they wait
for the answers in flight and the next answers see the new phase). SQLite
serialises writers anyway.

Every function that depends on the time takes `now`; the views pass `clock()`.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from quizapp import grading
from quizapp.extensions import db
from quizapp.live import messages, nicknames
from quizapp.live.events import Broker, Event, make_broker
from quizapp.models import (
    Bank,
    LiveAnswer,
    LiveEvent,
    LiveSession,
    Player,
    Question,
    QuestionVersion,
    Quiz,
    User,
    utcnow,
)
from quizapp.security import new_token, token_digest
from quizapp.services.live_scoring import points, streak_bonus
from quizapp.services.quizzes import select_versions
from quizapp.signals import answer_recorded

# Types a class can answer on a phone in seconds: buttons or one number.
LIVE_TYPES = ("single_choice", "multiple_choice", "true_false", "fact_or_opinion", "numeric")
PHASE_EVENTS = ("question", "reveal", "leaderboard", "podium")
TOP = 10
TWO_STEP_WINDOW_S = 10
# A game nobody touched this long closes itself and frees its PIN (see close_idle_games).
PIN_LIFETIME = timedelta(hours=12)
_LOCK_CLASS = 0x4C495645  # "LIVE": the advisory-lock namespace of live games


class LiveError(Exception):
    """A refused action: `code` names the reason, `message` words it for the person."""

    def __init__(self, code: str, detail: str | None = None, params: dict | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.params = params or {}

    @property
    def message(self) -> str:
        """The reason in the current language."""
        return messages.message(self.code, self.detail, self.params)


def clock() -> datetime:
    """Return the server time the views use (tests replace this to script times)."""
    return utcnow()


def epoch_ms(moment: datetime | None) -> int | None:
    """Return a naive UTC datetime as milliseconds since the epoch, for the browser."""
    if moment is None:
        return None
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


def broker() -> Broker:
    """Return this app's broker (created with the app by the live blueprint)."""
    app = current_app
    found = app.extensions.get("live_broker")
    if found is None:
        found = make_broker(app.config.get("REDIS_URL"), app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["live_broker"] = found
    return found


_LOCKS = {
    True: text("SELECT pg_advisory_xact_lock_shared(:c, :s)"),
    False: text("SELECT pg_advisory_xact_lock(:c, :s)"),
}


def _lock(session_id: int, shared: bool) -> None:
    """Order answers and transitions of one game (PostgreSQL; SQLite serialises writers)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(_LOCKS[shared], {"c": _LOCK_CLASS, "s": session_id})


# --- creating a game -------------------------------------------------------------------------


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
        raise LiveError("no_questions")
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
            raise LiveError("pin") from None
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


# --- joining ---------------------------------------------------------------------------------


def two_step_code(live: LiveSession, now: datetime, offset: int = 0) -> str:
    """Return the 4-digit code the projector shows; it changes every 10 seconds."""
    window = int(epoch_ms(now) // 1000 // TWO_STEP_WINDOW_S) + offset
    digest = hmac.new(live.two_step_secret.encode(), str(window).encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:4], 'big') % 10_000:04d}"


def two_step_valid(live: LiveSession, code: str, now: datetime) -> bool:
    """Accept the current code and the one before (it may have changed while typing)."""
    code = (code or "").strip()
    return any(hmac.compare_digest(code, two_step_code(live, now, -k)) for k in (0, 1))


def check_nickname(raw: str) -> str:
    """Return the cleaned nickname or raise LiveError with the rule it breaks."""
    try:
        return nicknames.check(raw)
    except nicknames.NicknameError as error:
        raise LiveError(error.code) from None


def suggest_nickname(live: LiveSession | None, language: str = "de") -> str:
    """Return a generated nickname that is still free in the game."""
    rng = random.Random()  # a friendly suggestion, no secret  # nosec B311
    taken = set()
    if live is not None:
        taken = set(
            db.session.scalars(select(Player.nickname_key).where(Player.session_id == live.id))
        )
    name = nicknames.generate(rng, language)
    suffix = 2
    base = name
    while nicknames.key(name) in taken:
        name = f"{base} {suffix}"
        suffix += 1
    return name


def join(
    live: LiveSession,
    nickname: str,
    now: datetime,
    user_id: int | None = None,
    code: str = "",
) -> tuple[Player, str]:
    """Add a player to a game; return the player and the token for their cookie.

    An account plays once per game: joining again (another browser, a new phone) returns
    its player with its score and streak, under a new token, so its answers count once.
    """
    nickname = check_nickname(nickname)
    if live.open_pin is None or live.state == "podium":
        raise LiveError("ended")
    if removed_account(live.id, user_id):
        raise LiveError("kicked")
    if user_id is not None:
        mine = db.session.scalar(
            select(Player).where(Player.session_id == live.id, Player.user_id == user_id)
        )
        if mine is not None:
            token = new_token()
            mine.token_hash = token_digest(token)
            db.session.commit()
            return mine, token
    if live.two_step and not two_step_valid(live, code, now):
        raise LiveError("code")
    # One statement checks the lock and the cap and takes a place, so two joins never
    # both take the last one.
    taken = db.session.execute(
        update(LiveSession)
        .where(
            LiveSession.id == live.id,
            LiveSession.locked.is_(False),
            LiveSession.open_pin.is_not(None),
            (LiveSession.max_players.is_(None))
            | (LiveSession.player_count < LiveSession.max_players),
        )
        .values(player_count=LiveSession.player_count + 1)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        db.session.refresh(live)
        if live.locked:
            raise LiveError("locked")
        if live.open_pin is None:
            raise LiveError("ended")
        raise LiveError("full")
    token = new_token()
    player = Player(
        session_id=live.id,
        nickname=nickname,
        nickname_key=nicknames.key(nickname),
        token_hash=token_digest(token),
        user_id=user_id,
        joined_at=now,
    )
    db.session.add(player)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise LiveError("taken") from None
    db.session.commit()
    broker().publish(
        live.id,
        Event(
            "joined",
            {"id": player.id, "nickname": player.nickname, "count": live.player_count},
            audience="host",
        ),
    )
    return player, token


def returning_player(
    live: LiveSession, token: str | None, user_id: int | None = None
) -> Player | None:
    """Return the player this browser already is in the game; a removed player stays out:
    the browser of their cookie, and the account they played with in any browser."""
    player = player_by_token(live.id, token)
    if player is not None and player.kicked:
        raise LiveError("kicked")
    if player is None and removed_account(live.id, user_id):
        raise LiveError("kicked")
    return player


def removed_account(session_id: int, user_id: int | None) -> bool:
    """Whether the host removed a player of this account from the game.

    Guests are only known by their cookie: a guest in a fresh browser is a new player,
    and locking the game is what keeps them out. Refusing their network address would
    refuse the whole class, which joins from behind one school address.
    """
    if user_id is None:
        return False
    return (
        db.session.scalar(
            select(Player.id)
            .where(Player.session_id == session_id, Player.user_id == user_id, Player.kicked)
            .limit(1)
        )
        is not None
    )


def player_by_token(session_id: int, token: str | None) -> Player | None:
    """Return the player whose cookie token this is, in this game (kicked ones too)."""
    if not token:
        return None
    return db.session.scalar(
        select(Player).where(
            Player.session_id == session_id, Player.token_hash == token_digest(token)
        )
    )


def players(live: LiveSession) -> list[Player]:
    """Return a game's players in joining order, kicked ones included."""
    return list(
        db.session.scalars(select(Player).where(Player.session_id == live.id).order_by(Player.id))
    )


# --- transitions -----------------------------------------------------------------------------

# A plan: the new column values, the event type, and a function building its data.
Plan = tuple[dict, str, Callable[[LiveSession], dict]]


def _transition(session_id: int, decide: Callable[[LiveSession], Plan | None]) -> Event | None:
    """Apply one change of a game exactly once; log and publish its event.

    `decide(live)` looks at the current state and returns a Plan or None (nothing
    to do). The UPDATE is conditional on the version it saw, so a concurrent
    transition makes this one decide again.
    """
    for _attempt in range(10):
        _lock(session_id, shared=False)
        live = db.session.get(LiveSession, session_id, populate_existing=True)
        if live is None:
            db.session.rollback()
            raise LiveError("missing_game")
        plan = decide(live)
        if plan is None:
            db.session.rollback()
            return None
        values, event_type, build = plan
        seq = live.last_seq + 1
        moved = db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == session_id, LiveSession.last_seq == live.last_seq)
            .values(**values, last_seq=seq)
        )
        if moved.rowcount != 1:
            db.session.rollback()
            continue
        live = db.session.get(LiveSession, session_id, populate_existing=True)
        data = build(live)
        db.session.add(LiveEvent(session_id=session_id, seq=seq, type=event_type, data=data))
        db.session.commit()
        event = Event(event_type, data, seq)
        broker().publish(session_id, event)
        return event
    raise LiveError("busy")


def _question_data(live: LiveSession) -> dict:
    """The question as players see it: prompt and options, never the key."""
    version = db.session.get(QuestionVersion, live.version_ids[live.current_index])
    return {
        "index": live.current_index,
        "count": len(live.version_ids),
        "type": version.type,
        "prompt": version.prompt,
        "view": grading.present(version.type, version.payload, order_seed=live.id),
        "question_ms": epoch_ms(live.question_at),
        "options_ms": epoch_ms(live.options_at),
        "deadline_ms": epoch_ms(live.deadline_at),
        "limit_ms": live.time_limit_s * 1000,
    }


def _start_question(index: int, now: datetime) -> Callable[[LiveSession], Plan]:
    """Return a decision that shows question `index` now."""

    def plan(live: LiveSession) -> Plan:
        options_at = now + timedelta(seconds=live.preview_s)
        values = {
            "state": "question",
            "current_index": index,
            "question_at": now,
            "options_at": options_at,
            "deadline_at": options_at + timedelta(seconds=live.time_limit_s),
            "paused_at": None,
        }
        return values, "question", _question_data

    return plan


def _podium(now: datetime) -> Plan:
    """The plan that ends the game with the podium (and frees the PIN)."""

    def build(live: LiveSession) -> dict:
        return {**_ranking(live, top=3), "final": True}

    values = {"state": "podium", "finished_at": now, "open_pin": None, "paused_at": None}
    return values, "podium", build


def next_step(session_id: int, seen_seq: int, now: datetime) -> Event | None:
    """Move on from what the host saw (`seen_seq`): start, reveal, leaderboard, next, podium."""

    def decide(live: LiveSession) -> Plan | None:
        if live.last_seq != seen_seq:
            return None  # the host's click was about a state that has moved on
        last = live.current_index + 1 >= len(live.version_ids)
        if live.state == "lobby":
            return _start_question(0, now)(live)
        if live.state == "question":
            return _close_plan(live, now)
        if live.state == "reveal":
            if last:
                return _podium(now)
            return {"state": "leaderboard"}, "leaderboard", _leaderboard_data
        if live.state == "leaderboard":
            return _start_question(live.current_index + 1, now)(live)
        return None

    return _transition(session_id, decide)


def _leaderboard_data(live: LiveSession) -> dict:
    """The leaderboard after a question: the top of the table and everyone's own line."""
    return {"index": live.current_index, **_ranking(live)}


def skip(session_id: int, seen_seq: int, now: datetime) -> Event | None:
    """Skip ahead: close the running question now, or go to the next question directly."""

    def decide(live: LiveSession) -> Plan | None:
        if live.last_seq != seen_seq:
            return None
        if live.state == "question":
            return _close_plan(live, now)
        if live.state in ("reveal", "leaderboard"):
            if live.current_index + 1 >= len(live.version_ids):
                return _podium(now)
            return _start_question(live.current_index + 1, now)(live)
        return None

    return _transition(session_id, decide)


def end(session_id: int, now: datetime) -> Event | None:
    """End the game now and show the podium."""

    def decide(live: LiveSession) -> Plan | None:
        return None if live.state == "podium" else _podium(now)

    return _transition(session_id, decide)


def pause(session_id: int, now: datetime) -> Event | None:
    """Stop the clock of the running question."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state != "question" or live.paused_at is not None or live.deadline_at <= now:
            return None
        remaining = int((live.deadline_at - now).total_seconds() * 1000)
        return (
            {"paused_at": now},
            "paused",
            lambda lv: {"index": lv.current_index, "remaining_ms": remaining},
        )

    return _transition(session_id, decide)


def resume(session_id: int, now: datetime) -> Event | None:
    """Restart the clock: the pause does not count toward anyone's time."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state != "question" or live.paused_at is None:
            return None
        gap = now - live.paused_at
        values = {
            "paused_at": None,
            "question_at": live.question_at + gap,
            "options_at": live.options_at + gap,
            "deadline_at": live.deadline_at + gap,
        }
        return values, "resumed", _question_data

    return _transition(session_id, decide)


def set_locked(session_id: int, locked: bool) -> Event | None:
    """Lock or unlock the game for new players."""

    def decide(live: LiveSession) -> Plan | None:
        if live.locked == locked:
            return None
        return {"locked": locked}, "lock", lambda lv: {"locked": locked}

    return _transition(session_id, decide)


def kick(session_id: int, player_id: int, now: datetime) -> Event | None:
    """Remove a player for good: their token stops working and their name stays taken."""
    player = db.session.get(Player, player_id)
    if player is None or player.session_id != session_id:
        raise LiveError("missing_player")

    def decide(live: LiveSession) -> Plan | None:
        db.session.refresh(player)
        if player.kicked:
            return None
        player.kicked = True
        return (
            {"player_count": LiveSession.player_count - 1},
            "kicked",
            lambda lv: {"player_id": player_id, "nickname": player.nickname},
        )

    event = _transition(session_id, decide)
    # The players left may all have answered already.
    close_if_all_answered(session_id, now)
    return event


def close_if_expired(session_id: int, index: int | None, now: datetime) -> Event | None:
    """Close the running question if its deadline has passed (idempotent; any worker)."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state != "question" or live.paused_at is not None:
            return None
        if index is not None and live.current_index != index:
            return None
        if live.deadline_at is None or live.deadline_at > now:
            return None
        return _close_plan(live, now)

    return _transition(session_id, decide)


def expire_if_due(live: LiveSession, now: datetime) -> None:
    """Close the running question if its time is up (cheap when it is not)."""
    if live.state == "question" and live.paused_at is None and live.deadline_at <= now:
        close_if_expired(live.id, live.current_index, now)
        db.session.refresh(live)


def close_if_all_answered(session_id: int, now: datetime) -> Event | None:
    """Close the running question early once every active player has answered it."""
    # One cheap read first: a transition takes the game's exclusive lock.
    live = db.session.execute(
        select(
            LiveSession.state,
            LiveSession.current_index,
            LiveSession.paused_at,
            LiveSession.player_count,
            _answered_count(session_id, LiveSession.current_index).scalar_subquery(),
        ).where(LiveSession.id == session_id)
    ).one_or_none()
    db.session.rollback()
    if live is None or live.state != "question" or live.paused_at is not None:
        return None
    index, answered, active = live.current_index, live[4], live.player_count
    if active == 0 or answered < active:
        return None

    def decide(current: LiveSession) -> Plan | None:
        if current.state != "question" or current.current_index != index:
            return None
        answered, active = _answer_counts(session_id, index)
        return _close_plan(current, now) if active and answered >= active else None

    return _transition(session_id, decide)


def _answered_count(session_id, index):
    """The query counting answers to question `index` by players not removed."""
    return (
        select(func.count(LiveAnswer.id))
        .join(Player, Player.id == LiveAnswer.player_id)
        .where(
            LiveAnswer.session_id == session_id,
            LiveAnswer.question_index == index,
            Player.kicked.is_(False),
        )
    )


_ANSWERED_COUNT = _answered_count(bindparam("session_id"), bindparam("index"))


def _answer_counts(session_id: int, index: int) -> tuple[int, int]:
    """Return (answers to question `index` by active players, active players) in one query."""
    active = select(LiveSession.player_count).where(LiveSession.id == session_id)
    row = db.session.execute(
        select(_answered_count(session_id, index).scalar_subquery(), active.scalar_subquery())
    ).one()
    return int(row[0]), int(row[1])


def _close_plan(live: LiveSession, now: datetime) -> Plan:
    """The plan that closes the running question and reveals its answer."""
    index = live.current_index
    # Whoever did not answer loses their streak.
    answered_ids = select(LiveAnswer.player_id).where(
        LiveAnswer.session_id == live.id, LiveAnswer.question_index == index
    )
    db.session.execute(
        update(Player)
        .where(Player.session_id == live.id, Player.id.not_in(answered_ids), Player.streak != 0)
        .values(streak=0)
    )
    return {"state": "reveal", "paused_at": None}, "reveal", _reveal_data


def _reveal_data(live: LiveSession) -> dict:
    """The reveal: right answer, distribution, explanation with its source, and the ranks."""
    index = live.current_index
    version = db.session.get(QuestionVersion, live.version_ids[index])
    claim = version.question.claim
    article = claim.article
    answers = db.session.execute(
        select(
            LiveAnswer.player_id, LiveAnswer.answer, LiveAnswer.correct, LiveAnswer.points
        ).where(LiveAnswer.session_id == live.id, LiveAnswer.question_index == index)
    ).all()
    distribution = _distribution(version, [a.answer for a in answers])
    gained = {a.player_id: (a.points, a.correct) for a in answers}
    ranking = _ranking(live, gained=gained)
    return {
        "index": index,
        "count": len(live.version_ids),
        "type": version.type,
        "prompt": version.prompt,
        "view": grading.present(version.type, version.payload, order_seed=live.id),
        "solution": grading.solution(version.type, version.payload),
        "distribution": distribution,
        "answered": len(answers),
        "correct": sum(1 for a in answers if a.correct),
        "explanation": version.explanation,
        "quote": claim.quote,
        "kind": claim.kind,
        "verdict": claim.verdict,
        "source": {
            "title": article.title,
            "name": article.source_name,
            "url": article.source_url,
        },
        **ranking,
    }


def _distribution(version: QuestionVersion, answers: list) -> dict:
    """Count the answers per option (choices), per value (true/false, categories) or right/wrong."""
    counts: Counter = Counter()
    for answer in answers:
        if version.type == "multiple_choice":
            counts.update(answer)
        elif version.type == "numeric":
            right = grading.grade(version.type, version.payload, answer).correct
            counts["right" if right else "wrong"] += 1
        else:
            counts[str(answer).lower()] += 1
    return dict(counts)


# --- answering -------------------------------------------------------------------------------


def submit_answer(session_id: int, token: str | None, index: int, raw, now: datetime) -> int:
    """Record the answer of the player with this cookie token to question `index`.

    The score stays hidden until the reveal. Returns the server-measured time
    since the options opened (ms). Refused (LiveError): an unknown token
    ("unknown"), another question running, options not open yet, a paused game,
    the time is up, a removed player, a second answer (the unique constraint
    decides), or a malformed answer.
    """
    try:
        elapsed_ms, answered, active = _record(session_id, token, index, raw, now)
    except LiveError as error:
        db.session.rollback()
        if error.code == "late":
            close_if_expired(session_id, index, now)
        raise
    _after_answer(session_id, index, answered, active, now)
    return elapsed_ms


@dataclass(frozen=True)
class _Version:
    """What grading an answer needs of a question version (versions never change)."""

    id: int
    question_id: int
    type: str
    payload: dict


# Per process: a game's versions, keyed by game id and its random secret (ids restart in
# tests; the secret does not repeat), so answers need no query for them.
_VERSIONS: dict[tuple[int, str], list[_Version]] = {}


def _versions(session_id: int, secret: str, version_ids: list[int]) -> list[_Version]:
    """Return the game's question versions in order, cached for the process."""
    key = (session_id, secret)
    found = _VERSIONS.get(key)
    if found is None:
        rows = db.session.execute(
            select(
                QuestionVersion.id,
                QuestionVersion.question_id,
                QuestionVersion.type,
                QuestionVersion.payload,
            ).where(QuestionVersion.id.in_(version_ids))
        )
        by_id = {row.id: _Version(row.id, row.question_id, row.type, row.payload) for row in rows}
        found = [by_id[i] for i in version_ids]
        if len(_VERSIONS) > 500:
            _VERSIONS.clear()
        _VERSIONS[key] = found
    return found


# The statements of the answer path, built once (building a statement costs more than
# running it on a warm connection).
_ANSWER_STATE = (
    select(
        LiveSession.state,
        LiveSession.current_index,
        LiveSession.paused_at,
        LiveSession.options_at,
        LiveSession.deadline_at,
        LiveSession.version_ids,
        LiveSession.two_step_secret,
        LiveSession.time_limit_s,
        LiveSession.base_points,
        LiveSession.scoring,
        LiveSession.streak_bonus,
        LiveSession.player_count,
        Player.id.label("player_id"),
        Player.kicked,
        Player.streak,
        Player.user_id,
    )
    .join(Player, Player.session_id == LiveSession.id)
    .where(LiveSession.id == bindparam("session_id"), Player.token_hash == bindparam("token"))
)
_INSERT_ANSWER = insert(LiveAnswer)
_SCORE_PLAYER = (
    update(Player)
    .where(Player.id == bindparam("player_id"))
    .values(
        score=Player.score + bindparam("gained"),
        streak=bindparam("new_streak"),
        last_score_at=func.coalesce(bindparam("scored_at"), Player.last_score_at),
    )
)


def _record(session_id: int, token: str | None, index: int, raw, now: datetime):
    """Grade and store one answer in one transaction (see submit_answer).

    The hot path of a game, so few round trips: the lock, one read, the insert,
    the update and a count. Returns (elapsed ms, answers counted, active players).
    """
    if not token:
        raise LiveError("unknown")
    _lock(session_id, shared=True)
    live = db.session.execute(
        _ANSWER_STATE, {"session_id": session_id, "token": token_digest(token)}
    ).one_or_none()
    if live is None:
        raise LiveError("unknown")
    player_id = live.player_id
    if live.kicked:
        raise LiveError("kicked")
    if live.state != "question" or live.current_index != index:
        raise LiveError("closed")
    if live.paused_at is not None:
        raise LiveError("paused")
    if now < live.options_at:
        raise LiveError("early")
    if now > live.deadline_at:
        raise LiveError("late")
    version = _versions(session_id, live.two_step_secret, live.version_ids)[index]
    try:
        parsed = grading.parse_answer(version.type, version.payload, raw)
    except grading.AnswerError as error:
        raise LiveError("invalid", error.message, error.params) from None
    result = grading.grade(version.type, version.payload, parsed)
    elapsed_ms = int((now - live.options_at).total_seconds() * 1000)
    score = result.score or 0.0
    correct = result.correct is True
    gained = points(score, elapsed_ms, live.time_limit_s * 1000, live.base_points, live.scoring)
    streak = live.streak + 1 if correct else 0
    bonus = streak_bonus(streak) if correct and live.streak_bonus else 0
    row = {
        "player_id": player_id,
        "session_id": session_id,
        "question_index": index,
        "version_id": version.id,
        "answer": parsed,
        "score": score,
        "correct": correct,
        "elapsed_ms": elapsed_ms,
        "points": gained + bonus,
        "bonus": bonus,
        "answered_at": now,
    }
    try:
        db.session.execute(_INSERT_ANSWER, row)
    except IntegrityError:
        raise LiveError("twice") from None
    db.session.execute(
        _SCORE_PLAYER,
        {
            "player_id": player_id,
            "gained": gained + bonus,
            "new_streak": streak,
            # Only a rise of the score moves the tie-break time.
            "scored_at": now if gained + bonus > 0 else None,
        },
    )
    if live.user_id is not None:
        answer_recorded.send(
            current_app._get_current_object(),
            user_id=live.user_id,
            question_id=version.question_id,
            version_id=version.id,
            score=result.score,
            elapsed_ms=elapsed_ms,
            answered_at=now,
        )
    answered = db.session.scalar(_ANSWERED_COUNT, {"session_id": session_id, "index": index})
    db.session.commit()
    return elapsed_ms, answered, live.player_count


# The count inside an answer's transaction misses answers committed meanwhile. The answer
# that commits last re-counts after its commit (then it sees every answer) if it may be
# last: when fewer than this many answers are missing, more than can be in flight at once
# (transactions in flight are bounded by the connection pools).
RECOUNT_MARGIN = 200


def _after_answer(session_id: int, index: int, answered: int, active: int, now: datetime) -> None:
    """Tell the host how many have answered; close the question when all have."""
    broker().publish(
        session_id,
        Event("answered", {"index": index, "count": answered, "total": active}, audience="host"),
    )
    if active - answered <= RECOUNT_MARGIN:
        close_if_all_answered(session_id, now)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One line of the leaderboard."""

    rank: int
    player_id: int
    nickname: str
    score: int
    streak: int


def standings(session_id: int, limit: int | None = None) -> list[Standing]:
    """Rank a game's players (kicked ones left out) in one query.

    Order: higher score first; equal scores go to whoever reached that score
    first (earlier `last_score_at`, the time of the answer that last raised the
    score); players still at 0 points, and any remaining tie, by joining order
    (lower player id). So ranks are never shared.
    """
    query = (
        select(Player.id, Player.nickname, Player.score, Player.streak)
        .where(Player.session_id == session_id, Player.kicked.is_(False))
        .order_by(Player.score.desc(), Player.last_score_at.asc().nulls_last(), Player.id.asc())
    )
    if limit:
        query = query.limit(limit)
    return [
        Standing(rank, row.id, row.nickname, row.score, row.streak)
        for rank, row in enumerate(db.session.execute(query), start=1)
    ]


def _ranking(live: LiveSession, top: int = TOP, gained: dict | None = None) -> dict:
    """The public top of the table and every player's own line (rank, score, streak, …)."""
    table = standings(live.id)
    ranks = {}
    for s in table:
        line = [s.rank, s.score, s.streak]
        if gained is not None:
            got = gained.get(s.player_id)
            # points this question, and True/False, or None when the player did not answer
            line += [got[0], got[1]] if got else [0, None]
        ranks[str(s.player_id)] = line
    return {
        "top": [{"rank": s.rank, "nickname": s.nickname, "score": s.score} for s in table[:top]],
        "players": len(table),
        "ranks": ranks,
    }


def own_line(data: dict, player_id: int) -> dict | None:
    """Return a player's line of a ranked event as a dict (None if they were not ranked)."""
    line = (data.get("ranks") or {}).get(str(player_id))
    if line is None:
        return None
    me = {"rank": line[0], "score": line[1], "streak": line[2]}
    if len(line) > 3:
        me.update(points=line[3], correct=line[4])
    return me


def view_for(event: Event, player_id: int | None) -> dict | None:
    """Return what one client sees of an event: a player gets their own line, not all ranks."""
    data = event.data
    if event.type == "kicked":
        if player_id is None:
            return data
        return {**data, "final": True} if data.get("player_id") == player_id else None
    if "ranks" not in data:
        return data
    public = {k: v for k, v in data.items() if k != "ranks"}
    if player_id is not None:
        public["me"] = own_line(data, player_id)
    return public


def events_after(session_id: int, after: int, before: int | None = None) -> list[Event]:
    """Return the logged events with after < seq (< before), in order, for catching up."""
    query = select(LiveEvent).where(LiveEvent.session_id == session_id, LiveEvent.seq > after)
    if before is not None:
        query = query.where(LiveEvent.seq < before)
    return [Event(e.type, e.data, e.seq) for e in db.session.scalars(query.order_by(LiveEvent.seq))]


def current_event(live: LiveSession) -> Event | None:
    """Return the latest event that set what the screens show (question, reveal, …)."""
    row = db.session.scalar(
        select(LiveEvent)
        .where(LiveEvent.session_id == live.id, LiveEvent.type.in_(PHASE_EVENTS))
        .order_by(LiveEvent.seq.desc())
        .limit(1)
    )
    return Event(row.type, row.data, row.seq) if row else None


def last_ranked(live: LiveSession, player_id: int) -> dict | None:
    """Return a player's line of the latest ranked event (their score as last revealed)."""
    row = db.session.scalar(
        select(LiveEvent)
        .where(
            LiveEvent.session_id == live.id,
            LiveEvent.type.in_(("reveal", "leaderboard", "podium")),
        )
        .order_by(LiveEvent.seq.desc())
        .limit(1)
    )
    return own_line(row.data, player_id) if row else None


def own_answer(player: Player, index: int) -> LiveAnswer | None:
    """Return the player's answer to question `index`, if any."""
    return db.session.scalar(
        select(LiveAnswer).where(
            LiveAnswer.player_id == player.id, LiveAnswer.question_index == index
        )
    )


def snapshot(live: LiveSession, now: datetime, player: Player | None = None) -> dict:
    """Return the state a page starts from: phase, version, the phase's event as this client
    sees it, and (players) their answer and their score as last revealed."""
    close_if_idle(live, now)
    expire_if_due(live, now)
    event = current_event(live)
    state = {
        "session": live.id,
        "phase": live.state,
        "seq": live.last_seq,
        "paused": live.paused_at is not None,
        "locked": live.locked,
        "players": live.player_count,
        "server_ms": epoch_ms(now),
        "event": None,
    }
    if event is not None:
        state["event"] = {
            "type": event.type,
            "seq": event.seq,
            "data": view_for(event, player.id if player else None),
        }
    if live.paused_at is not None and live.deadline_at is not None:
        state["remaining_ms"] = int((live.deadline_at - live.paused_at).total_seconds() * 1000)
    if player is not None:
        state["me"] = {
            "id": player.id,
            "nickname": player.nickname,
            "kicked": player.kicked,
            **(last_ranked(live, player.id) or {"rank": None, "score": 0, "streak": 0}),
        }
        if live.state == "question":
            state["answered"] = own_answer(player, live.current_index) is not None
    else:
        answered, active = _answer_counts(live.id, live.current_index)
        state["answered"] = answered
    return state


# --- lifecycle: a game nobody touches closes itself ------------------------------------------


def _idle(cutoff: datetime):
    """SQL condition: the game is not over and nothing happened in it since `cutoff`.

    Touching a game is creating it, a player joining, or any change of its state (an
    event); a question closes within its time limit, so answers need no check of their own.
    """
    touched_event = select(LiveEvent.id).where(
        LiveEvent.session_id == LiveSession.id, LiveEvent.created_at >= cutoff
    )
    touched_join = select(Player.id).where(
        Player.session_id == LiveSession.id, Player.joined_at >= cutoff
    )
    return (
        (LiveSession.state != "podium")
        & (LiveSession.created_at < cutoff)
        & ~touched_event.exists()
        & ~touched_join.exists()
    )


def _close_idle(session_id: int, now: datetime) -> Event | None:
    """End one idle game (podium, PIN freed); its event says it closed for want of activity."""

    def decide(live: LiveSession) -> Plan | None:
        if live.state == "podium":
            return None
        values, event_type, build = _podium(now)
        return values, event_type, lambda lv: {**build(lv), "idle": True}

    return _transition(session_id, decide)


def close_idle_games(now: datetime) -> int:
    """Close every game nobody touched for 12 hours; return how many (no scheduler needed:
    creating a game, joining by PIN and the host's list call this, as reading a game does)."""
    ids = list(db.session.scalars(select(LiveSession.id).where(_idle(now - PIN_LIFETIME))))
    for session_id in ids:
        _close_idle(session_id, now)
    return len(ids)


def close_if_idle(live: LiveSession, now: datetime) -> bool:
    """Close this game if nobody touched it for 12 hours (cheap when it is younger)."""
    cutoff = now - PIN_LIFETIME
    if live.state == "podium" or live.created_at >= cutoff:
        return False
    idle = db.session.scalar(select(LiveSession.id).where(LiveSession.id == live.id, _idle(cutoff)))
    if idle is None:
        return False
    _close_idle(live.id, now)
    db.session.refresh(live)
    return True


def ended_with_pin(pin: str) -> LiveSession | None:
    """Return the latest game that had this PIN if it is over (to say so to a late joiner)."""
    pin = (pin or "").strip().replace(" ", "")
    live = db.session.scalar(
        select(LiveSession).where(LiveSession.pin == pin).order_by(LiveSession.id.desc()).limit(1)
    )
    return live if live is not None and live.state == "podium" else None


# --- results ---------------------------------------------------------------------------------


def results(live: LiveSession) -> dict:
    """Return the game's results: players ranked, questions with statistics, every answer."""
    versions = versions_of(live)
    table = standings(live.id)
    everyone = {p.id: p for p in players(live)}
    answers = list(
        db.session.scalars(
            select(LiveAnswer)
            .where(LiveAnswer.session_id == live.id)
            .order_by(LiveAnswer.question_index, LiveAnswer.answered_at, LiveAnswer.id)
        )
    )
    by_player: dict[int, dict[int, LiveAnswer]] = {}
    for a in answers:
        by_player.setdefault(a.player_id, {})[a.question_index] = a
    questions = []
    for index, version in enumerate(versions):
        given = [a for a in answers if a.question_index == index]
        questions.append(
            {
                "index": index,
                "prompt": version.prompt,
                "type": version.type,
                "answered": len(given),
                "correct": sum(1 for a in given if a.correct),
                "mean_ms": round(sum(a.elapsed_ms for a in given) / len(given)) if given else None,
            }
        )
    rows = [
        {
            "rank": s.rank,
            "player_id": s.player_id,
            "nickname": s.nickname,
            "score": s.score,
            "account": everyone[s.player_id].user_id is not None,
            "correct": sum(1 for a in by_player.get(s.player_id, {}).values() if a.correct),
            "answers": by_player.get(s.player_id, {}),
        }
        for s in table
    ]
    return {
        "versions": versions,
        "questions": questions,
        "players": rows,
        "answers": answers,
        "nicknames": {p.id: p.nickname for p in everyone.values()},
        "kicked": [p for p in everyone.values() if p.kicked],
    }
