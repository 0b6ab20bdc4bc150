"""Live classroom games, the domain below the live blueprint: create, join, run, answer, rank.

State lives in the database (LiveSession, Player, LiveAnswer, LiveEvent), so any worker can
serve any request of a game; every change players see is one transition (flow.py). The
modules, by concern:

    state      the clock, the broker, the per-game lock, the limits
    setup      creating a game and its PIN, finding games, the two-step code
    lobby      joining: nicknames (nicknames.py), places, returning and removed players
    flow       transitions: start, reveal, leaderboard, podium, pause, lock, kick, closing
               (also idle games: nobody touched them for 12 hours)
    answers    the answer path (scoring.py: the points formula)
    standings  the ranking query and each player's own line
    snapshot   what a page starts from; the event log; what each client sees of an event
    results    a game's results for the host and the export
    events     the broker (in-process or Redis), the hub and the SSE stream
    timers     each worker's deadline timers

Refusals are `quizapp.errors.ServiceError` with a code; the live blueprint words them.
Views use this package as `game` (`from quizapp.services import live as game`), so the
names below are its public interface; every function that depends on the time takes `now`,
and the views pass `game.clock()`.
"""

from quizapp.services.live.answers import submit_answer
from quizapp.services.live.events import Event
from quizapp.services.live.flow import (
    close_idle_games,
    close_if_all_answered,
    close_if_expired,
    close_if_idle,
    end,
    expire_if_due,
    kick,
    next_step,
    pause,
    resume,
    set_locked,
    skip,
)
from quizapp.services.live.lobby import (
    check_nickname,
    join,
    player_by_token,
    players,
    removed_account,
    returning_player,
    suggest_nickname,
)
from quizapp.services.live.results import results
from quizapp.services.live.setup import (
    GameRules,
    bank_overview,
    create_session,
    ended_with_pin,
    find_open,
    hosted_by,
    split_versions,
    two_step_code,
    two_step_valid,
    versions_of,
)
from quizapp.services.live.snapshot import (
    current_event,
    events_after,
    own_answer,
    snapshot,
    sse_for,
    view_for,
)
from quizapp.services.live.standings import Standing, last_ranked, own_line, standings
from quizapp.services.live.state import (
    LIVE_TYPES,
    PHASE_EVENTS,
    PIN_LIFETIME,
    TOP,
    broker,
    clock,
    epoch_ms,
)

__all__ = [
    "GameRules",
    "Event",
    "LIVE_TYPES",
    "PHASE_EVENTS",
    "PIN_LIFETIME",
    "Standing",
    "TOP",
    "bank_overview",
    "broker",
    "check_nickname",
    "clock",
    "close_idle_games",
    "close_if_all_answered",
    "close_if_idle",
    "close_if_expired",
    "create_session",
    "current_event",
    "ended_with_pin",
    "end",
    "epoch_ms",
    "events_after",
    "expire_if_due",
    "find_open",
    "hosted_by",
    "join",
    "kick",
    "last_ranked",
    "next_step",
    "own_answer",
    "own_line",
    "pause",
    "player_by_token",
    "players",
    "removed_account",
    "results",
    "resume",
    "returning_player",
    "set_locked",
    "skip",
    "snapshot",
    "split_versions",
    "sse_for",
    "standings",
    "submit_answer",
    "suggest_nickname",
    "two_step_code",
    "two_step_valid",
    "versions_of",
    "view_for",
]
