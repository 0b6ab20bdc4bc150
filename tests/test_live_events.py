"""Live events: the broker, the SSE stream (catch-up, heartbeats, personal data), timers."""

import json
import os
import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.grading import item_id
from quizapp.models import LiveSession, User, utcnow
from quizapp.services import live as game
from quizapp.services.live import answers, nicknames
from quizapp.services.live.events import (
    RESYNC,
    Event,
    Hub,
    InProcessBroker,
    RedisBroker,
    sse_message,
    sse_stream,
)
from tests.test_live import (
    LIVE_BANK,
    join,
    live_bank,
    logged_in_host,
    options_open,
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


@pytest.fixture(autouse=True)
def _fast_heartbeat(app):
    """Heartbeats every 50 ms, so a test reading a stream never waits long; no real timers."""
    app.config["LIVE_HEARTBEAT_S"] = 0.05
    app.config["LIVE_TIMERS"] = False
    yield
    app.config["LIVE_HEARTBEAT_S"] = 10.0
    app.config["LIVE_TIMERS"] = True


def read_events(response, count, timeout=5.0):
    """Read `count` events (not comments) from a streamed SSE response; return them parsed."""
    found, buffer = [], ""
    deadline = time.monotonic() + timeout
    chunks = iter(response.response)
    while len(found) < count and time.monotonic() < deadline:
        try:
            buffer += next(chunks).decode()
        except StopIteration:
            break
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(
                line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
            )
            if "event" in fields:
                found.append(
                    {
                        "id": int(fields["id"]) if "id" in fields else None,
                        "type": fields["event"],
                        "data": json.loads(fields["data"]),
                    }
                )
    return found


def stream(client, live_id, after=None, last_event_id=None):
    """Open an event stream without reading it yet."""
    url = f"/live/{live_id}/events" + (f"?after={after}" if after is not None else "")
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    return client.get(url, headers=headers, buffered=False)


# --- the SSE endpoint -----------------------------------------------------------------------


def test_stream_is_event_stream_with_retry_and_heartbeats(app, host, bank):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    response = stream(anna.client, host.live_id)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    chunks = iter(response.response)
    assert next(chunks).decode() == "retry: 2000\n\n"
    assert next(chunks).decode() == ": ping\n\n"
    response.close()


def test_reconnect_with_last_event_id_catches_up_in_order(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(options_open(host), 300)
    anna.answer(0, 0)  # the only player: the question closes (reveal)
    host.act("next")  # leaderboard
    response = stream(anna.client, host.live_id, last_event_id=1)
    events = read_events(response, 2)
    response.close()
    assert [(e["id"], e["type"]) for e in events] == [(2, "reveal"), (3, "leaderboard")]
    reveal = events[0]["data"]
    assert reveal["me"] == {"rank": 1, "score": 1000, "streak": 1, "points": 1000, "correct": True}
    assert "ranks" not in reveal


def test_live_events_reach_players_and_the_projector(app, host, bank, clock):
    host.create(bank)
    anna, ben = join(app, host.pin, "Anna"), join(app, host.pin, "Ben")
    streams = {
        "anna": stream(anna.client, host.live_id, after=0),
        "ben": stream(ben.client, host.live_id, after=0),
        "host": stream(host.client, host.live_id, after=0),
    }
    host.act("next")
    clock.at(options_open(host), 1_000)
    anna.answer(0, 0)
    ben.answer(0, 2)
    received = {name: read_events(r, 2 if name != "host" else 4) for name, r in streams.items()}
    for r in streams.values():
        r.close()
    assert [e["type"] for e in received["anna"]] == ["question", "reveal"]
    assert received["anna"][1]["data"]["me"]["correct"] is True
    assert received["ben"][1]["data"]["me"]["correct"] is False
    # The projector also sees how many have answered (players do not).
    assert [e["type"] for e in received["host"]] == ["question", "answered", "answered", "reveal"]
    assert received["host"][2]["data"] == {"index": 0, "count": 2, "total": 2}
    assert received["host"][0]["id"] == 1 and received["host"][1]["id"] is None


def test_the_host_hears_counted_answers_and_every_one_near_the_end(
    app, host, bank, clock, monkeypatch
):
    # In a big game the host hears the count when it was counted (at most every RECOUNT_S
    # per process), not on every answer; once few answers are missing, on every answer, so
    # the last count the host hears is exact. Here "few" is 1 and no recount falls due.
    monkeypatch.setattr(answers, "RECOUNT_MARGIN", 1)
    monkeypatch.setattr(answers, "RECOUNT_S", 3600)
    host.create(bank)
    players = [join(app, host.pin, name) for name in ("Anna", "Ben", "Cem", "Dana")]
    projector = stream(host.client, host.live_id, after=0)
    host.act("next")
    clock.at(options_open(host), 1_000)
    for player in players:
        player.answer(0, 0)
    events = read_events(projector, 5)
    projector.close()
    # Anna's answer is counted (the first), Ben's estimated (3 still missing), Cem's and
    # Dana's counted (at most 1 missing); Dana's closes the question.
    assert [e["type"] for e in events] == ["question", "answered", "answered", "answered", "reveal"]
    assert [e["data"]["count"] for e in events[1:4]] == [1, 3, 4]
    assert events[4]["data"]["answered"] == 4


def test_question_event_carries_no_answer_key(app, host, bank):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    response = stream(anna.client, host.live_id, after=0)
    host.act("next")
    (question,) = read_events(response, 1)
    response.close()
    options = question["data"]["view"]["options"]
    assert sorted(o["text"] for o in options) == ["Johann Wadephul", "Marco Rubio", "Mark Rutte"]
    assert all(o["id"] == item_id(o["text"]) for o in options)
    text = json.dumps(question)
    assert "correct" not in text and "solution" not in text and "explanation" not in text


def test_kicked_player_stream_ends(app, host, bank):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    ben = join(app, host.pin, "Ben")
    ben_id = ben.id
    response = stream(ben.client, host.live_id, after=0)
    anna_stream = stream(anna.client, host.live_id, after=0)
    host.kick(ben_id)
    (kicked,) = read_events(response, 1)
    assert kicked["type"] == "kicked" and kicked["data"]["final"] is True
    assert list(response.response) == []  # the stream has ended
    host.act("next")
    (first,) = read_events(anna_stream, 1)  # other players never see the kick
    anna_stream.close()
    assert first["type"] == "question"


def test_finished_game_stream_says_stop(app, host, bank):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("end")
    response = stream(anna.client, host.live_id, after=0)
    (podium,) = read_events(response, 1)
    assert podium["type"] == "podium" and podium["data"]["final"] is True
    assert list(response.response) == []
    # Caught up already: 204 tells EventSource not to reconnect.
    assert stream(anna.client, host.live_id, last_event_id=podium["id"]).status_code == 204


def test_stream_fetches_events_the_broker_did_not_deliver(app, host, bank):
    from quizapp.models import LiveEvent

    host.create(bank)
    anna = join(app, host.pin, "Anna")
    response = stream(anna.client, host.live_id, after=0)
    with app.app_context():
        # Logged but never published (as if pub/sub had lost or reordered it) …
        db.session.add(LiveEvent(session_id=host.live_id, seq=1, type="lock", data={"n": 1}))
        db.session.add(LiveEvent(session_id=host.live_id, seq=2, type="lock", data={"n": 2}))
        db.session.commit()
        # … and the next one published: the stream fills the gap from the log first.
        game.broker().publish(host.live_id, Event("lock", {"n": 2}, 2))
    events = read_events(response, 2)
    response.close()
    assert [(e["id"], e["data"]["n"]) for e in events] == [(1, 1), (2, 2)]


def test_strangers_get_no_stream(app, host, bank):
    host.create(bank)
    assert app.test_client().get(f"/live/{host.live_id}/events").status_code == 403


# --- the broker -----------------------------------------------------------------------------


def brokers():
    """The brokers this environment can run: in-process always, Redis when REDIS_URL is set."""
    kinds = ["in-process"]
    if os.environ.get("REDIS_URL"):
        kinds.append("redis")
    return kinds


@pytest.fixture(params=brokers())
def broker_pair(request):
    """Two brokers as two worker processes would have them (the in-process one is shared)."""
    if request.param == "in-process":
        one = InProcessBroker()
        yield one, one
        return
    namespace = f"test{random.randrange(10**9)}"
    one = RedisBroker(os.environ["REDIS_URL"], namespace)
    two = RedisBroker(os.environ["REDIS_URL"], namespace)
    yield one, two
    one.close()
    two.close()


def test_every_subscriber_gets_every_event_in_order(broker_pair):
    publisher, other = broker_pair
    subs = [other.subscribe(7) for _ in range(3)] + [publisher.subscribe(7, "host")]
    unrelated = other.subscribe(8)
    for seq in range(1, 6):
        publisher.publish(7, Event("question", {"index": seq}, seq))
    for sub in subs:
        got = [sub.get(timeout=2) for _ in range(5)]
        assert [e.seq for e in got] == [1, 2, 3, 4, 5]
    assert unrelated.get(timeout=0.2) is None
    for sub in [*subs, unrelated]:
        sub.close()
    assert other.hub.count(7) == 0


def test_host_events_reach_only_host_subscribers(broker_pair):
    publisher, other = broker_pair
    player, projector = other.subscribe(3, "all"), other.subscribe(3, "host")
    publisher.publish(3, Event("answered", {"count": 1}, audience="host"))
    publisher.publish(3, Event("reveal", {}, 1))
    assert projector.get(timeout=2).type == "answered"
    assert projector.get(timeout=2).type == "reveal"
    assert player.get(timeout=2).type == "reveal"
    player.close()
    projector.close()


def test_slow_connection_is_told_to_resync():
    hub = Hub()
    sub = hub.add(1, "all")
    for _ in range(1, 2000):
        hub.dispatch(1, Event("answered", {}, None, "all"))
    assert sub.get(timeout=0.1) is RESYNC
    assert sub.get(timeout=0.01) is None


def test_stream_fills_a_gap_from_the_log():
    hub = Hub()
    sub = hub.add(1, "all")
    log = {n: Event("leaderboard", {"n": n}, n) for n in range(1, 5)}
    sub.put(log[4])
    sub.put(Event("podium", {"final": True}, 5))

    def fill(low, high):
        return [log[n] for n in range(low + 1, high)]

    out = "".join(
        sse_stream(sub, [log[1]], 0, personalise=lambda e: e.data, fill_gap=fill, heartbeat_s=1)
    )
    assert [int(line[4:]) for line in out.splitlines() if line.startswith("id: ")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert hub.count(1) == 0  # the stream closed its subscription


def test_sse_message_format():
    assert sse_message(Event("reveal", {"a": 1}, 12)) == 'id: 12\nevent: reveal\ndata: {"a":1}\n\n'
    assert sse_message(Event("answered", {"n": 2})) == 'event: answered\ndata: {"n":2}\n\n'


# --- deadline timers ------------------------------------------------------------------------


def test_timer_closes_the_question_when_its_time_is_up(app, auth):
    """Real time: a 1-second question closes with nobody asking (poll for up to 10 s)."""
    from tests.factories import make_bank

    app.config["LIVE_TIMERS"] = True
    teacher_id = auth.create_user(email="t@example.org", name="T", role="teacher")
    with app.app_context():
        bank = make_bank(types=LIVE_BANK)
        teacher = db.session.get(User, teacher_id)
        rules = game.GameRules(time_limit_s=1, preview_s=0)
        live = game.create_session(teacher, bank, rules, utcnow())
        game.join(live, "Anna", utcnow())
        game.next_step(live.id, 0, utcnow())
        live_id = live.id
    deadline = time.monotonic() + 10
    phase = "question"
    while phase == "question" and time.monotonic() < deadline:
        time.sleep(0.1)
        with app.app_context():
            phase = db.session.scalar(select(LiveSession.state).where(LiveSession.id == live_id))
    assert phase == "reveal"


def test_pause_resume_reschedules_without_double_close(app, auth):
    teacher_id = auth.create_user(email="t@example.org", name="T", role="teacher")
    from tests.factories import make_bank

    with app.app_context():
        bank = make_bank(types=LIVE_BANK)
        teacher = db.session.get(User, teacher_id)
        now = utcnow()
        live = game.create_session(teacher, bank, game.GameRules(preview_s=0), now)
        game.next_step(live.id, 0, now)
        game.pause(live.id, now + timedelta(seconds=5))
        assert game.close_if_expired(live.id, 0, now + timedelta(seconds=30)) is None
        resumed = game.resume(live.id, now + timedelta(seconds=65))
        assert resumed.data["deadline_ms"] == game.epoch_ms(now + timedelta(seconds=80))
        assert game.close_if_expired(live.id, 0, now + timedelta(seconds=79)) is None
        assert game.close_if_expired(live.id, 0, now + timedelta(seconds=81)).type == "reveal"
        assert game.close_if_expired(live.id, 0, now + timedelta(seconds=82)) is None


# --- nicknames ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Jo",
        "Anna-Lena",
        "Ünal",
        "Zoë 2",
        "李雷",
        "dr.who",
        "Marschall",
        "Barsch",
        "A_b",
        "Spieler 455",
    ],
)
def test_acceptable_nicknames(name):
    assert nicknames.check(f"  {name} ") == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("J", "length"),
        ("x" * 21, "length"),
        ("a<b", "characters"),
        ("---", "no_letter"),
        ("Hurensohn", "blocked"),
        ("W1chser", "blocked"),
        ("A r s c h", "blocked"),
        ("Scheiße", "blocked"),
        ("Fuck_you", "blocked"),
        ("big dick", "blocked"),
        ("Bitch", "blocked"),
    ],
)
def test_nickname_rules_and_word_filter(name, rule):
    with pytest.raises(ServiceError) as caught:
        nicknames.check(name)
    assert caught.value.code == rule


def test_whole_word_entries_do_not_block_longer_words():
    assert not nicknames.is_blocked("Dickens")
    assert not nicknames.is_blocked("Analyse")
    assert nicknames.is_blocked("anal")


@pytest.mark.parametrize("language", ["de", "en"])
def test_generated_nicknames_follow_the_rules(language):
    rng = random.Random(4)
    for _ in range(200):
        name = nicknames.generate(rng, language)
        assert nicknames.check(name) == name
        assert len(name) <= nicknames.MAX_LENGTH - 3


def test_german_generated_names_agree_in_gender():
    rng = random.Random(1)
    names = {nicknames.generate(rng, "de") for _ in range(300)}
    assert any(n.endswith(" Fuchs") and n.split()[0].endswith("er") for n in names)
    assert any(n.endswith(" Eule") and n.split()[0].endswith("e") for n in names)
    assert any(n.endswith(" Pferd") and n.split()[0].endswith("es") for n in names)
