"""One live game served by two gunicorn gevent workers on PostgreSQL + Redis.

Players are spread over both workers (each response names its worker); every
player must receive every event, whichever worker published it, and the final
standings must agree everywhere. A question left unanswered is closed by a
worker's deadline timer, with no client asking.
"""

import json
import os
import re
import threading
import time
import uuid

import pytest
import requests

from tests.servers import Server, admin, with_database

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and REDIS_URL),
        reason="needs PostgreSQL + Redis: runs in CI's second pass",
    ),
]

PASSWORD = "correct horse battery"
PLAYERS = 10


@pytest.fixture
def scratch_database():
    """A fresh PostgreSQL database with the schema, a teacher and a bank; dropped afterwards."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services import accounts as service
    from tests.factories import make_bank

    name = f"qa_live_mp_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{name}"')
    url = with_database(DATABASE_URL, name)
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                "TESTING": True,
            }
        )
        with app.app_context():
            db.create_all()
            make_bank(types=["single_choice", "multiple_choice", "true_false"])
            service.register("host@example.org", "Host", PASSWORD, role="teacher")
            db.session.remove()
            db.engine.dispose()
        yield url
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server(scratch_database, tmp_path):
    """Two gevent workers on Redis, as `make run` starts them with WORKERS=2 and REDIS_URL."""
    env = {
        "DATABASE_URL": scratch_database,
        "REDIS_URL": REDIS_URL,
        "WORKERS": "2",
        "QUIZAPP_WORKER_HEADER": "1",
    }
    server = Server(env, tmp_path / "gunicorn.log").start()
    both_workers_serving(server.base)
    yield server.base
    server.stop()


def both_workers_serving(base: str, timeout: float = 30.0) -> None:
    """Wait until each of the two workers has answered a request.

    /healthz answers as soon as one worker is up; the other may still be loading the app
    (CI once saw all ten streams go to the first worker). Each request opens a new
    connection, so accept() races between the workers as the players' requests will.
    """
    seen, deadline = set(), time.monotonic() + timeout
    while len(seen) < 2:
        assert time.monotonic() < deadline, f"only worker(s) {seen} answered within {timeout} s"
        seen.add(requests.get(base + "/join", timeout=5).headers["X-Worker"])
        time.sleep(0.05)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Listener(threading.Thread):
    """Hold one client's event stream and record every event until the game's final one."""

    def __init__(self, session: requests.Session, url: str):
        super().__init__(daemon=True)
        self.session = session
        self.url = url
        self.events: list[dict] = []
        self.worker = None
        self.connected = threading.Event()
        self.error = None

    def run(self):
        try:
            with self.session.get(self.url, stream=True, timeout=(5, 60)) as response:
                self.worker = response.headers.get("X-Worker")
                self.connected.set()
                block = {}
                for line in response.iter_lines(decode_unicode=True):
                    if line == "":
                        if "event" in block:
                            data = json.loads(block["data"])
                            self.events.append(
                                {"id": block.get("id"), "type": block["event"], "data": data}
                            )
                            if data.get("final"):
                                return
                        block = {}
                    elif not line.startswith(":") and ": " in line:
                        key, value = line.split(": ", 1)
                        block[key] = value
        except Exception as error:  # reported by the test
            self.error = error
            self.connected.set()

    def logged(self) -> list[tuple[int, str]]:
        return [(int(e["id"]), e["type"]) for e in self.events if e["id"] is not None]


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_workers_serve_one_game(server):
    host = requests.Session()
    page = host.get(server + "/login").text
    host.post(
        server + "/login",
        data={"csrf_token": _csrf(page), "email": "host@example.org", "password": PASSWORD},
    )
    page = host.get(server + "/live/host").text
    created = host.post(
        server + "/live/host",
        data={
            "csrf_token": _csrf(page),
            "bank": "1",
            "scoring": "speed",
            "streak_bonus": "y",
            "time_limit_s": "5",
            "preview_s": "0",
        },
        allow_redirects=False,
    )
    live_path = created.headers["Location"].rsplit("/", 1)[0]  # /live/<id>
    host_page = host.get(server + live_path + "/host").text
    pin = re.search(r'class="pin">(\d{6})<', host_page).group(1)

    players, listeners, workers = [], [], set()
    for n in range(PLAYERS):
        phone = requests.Session()
        page = phone.get(f"{server}/join/{pin}")
        workers.add(page.headers["X-Worker"])
        phone.post(
            f"{server}/join/{pin}", data={"csrf_token": _csrf(page.text), "nickname": f"P{n:02d}"}
        )
        players.append((phone, _csrf(page.text)))
        listener = Listener(phone, f"{server}{live_path}/events?after=0")
        listener.start()
        listeners.append(listener)
    host_listener = Listener(host, f"{server}{live_path}/events?after=0")
    host_listener.start()
    for listener in [*listeners, host_listener]:
        assert listener.connected.wait(10) and listener.error is None, listener.error
        workers.add(listener.worker)
    # The streams are spread over both processes (accept() races between them).
    assert len({listener.worker for listener in listeners}) == 2, workers

    def control(action):
        state = host.get(server + live_path + "/state").json()
        html = host.get(server + live_path + "/host").text
        host.post(
            server + live_path + "/control",
            data={"csrf_token": _csrf(html), "action": action, "seq": str(state["seq"])},
        )

    def answer(index, value, who):
        phone, token = players[who]
        response = phone.post(
            server + live_path + "/answer",
            json={"index": index, "answer": value},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        workers.add(response.headers["X-Worker"])
        return response

    def option_ids(number):
        """The option ids of question `number` (0-based), as its event showed them."""
        shown = [e for e in host_listener.events if e["type"] == "question"][number]
        return [option["id"] for option in shown["data"]["view"]["options"]]

    def everyone_has(count):
        return all(len(listener.logged()) >= count for listener in listeners)

    # Question 1: everybody answers; the last answer closes it early, in whichever worker.
    control("next")
    wait_for(lambda: everyone_has(1), what="question 1")
    ids = option_ids(0)
    for who in range(PLAYERS):
        assert answer(0, ids[0] if who % 3 else ids[1], who).status_code == 200
    wait_for(lambda: everyone_has(2), what="reveal 1")
    control("next")  # leaderboard
    wait_for(lambda: everyone_has(3), what="leaderboard")
    # Question 2: two players never answer; a worker's deadline timer closes it (5 s).
    control("next")
    wait_for(lambda: everyone_has(4), what="question 2")
    ids = option_ids(1)
    for who in range(PLAYERS - 2):
        picked = [ids[0], ids[1], ids[3]] if who % 2 else [ids[0]]
        assert answer(1, picked, who).status_code == 200
    wait_for(lambda: everyone_has(5), timeout=20, what="reveal 2 by the deadline timer")
    control("next")  # leaderboard
    control("next")  # question 3
    wait_for(lambda: everyone_has(7), what="question 3")
    for who in range(PLAYERS):
        assert answer(2, who % 2 == 0, who).status_code == 200
    wait_for(lambda: everyone_has(8), what="reveal 3")
    control("next")  # podium (the last question)
    for listener in [*listeners, host_listener]:
        listener.join(timeout=15)
        assert not listener.is_alive() and listener.error is None

    # Every player received every logged event, in order, whichever worker served them.
    expected = [
        (1, "question"),
        (2, "reveal"),
        (3, "leaderboard"),
        (4, "question"),
        (5, "reveal"),
        (6, "leaderboard"),
        (7, "question"),
        (8, "reveal"),
        (9, "podium"),
    ]
    for listener in listeners:
        assert listener.logged() == expected
    assert host_listener.logged() == expected
    # The projector also saw every answer being counted.
    counts = [e["data"]["count"] for e in host_listener.events if e["type"] == "answered"]
    assert max(counts) == PLAYERS and len(counts) == 3 * PLAYERS - 2
    assert len(workers) == 2

    # The final standings agree: each player's own line, the podium, the results export.
    final = host.get(server + live_path + "/state").json()["event"]["data"]
    table = host.get(server + live_path + "/results.csv").text.lstrip("\ufeff").splitlines()[1:]
    ranks = {row.split(",")[1]: (int(row.split(",")[0]), int(row.split(",")[2])) for row in table}
    assert [row["nickname"] for row in final["top"]] == sorted(ranks, key=lambda n: ranks[n][0])[:3]
    for n, listener in enumerate(listeners):
        me = listener.events[-1]["data"]["me"]
        assert (me["rank"], me["score"]) == ranks[f"P{n:02d}"]
