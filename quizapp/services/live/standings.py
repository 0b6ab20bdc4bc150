"""Ranking a game's players: one query, its tie-break rule, and each player's own line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    LiveEvent,
    LiveSession,
    Player,
)
from quizapp.services.live.state import TOP


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


def ranking(live: LiveSession, top: int = TOP, gained: dict | None = None) -> dict:
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
