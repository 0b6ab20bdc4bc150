"""No page, API answer or export tells whether an answer was right before the app shows it.

The same learner gives the same answers in two worlds that differ only in the answer key:
in one the answers are right, in the other wrong. While an exam is still open and while a
live question waits for its reveal, every page the learner can open (every GET route of the
URL map, the API, the downloads, the game's state and event stream) must read the same in
both worlds, apart from what changes anyway (CSRF tokens, clock times, the random PIN).
Once the exam ends and the question is revealed, the worlds must differ (so this test
would notice a leak).
"""

import random
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveSession, QuestionVersion
from quizapp.services import live as game
from tests.factories import make_bank, make_quiz
from tests.test_access_matrix import PARAMETERS, SLUGS, _reset, _user

START = datetime(2026, 3, 2, 9, 0, 0)
# Two true/false questions and a single choice; `flip` turns every key around.
TYPES = ["true_false", "single_choice"]


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def _flip_keys(bank_id: int) -> None:
    """Make every right answer wrong and one wrong option right (the texts stay the same)."""
    for version in db.session.scalars(select(QuestionVersion)):
        payload = dict(version.payload)
        if version.type == "true_false":
            payload["solution"] = not payload["solution"]
        elif version.type == "single_choice":
            options = [dict(o) for o in payload["options"]]
            right = next(i for i, o in enumerate(options) if o["correct"])
            for i, option in enumerate(options):
                option["correct"] = i == (right + 1) % len(options)
            payload["options"] = options
        version.payload = payload
    db.session.commit()


def _the_answer(version) -> object:
    """The learner's answer in both worlds: right in the first, wrong in the flipped one."""
    from tests.factories import right_answer

    return right_answer(version)


def _world(app, monkeypatch, clock, flipped: bool) -> dict:
    """Build the world, let the learner answer, and return what the tests need."""
    monkeypatch.setattr(random, "SystemRandom", lambda: random.Random(11))
    with app.app_context():
        _reset(restart_ids=True)
        learner = _user("lea@example.org", "learner")
        teacher = _user("tea@example.org", "teacher")
        bank = make_bank(types=TYPES)
        exam = make_quiz(bank, mode="exam", time_limit_s=3600, shuffle_options=True)
        # The answers the learner gives, taken from the unflipped key.
        versions = {v.type: v for v in db.session.scalars(select(QuestionVersion))}
        answers = {t: _the_answer(v) for t, v in versions.items()}
        if flipped:
            _flip_keys(bank.id)
        rules = game.GameRules(time_limit_s=20, preview_s=0)
        live = game.create_session(teacher, bank, rules, clock())
        ids = {
            "quiz_id": exam.id,
            "session_id": live.id,
            "user_id": learner.id,
            "bank_slug": bank.slug,
            "article_slug": bank.article.slug,
            "pin": live.pin,
            "number": 1,
            "code": "en",
            "token": "none",
            "filename": "css/app.css",
            "class_id": 1,
            "player_id": 1,
            "draft_id": 1,
            "fmt": "csv",
            "question_id": versions["single_choice"].question_id,
            "qtype": "single_choice",
            "action": "publish",
            "image_id": 1,
        }
        session_id = learner.get_id()
        host_id = teacher.get_id()
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    host = app.test_client()
    with host.session_transaction() as session:
        session["_user_id"] = host_id
        session["_fresh"] = True
    token = browser.get("/api/v1/csrf").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    # The exam: answer the first question only, so it stays open.
    started = browser.post(f"/api/v1/quizzes/{ids['quiz_id']}/attempts", json={}, headers=headers)
    attempt = started.get_json()
    ids["attempt_id"] = attempt["id"]
    first = attempt["questions"][0]
    with app.app_context():
        qtype = db.session.get(QuestionVersion, first["version_id"]).type
    sent = browser.post(
        f"/api/v1/attempts/{attempt['id']}/answers",
        json={"version_id": first["version_id"], "answer": answers[qtype]},
        headers=headers,
    )
    assert sent.status_code == 200, sent.get_json()
    # The live game: the learner and a guest join; the learner answers the first question.
    for nickname, client in (("Lea", browser), ("Gast", app.test_client())):
        page = client.get(f"/join/{ids['pin']}")
        token_field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        joined = client.post(
            f"/join/{ids['pin']}", data={"csrf_token": token_field, "nickname": nickname}
        )
        assert joined.status_code == 302
    control = host.get(f"/live/{ids['session_id']}/host").text
    host_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', control).group(1)
    seq = host.get(f"/live/{ids['session_id']}/state").get_json()["seq"]
    host.post(
        f"/live/{ids['session_id']}/control",
        data={"csrf_token": host_token, "action": "next", "seq": str(seq)},
    )
    clock.now = START.replace(second=2)
    with app.app_context():
        live_version = game.versions_of(db.session.get(LiveSession, ids["session_id"]))[0]
        live_answer = answers[live_version.type]
    sent = browser.post(
        f"/live/{ids['session_id']}/answer",
        json={"index": 0, "answer": live_answer},
        headers=headers,
    )
    assert sent.status_code == 200, sent.get_json()
    return {"ids": ids, "browser": browser, "host": host, "host_token": host_token}


