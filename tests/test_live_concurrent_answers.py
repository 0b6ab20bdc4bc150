"""1,000 players answer one question at once, each twice, on the server as `make run` starts it.

Every answer the server acknowledges is stored, each player has exactly one answer, every
score follows the published formula, and the question closes once, when all have answered.
On SQLite (one gevent worker) and, with DATABASE_URL and REDIS_URL, on PostgreSQL with two
workers. The players join in-process (the server reads the same database); their answers
go over HTTP from many threads.
"""

from concurrent.futures import ThreadPoolExecutor, wait

import pytest
import requests
from sqlalchemy import select

from quizapp import grading
from tests import test_live_make_run as make_run
from tests.test_live_make_run import REDIS_URL, create_game, log_in
from tests.test_live_multiprocess import _csrf

pytestmark = pytest.mark.server

PLAYERS = 1000
TIME_LIMIT_S = 240  # far beyond the answers, so none is late even on a busy machine

# The make-run test's fixtures: a fresh database and the server on it.
database = make_run.database
server = make_run.server


@pytest.fixture
def reader(database):
    """An app on the server's database, for joining players and reading what was stored;
    its connections closed however the test ends."""
    from quizapp import create_app
    from quizapp.extensions import db

    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    reader = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "LIVE_TIMERS": False})
    yield reader
    with reader.app_context():
        db.session.remove()
        db.engine.dispose()
    if REDIS_URL:
        reader.extensions["live_broker"].close()


def test_a_thousand_concurrent_answers_are_each_stored_once_and_scored(server, reader):
    from quizapp.extensions import db
    from quizapp.models import LiveAnswer, LiveEvent, LiveSession, Player
    from quizapp.services import live as game
    from quizapp.services.live.scoring import points

    base = server.base
    host = log_in(base)
    live_path, pin = create_game(host, base, time_limit_s=TIME_LIMIT_S)
    live_id = int(live_path.rsplit("/", 1)[1])
    tokens = []
    with reader.app_context():
        live = db.session.get(LiveSession, live_id)
        for n in range(PLAYERS):
            tokens.append(game.join(live, f"Spieler {n}", game.clock())[1])
        db.session.remove()

    # One browser session gives the CSRF token; each player is their own game cookie.
    phone = requests.Session()
    token = _csrf(phone.get(f"{base}/join/{pin}").text)
    session_cookie = phone.cookies.get("session")
    page = host.get(base + live_path + "/host").text
    started = host.post(
        base + live_path + "/control",
        data={"csrf_token": _csrf(page), "action": "next", "seq": "0"},
        headers={"Accept": "application/json"},
    )
    assert started.status_code == 200, started.text
    question = host.get(base + live_path + "/state").json()["event"]["data"]
    options = [o["id"] for o in question["view"]["options"]]

    def send(n: int) -> tuple[int, int, str | None]:
        response = requests.post(
            f"{base}{live_path}/answer",
            json={"index": 0, "answer": options[n % len(options)]},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
            cookies={"session": session_cookie, f"quizapp_live_{live_id}": tokens[n]},
            timeout=120,
        )
        code = response.json().get("code") if response.status_code != 200 else None
        return n, response.status_code, code

    # Each player sends the same answer twice at once (a double tap): 2,000 requests.
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = [pool.submit(send, n) for n in range(PLAYERS) for _ in range(2)]
        done, pending = wait(futures, timeout=300)
    assert not pending, f"{len(pending)} answers had no reply within 5 minutes"
    outcomes = [f.result() for f in done]
    accepted = sorted(n for n, status, _ in outcomes if status == 200)
    refused = {code for _, status, code in outcomes if status != 200}
    # One of each pair counts; the other finds the answer there, or the question closed.
    assert accepted == list(range(PLAYERS))
    assert refused <= {"twice", "closed"}, refused

    with reader.app_context():
        live = db.session.get(LiveSession, live_id)
        version = game.versions_of(live)[0]
        stored = db.session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live_id))
        by_player: dict[int, list[LiveAnswer]] = {}
        for answer in stored:
            by_player.setdefault(answer.player_id, []).append(answer)
        players = db.session.scalars(select(Player).where(Player.session_id == live_id)).all()
        assert len(players) == PLAYERS
        assert sorted(len(a) for a in by_player.values()) == [1] * PLAYERS
        for player in players:
            (answer,) = by_player[player.id]
            n = int(player.nickname.split()[1])
            assert answer.answer == options[n % len(options)]
            # The server's time since the options opened, and the published formula.
            elapsed = answer.answered_at - live.options_at
            assert answer.elapsed_ms == int(elapsed.total_seconds() * 1000)
            result = grading.grade(version.type, version.payload, answer.answer)
            expected = points(
                result.score or 0.0,
                answer.elapsed_ms,
                live.time_limit_s * 1000,
                live.base_points,
                live.scoring,
            )
            assert (answer.correct, answer.points) == (result.correct is True, expected)
            assert player.score == expected
        # Everyone answered: the question closed early, once, counting every answer.
        reveals = db.session.scalars(
            select(LiveEvent).where(LiveEvent.session_id == live_id, LiveEvent.type == "reveal")
        ).all()
        assert live.state == "reveal"
        assert [r.data["answered"] for r in reveals] == [PLAYERS]
