"""A finished (or running) game's results: players ranked, question statistics, every answer."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    LiveAnswer,
    LiveSession,
)
from quizapp.services.live.lobby import players
from quizapp.services.live.setup import versions_of
from quizapp.services.live.standings import standings


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
