"""Joining a live game: nicknames, places, returning and removed players."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    LiveSession,
    Player,
)
from quizapp.security import new_token, token_digest
from quizapp.services.live import nicknames
from quizapp.services.live.events import Event
from quizapp.services.live.setup import two_step_valid
from quizapp.services.live.state import broker


def check_nickname(raw: str) -> str:
    """Return the cleaned nickname or raise ServiceError with the rule it breaks."""
    return nicknames.check(raw)


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
        raise ServiceError("ended")
    if removed_account(live.id, user_id):
        raise ServiceError("kicked")
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
        raise ServiceError("code")
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
            raise ServiceError("locked")
        if live.open_pin is None:
            raise ServiceError("ended")
        raise ServiceError("full")
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
        raise ServiceError("taken") from None
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
        raise ServiceError("kicked")
    if player is None and removed_account(live.id, user_id):
        raise ServiceError("kicked")
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
