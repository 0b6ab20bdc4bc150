"""Group commit of a live game's answers: answers that arrive together share one transaction,
and each phone still gets its own outcome (stored, or why not) only once it is committed."""

import os
import threading
import time

import pytest
from sqlalchemy import event, select, text

from quizapp.extensions import db
from quizapp.grading import item_id
from quizapp.models import LiveSession, Player, QuestionVersion
from quizapp.services import live as game
from quizapp.services.live import answers
from quizapp.services.live.groups import Groups
from tests.test_live import (
    _no_real_timers,  # noqa: F401 (an autouse fixture: no real deadline timers)
    live_bank,
    logged_in_host,
    options_open,
    scores,
    scripted_clock,
)


@pytest.fixture
def host(client, auth, app):
    return logged_in_host(client, auth, app)


@pytest.fixture
def bank(app):
    return live_bank(app)


@pytest.fixture
def clock(monkeypatch):
    return scripted_clock(monkeypatch)


def test_requests_that_wait_together_are_done_in_one_call_each_with_its_own_outcome():
    groups = Groups(max_group=8)
    calls: list[list[int]] = []
    running = []

    def work(items):
        running.append(1)
        assert len(running) == 1, "two calls of one key at once"
        calls.append(list(items))
        time.sleep(0.02)  # the others arrive meanwhile and wait for the next call
        running.pop()
        return [item * 10 for item in items], len(items)

    results: dict[int, tuple] = {}

    def request(item):
        results[item] = groups.run("game", item, work)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # Every request got its own outcome; each was done exactly once, in calls of at most 8.
    assert {item: result[0] for item, result in results.items()} == {n: n * 10 for n in range(40)}
    assert sorted(item for call in calls for item in call) == list(range(40))
    assert max(len(call) for call in calls) <= 8
    assert len(calls) < 40  # some waited together
    # Only the request that led a call gets the call's report.
    leaders = [result for result in results.values() if result[2]]
    assert len(leaders) == len(calls)
    assert sorted(result[1] for result in leaders) == sorted(len(call) for call in calls)
    assert all(result[1] is None for result in results.values() if not result[2])


def test_a_failed_call_fails_each_of_its_requests_and_the_next_ones_run():
    groups = Groups()
    gate = threading.Event()

    def failing(items):
        gate.wait(timeout=5)
        raise RuntimeError("database gone")

    errors = []

    def request(item):
        try:
            groups.run("game", item, failing)
        except RuntimeError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=request, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == ["database gone"] * 5
    assert groups.run("game", 7, lambda items: ([item + 1 for item in items], None)) == (
        8,
        None,
        True,
    )


def test_answers_that_arrive_together_are_stored_in_one_transaction(app, host, bank, clock):
    host.create(bank)
    with app.app_context():
        live = db.session.get(LiveSession, host.live_id)
        tokens = {name: game.join(live, name, clock())[1] for name in ("Anna", "Ben", "Cem")}
        version = db.session.get(QuestionVersion, live.version_ids[0])
        right, wrong = (item_id(option["text"]) for option in version.payload["options"][:2])
    host.act("next")
    clock.at(options_open(host), 400)
    now = clock()
    group = [
        answers._Submitted(tokens["Anna"], 0, right, now),
        answers._Submitted(tokens["Ben"], 0, wrong, now),
        answers._Submitted(tokens["Anna"], 0, wrong, now),  # her second answer
        answers._Submitted("no such token", 0, right, now),
        answers._Submitted(tokens["Cem"], 0, "no such option", now),
        answers._Submitted(tokens["Cem"], 1, right, now),  # not the running question
    ]
    commits = []

    def committed(connection):
        commits.append(connection)

    with app.app_context():
        event.listen(db.engine, "commit", committed)
        try:
            outcomes, recorded = answers._record_group(host.live_id, group)
        finally:
            event.remove(db.engine, "commit", committed)
    assert outcomes[:2] == [400, 400]
    assert [error.code for error in outcomes[2:]] == ["twice", "unknown", "invalid", "closed"]
    assert len(commits) == 1
    assert scores(app, host.live_id) == {"Anna": (1000, 1), "Ben": (0, 0), "Cem": (0, 0)}
    assert (recorded.index, recorded.answered, recorded.active) == (0, 2, 3)
    # A second answer in a later transaction: the database's unique constraint refuses it.
    with app.app_context():
        again, recorded = answers._record_group(
            host.live_id, [answers._Submitted(tokens["Ben"], 0, right, now)]
        )
    assert [error.code for error in again] == ["twice"] and recorded is None
    assert scores(app, host.live_id)["Ben"] == (0, 0)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two workers storing at once: PostgreSQL (SQLite runs one worker, one writer)",
)
def test_two_workers_storing_the_same_players_at_once_do_not_deadlock(app, host, bank, clock):
    """A double tap's two requests can reach both workers of a make-run server: each worker's
    transaction then inserts answers of the same players, in the order they came. Both must
    finish (one stores each player's answer, the other finds it there), never deadlock."""
    host.create(bank)
    with app.app_context():
        live = db.session.get(LiveSession, host.live_id)
        tokens = [game.join(live, f"Spieler {n}", clock())[1] for n in range(60)]
        players = sorted(db.session.scalars(select(Player.id).where(Player.session_id == live.id)))
        version = db.session.get(QuestionVersion, live.version_ids[0])
        right = item_id(version.payload["options"][0]["text"])
    host.act("next")
    clock.at(options_open(host), 400)
    now = clock()
    results: dict[str, object] = {}

    def worker(name, order):
        group = [answers._Submitted(tokens[n], 0, right, now) for n in order]
        with app.app_context():
            try:
                results[name] = answers._record_group(host.live_id, group)[0]
            except Exception as error:  # what the request would have answered with a 500
                results[name] = error
                db.session.rollback()

    with app.app_context(), db.engine.connect() as other:
        # A third transaction holds the middle player's answer, uncommitted, so that both
        # workers' inserts stop there, each holding answers the other one needs next.
        other.execute(
            answers._ANSWER.insert().values(
                player_id=players[30],
                session_id=host.live_id,
                question_index=0,
                version_id=version.id,
                answer=right,
                score=1.0,
                correct=True,
                elapsed_ms=400,
                points=1000,
                bonus=0,
                answered_at=now,
            )
        )
        threads = [
            threading.Thread(target=worker, args=("forward", range(60))),
            threading.Thread(target=worker, args=("backward", range(59, -1, -1))),
        ]
        for thread in threads:
            thread.start()
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        with db.engine.connect() as watcher:
            for _ in range(200):
                if watcher.execute(waiting).scalar_one() >= 2:
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the two transactions never waited")
        other.rollback()
    for thread in threads:
        thread.join(30)
    failed = {name: r for name, r in results.items() if isinstance(r, Exception)}
    assert not failed, failed
    stored = [o for r in results.values() for o in r if not isinstance(o, answers.ServiceError)]
    twice = [o.code for r in results.values() for o in r if isinstance(o, answers.ServiceError)]
    assert len(stored) == 60 and twice == ["twice"] * 60
    assert set(scores(app, host.live_id).values()) == {(1000, 1)}
