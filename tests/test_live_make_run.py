"""The server exactly as `make run` starts it: a live game of 40 players, refusals, rate limits.

The command line is read from the Makefile's run target, so the test and `make run` cannot
drift apart. Without REDIS_URL (CI's first pass) that is one gevent worker on SQLite; with
DATABASE_URL and REDIS_URL (the second pass) two workers on PostgreSQL and Redis, and the
players' streams land on both.
"""

import csv
import io
import os
import re
import runpy
import socket
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.servers import (
    ROOT,
    SETTINGS,
    Server,
    admin,
    free_port,
    make_run_command,
    with_database,
)
from tests.test_live_multiprocess import Listener, _csrf, wait_for

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
PASSWORD = "correct horse battery"
PLAYERS = 40

pytestmark = pytest.mark.server


def test_make_run_is_one_line_with_the_config_file():
    command = make_run_command()
    assert [Path(command[0]).name, *command[1:]] == [
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "wsgi:app",
    ]


def _populate(url: str) -> None:
    """Give a database the schema, a teacher and a bank of three live questions."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services import accounts as service
    from tests.factories import make_bank

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.create_all()
        make_bank(types=["single_choice", "multiple_choice", "true_false"])
        service.register("host@example.org", "Host", PASSWORD, role="teacher")
        db.session.remove()
        db.engine.dispose()
    app.extensions["live_broker"].close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A fresh database: PostgreSQL when DATABASE_URL names one, else a SQLite file."""
    if DATABASE_URL.startswith("postgres"):
        name = f"qa_make_run_{uuid.uuid4().hex[:10]}"
        admin(f'CREATE DATABASE "{name}"')
        url = with_database(DATABASE_URL, name)
        try:
            _populate(url.replace("postgresql://", "postgresql+psycopg://", 1))
            yield url
        finally:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("make-run") / "quizapp.sqlite")
        _populate(url)
        yield url


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    """The app as `make run` serves it; with REDIS_URL set, as the README's scale-out does."""
    env = {"DATABASE_URL": database, "QUIZAPP_WORKER_HEADER": "1"}
    if REDIS_URL:
        env["REDIS_URL"] = REDIS_URL
    server = Server(env, tmp_path_factory.mktemp("console") / "gunicorn.log").start()
    yield server
    server.stop()


def log_in(base: str, email: str = "host@example.org") -> requests.Session:
    host = requests.Session()
    page = host.get(base + "/login").text
    response = host.post(
        base + "/login", data={"csrf_token": _csrf(page), "email": email, "password": PASSWORD}
    )
    assert "Du bist angemeldet" in response.text
    return host


def create_game(host: requests.Session, base: str, time_limit_s: int = 5) -> tuple[str, str]:
    """Host a game over the bank; return its path (/live/<id>) and PIN."""
    page = host.get(base + "/live/host").text
    created = host.post(
        base + "/live/host",
        data={
            "csrf_token": _csrf(page),
            "bank": "1",
            "scoring": "speed",
            "streak_bonus": "y",
            "time_limit_s": str(time_limit_s),
            "preview_s": "0",
        },
        allow_redirects=False,
    )
    live_path = created.headers["Location"].rsplit("/", 1)[0]
    host_page = host.get(base + live_path + "/host").text
    return live_path, re.search(r'class="pin">(\d{6})<', host_page).group(1)