def _event_backlog(response) -> str:
    """The events a stream sends at once (up to its first heartbeat), then close it."""
    chunks = []
    for chunk in response.response:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        if text.startswith(": ping"):
            break
        chunks.append(text)
    response.close()
    return "".join(chunks)


MASKS = [
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]+'), r"\1TOKEN"),
    (re.compile(r'("csrf_token":\s*")[^"]+'), r"\1TOKEN"),
    (re.compile(r'(<meta name="csrf-token" content=")[^"]+'), r"\1TOKEN"),
    (re.compile(r'(data-csrf=")[^"]+'), r"\1TOKEN"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?"), "TIME"),
    (re.compile(r'("seconds_left":\s*)\d+'), r"\1N"),
    (re.compile(r'("elapsed_ms":\s*)\d+'), r"\1N"),
    (re.compile(r"(,)\d+(\r?\n)"), r"\1N\2"),  # the CSV's last column: elapsed ms
    (re.compile(r'(data-deadline="|data-seconds-left=")\d+'), r"\1N"),
]


def _normalise(text: str, pin: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text.replace(pin, "PIN")


def _path(rule, ids: dict) -> str:
    """The rule's path with the world's ids."""
    values = {}
    for name in rule.arguments:
        key = SLUGS.get(rule.endpoint, "bank_slug") if name == "slug" else PARAMETERS[name]
        values[name] = ids[key]
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _everything(app, world) -> dict[str, str]:
    """Every GET route of the URL map as the learner sees it, normalised."""
    seen = {}
    ids = world["ids"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = _path(rule, ids)
        response = world["browser"].get(path)
        if rule.endpoint == "live.events":
            body = _event_backlog(response)
        else:
            body = response.get_data(as_text=True)
        seen[f"{path.replace(ids['pin'], 'PIN')} {response.status_code}"] = _normalise(
            body, ids["pin"]
        )
    return seen


def _reveal(world) -> None:
    """End the exam and reveal the live question (the host skips to the reveal)."""
    ids, browser = world["ids"], world["browser"]
    token = browser.get("/api/v1/csrf").get_json()["csrf_token"]
    browser.post(
        f"/api/v1/attempts/{ids['attempt_id']}/finish", json={}, headers={"X-CSRFToken": token}
    )
    host = world["host"]
    seq = host.get(f"/live/{ids['session_id']}/state").get_json()["seq"]
    host.post(
        f"/live/{ids['session_id']}/control",
        data={"csrf_token": world["host_token"], "action": "skip", "seq": str(seq)},
    )


@pytest.fixture
def clock(app, monkeypatch):
    app.config["LIVE_TIMERS"] = False
    app.config["LIVE_HEARTBEAT_S"] = 0.01
    clock = Clock()
    monkeypatch.setattr(game, "clock", clock)
    yield clock
    app.config["LIVE_TIMERS"] = True
    app.config["LIVE_HEARTBEAT_S"] = 10.0


def test_nothing_tells_right_from_wrong_before_the_reveal(app, monkeypatch, clock):
    pages = {}
    after = {}
    for flipped in (False, True):
        clock.now = START
        world = _world(app, monkeypatch, clock, flipped)
        pages[flipped] = _everything(app, world)
        _reveal(world)
        after[flipped] = _everything(app, world)
    assert pages[False].keys() == pages[True].keys()
    leaks = [route for route in pages[False] if pages[False][route] != pages[True][route]]
    assert leaks == [], _first_difference(pages, leaks)
    # After the reveal the worlds differ: the comparison above can see a difference.
    revealed = [route for route in after[False] if after[False][route] != after[True][route]]
    assert any("/me/export.json" in r for r in revealed)
    assert any(r.startswith("/api/v1/attempts/") and "/results" in r for r in revealed)
    assert any(r.startswith(f"/live/{world['ids']['session_id']}/state") for r in revealed)
    print(f"reveal invariant: {len(pages[False])} pages compared; {len(revealed)} differ after")


def _first_difference(pages: dict, leaks: list) -> str:
    route = leaks[0]
    a, b = pages[False][route].splitlines(), pages[True][route].splitlines()
    for line_a, line_b in zip(a, b, strict=False):
        if line_a != line_b:
            return f"{leaks}: first difference in {route}:\n right: {line_a}\n wrong: {line_b}"
    return f"{leaks}: {route} differs in length"