def test_forty_players_get_every_event_from_the_make_run_server(server):
    base = server.base
    workers_started = 2 if REDIS_URL else 1
    assert f"{workers_started} gevent worker(s)" in server.console()
    host = log_in(base)
    live_path, pin = create_game(host, base)

    players, listeners = [], []
    for n in range(PLAYERS):
        phone = requests.Session()
        page = phone.get(f"{base}/join/{pin}")
        joined = phone.post(
            f"{base}/join/{pin}", data={"csrf_token": _csrf(page.text), "nickname": f"P{n:02d}"}
        )
        assert joined.url.endswith(live_path + "/play"), joined.text
        players.append((phone, _csrf(page.text)))
        listener = Listener(phone, f"{base}{live_path}/events?after=0")
        listener.start()
        listeners.append(listener)
    host_listener = Listener(host, f"{base}{live_path}/events?after=0")
    host_listener.start()
    for listener in [*listeners, host_listener]:
        assert listener.connected.wait(10) and listener.error is None, listener.error
    # The streams are spread over every worker the configuration starts.
    assert len({listener.worker for listener in listeners}) == workers_started

    def control(action):
        state = host.get(base + live_path + "/state").json()
        html = host.get(base + live_path + "/host").text
        host.post(
            base + live_path + "/control",
            data={"csrf_token": _csrf(html), "action": action, "seq": str(state["seq"])},
        )

    def answer(index, value, who):
        phone, token = players[who]
        return phone.post(
            base + live_path + "/answer",
            json={"index": index, "answer": value},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        ).status_code

    def everyone_answers(index, pick, who=range(PLAYERS)):
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda n: answer(index, pick(n), n), who))
        assert codes == [200] * len(codes)

    def option_ids(number):
        shown = [e for e in host_listener.events if e["type"] == "question"][number]
        return [option["id"] for option in shown["data"]["view"]["options"]]

    def everyone_has(count):
        return all(len(listener.logged()) >= count for listener in listeners)

    # Question 1: all answer at once; the last answer closes it early.
    control("next")
    wait_for(lambda: everyone_has(1), what="question 1")
    ids = option_ids(0)
    everyone_answers(0, lambda n: ids[0] if n % 3 else ids[1])
    wait_for(lambda: everyone_has(2), what="reveal 1")
    control("next")
    wait_for(lambda: everyone_has(3), what="leaderboard 1")
    # Question 2: two players never answer; the worker's deadline timer closes it (5 s).
    control("next")
    wait_for(lambda: everyone_has(4), what="question 2")
    ids = option_ids(1)
    everyone_answers(1, lambda n: [ids[0], ids[1]] if n % 2 else [ids[0]], range(PLAYERS - 2))
    wait_for(lambda: everyone_has(5), timeout=20, what="reveal 2 by the deadline timer")
    control("next")
    control("next")
    wait_for(lambda: everyone_has(7), what="question 3")
    everyone_answers(2, lambda n: n % 2 == 0)
    wait_for(lambda: everyone_has(8), what="reveal 3")
    control("next")  # the podium
    for listener in [*listeners, host_listener]:
        listener.join(timeout=15)
        assert not listener.is_alive() and listener.error is None

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
    for listener in [*listeners, host_listener]:
        assert listener.logged() == expected
    # The projector heard the count of each question's answers as they came (answers stored
    # together in one transaction are counted once), never more than answered it; the
    # results keep each answer.
    counts: dict[int, list[int]] = {}
    for event in host_listener.events:
        if event["type"] == "answered":
            counts.setdefault(event["data"]["index"], []).append(event["data"]["count"])
    assert sorted(counts) == [0, 1, 2]
    for index, most in enumerate([PLAYERS, PLAYERS - 2, PLAYERS]):
        assert all(1 <= count <= most for count in counts[index])
    reveals = [e["data"] for e in listeners[0].events if e["type"] == "reveal"]
    assert [r["answered"] for r in reveals] == [PLAYERS, PLAYERS - 2, PLAYERS]
    questions = host.get(base + live_path + "/results.csv?table=questions").text
    answered = [int(row[3]) for row in list(csv.reader(io.StringIO(questions)))[1:]]
    assert answered == [PLAYERS, PLAYERS - 2, PLAYERS]
    # Each phone's last line agrees with the results table.
    table = host.get(base + live_path + "/results.csv").text.lstrip("\ufeff").splitlines()[1:]
    ranks = {row.split(",")[1]: (int(row.split(",")[0]), int(row.split(",")[2])) for row in table}
    for n, listener in enumerate(listeners):
        me = listener.events[-1]["data"]["me"]
        assert (me["rank"], me["score"]) == ranks[f"P{n:02d}"]
    # A class's hundreds of requests do not flood the teacher's console (no access log).
    assert "/answer" not in server.console() and "/events" not in server.console()


def test_login_limit_holds_against_the_make_run_server(server):
    """Five tries a minute per account, whichever worker each new connection reaches."""
    browser = requests.Session()
    browser.headers["Connection"] = "close"  # every try on a new connection
    token = _csrf(browser.get(server.base + "/login").text)
    statuses = [
        browser.post(
            server.base + "/login",
            data={"csrf_token": token, "email": "guess@example.org", "password": "wrong one!"},
        ).status_code
        for _ in range(8)
    ]
    assert statuses == [400] * 5 + [429] * 3


def test_several_workers_without_redis_refuse_to_start(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(PORT=str(port), WORKERS="2")
    done = subprocess.run(
        make_run_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "quizapp does not start" in done.stderr
    assert "Set REDIS_URL" in done.stderr and "or WORKERS=1" in done.stderr
    with socket.socket() as probe:  # it never listened
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_on_the_school_network_the_console_and_qr_code_name_this_machine(database, tmp_path):
    """HOST=0.0.0.0 without PUBLIC_URL: the addresses are printed and the join link uses one.

    The test binds every interface but only ever connects to 127.0.0.1.
    """
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    addresses = config["network_addresses"]()
    server = Server({"DATABASE_URL": database, "HOST": "0.0.0.0"}, tmp_path / "console.log")
    server.start()
    try:
        console = server.console()
        assert "quizapp serves on every network of this computer" in console
        for name, ip in addresses:
            assert f"http://{ip}:{server.port}    ({name})" in console
        expected = f"http://{addresses[0][1]}:{server.port}" if addresses else server.base
        if not addresses:
            assert "set PUBLIC_URL" in console
        host = log_in(server.base)
        live_path, pin = create_game(host, server.base)
        screen = host.get(server.base + live_path + "/screen").text
        assert f"{expected}/join/{pin}".split("://", 1)[1] in screen
        assert f'href="{expected}/join/{pin}"' in host.get(server.base + live_path + "/host").text
    finally:
        server.stop()
