"""Live games through the real routes: several players (test clients) on a scripted clock."""

import json
import re
import secrets
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.grading import item_id
from quizapp.models import LiveAnswer, LiveEvent, LiveSession, Player, QuestionVersion, Quiz
from quizapp.services import live as game
from quizapp.services.live import setup as live_setup
from tests.conftest import PASSWORD, AuthActions, csrf_token
from tests.factories import make_bank

# The factory bank, live types only, in bank order: 0 single choice (option 0 right),
# 1 multiple choice (0, 1, 3 right), 2 true/false (false), 3 numeric (32),
# 4 fact or opinion (opinion).
LIVE_BANK = ["single_choice", "multiple_choice", "true_false", "numeric", "fact_or_opinion"]
START = datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    """A clock the test moves by hand; the views read it through game.clock()."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime, ms: int = 0) -> None:
        """Set the time to `moment` plus `ms` milliseconds."""
        self.now = moment + timedelta(milliseconds=ms)


@pytest.fixture(autouse=True)
def _no_real_timers(app):
    """Scripted times are in the past; real deadline timers would close questions early."""
    app.config["LIVE_TIMERS"] = False
    yield
    app.config["LIVE_TIMERS"] = True


def scripted_clock(monkeypatch) -> Clock:
    """Make the views read a clock the test moves."""
    clock = Clock(START)
    monkeypatch.setattr(game, "clock", clock)
    return clock


def live_bank(app) -> int:
    """Create a bank of the five live types; return its id."""
    with app.app_context():
        return make_bank(types=LIVE_BANK).id


@pytest.fixture
def clock(monkeypatch):
    return scripted_clock(monkeypatch)


@pytest.fixture
def bank(app):
    return live_bank(app)


class Host:
    """A logged-in teacher driving a game through the host pages."""

    def __init__(self, client, app):
        self.client = client
        self.app = app
        self.live_id = None

    def create(self, bank_id, **rules):
        form = {
            "bank": str(bank_id),
            "scoring": "speed",
            "streak_bonus": "y",
            "time_limit_s": "20",
            "preview_s": "3",
        }
        form.update({k: v for k, v in rules.items() if v is not None})
        for key in [k for k, v in rules.items() if v is None]:
            form.pop(key, None)
        page = self.client.get("/live/host")
        response = self.client.post("/live/host", data={"csrf_token": csrf_token(page), **form})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.live_id = int(response.headers["Location"].split("/")[2])
        return self

    @property
    def live(self) -> LiveSession:
        with self.app.app_context():
            live = db.session.get(LiveSession, self.live_id)
            db.session.expunge(live)
            return live

    @property
    def pin(self) -> str:
        return self.live.pin

    def state(self) -> dict:
        return self.client.get(f"/live/{self.live_id}/state").get_json()

    def act(self, action, seq=None):
        page = self.client.get(f"/live/{self.live_id}/host")
        seq = self.state()["seq"] if seq is None else seq
        data = {"csrf_token": csrf_token(page), "action": action, "seq": str(seq)}
        return self.client.post(f"/live/{self.live_id}/control", data=data)

    def kick(self, player_id):
        page = self.client.get(f"/live/{self.live_id}/host")
        return self.client.post(
            f"/live/{self.live_id}/players/{player_id}/kick",
            data={"csrf_token": csrf_token(page)},
        )


def logged_in_host(client, auth, app) -> Host:
    """A teacher account, logged in on `client`."""
    auth.create_user(email="lehrerin@example.org", name="Frau Kern", role="teacher")
    auth.login(email="lehrerin@example.org")
    return Host(client, app)


@pytest.fixture
def host(client, auth, app):
    return logged_in_host(client, auth, app)


class PlayerClient:
    """One phone: its own test client (and so its own cookies)."""

    def __init__(self, client, live_id, csrf, app):
        self.client = client
        self.live_id = live_id
        self.app = app
        # Taken at joining: fetching a page before each answer would also close late questions.
        self.csrf = csrf

    def play(self):
        return self.client.get(f"/live/{self.live_id}/play")

    def state(self) -> dict:
        return self.client.get(f"/live/{self.live_id}/state").get_json()

    def option_ids(self, index: int) -> list[str] | None:
        """The public ids of question `index`'s options in file order (None: not a choice)."""
        with self.app.app_context():
            live = db.session.get(LiveSession, self.live_id)
            version = db.session.get(QuestionVersion, live.version_ids[index])
            options = version.payload.get("options")
            return [item_id(o["text"]) for o in options] if options else None

    def answer(self, index, value):
        """Answer question `index`; for choices, `value` numbers options as the file does."""
        ids = self.option_ids(index) if isinstance(index, int) and index >= 0 else None
        if ids and isinstance(value, int) and not isinstance(value, bool):
            value = ids[value] if value < len(ids) else str(value)
        elif ids and isinstance(value, list):
            value = [ids[option] for option in value]
        return self.client.post(
            f"/live/{self.live_id}/answer",
            json={"index": index, "answer": value},
            headers={"X-CSRFToken": self.csrf, "Accept": "application/json"},
        )

    @property
    def id(self) -> int:
        return self.state()["me"]["id"]


def join(app, pin, nickname, client=None, code="", expect=302):
    """Join with a fresh browser (or the given one); return the PlayerClient."""
    client = client or app.test_client()
    page = client.get(f"/join/{pin}")
    if page.status_code != 200:
        assert page.status_code == expect
        return page
    response = client.post(
        f"/join/{pin}",
        data={"csrf_token": csrf_token(page), "nickname": nickname, "code": code},
    )
    assert response.status_code == expect, response.get_data(as_text=True)
    if expect != 302:
        return response
    live_id = int(response.headers["Location"].split("/")[2])
    return PlayerClient(client, live_id, csrf_token(page), app)


def options_open(host) -> datetime:
    """Return when the running question's options opened (the zero of t)."""
    return host.live.options_at


def anna_at_the_first_question(app, host, bank, clock) -> PlayerClient:
    """A new game with Anna and Ben, its first question open for a second; return Anna."""
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_000)
    return anna


def scores(app, live_id) -> dict[str, tuple[int, int]]:
    with app.app_context():
        rows = db.session.scalars(select(Player).where(Player.session_id == live_id))
        return {p.nickname: (p.score, p.streak) for p in rows}


def event_types(app, live_id) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(
            select(LiveEvent).where(LiveEvent.session_id == live_id).order_by(LiveEvent.seq)
        )
        return [e.type for e in rows]


# --- a whole game ---------------------------------------------------------------------------


def test_whole_game_scores_follow_the_formula(app, host, bank, clock):
    host.create(bank)
    anna, ben, cem = (join(app, host.pin, n) for n in ("Anna", "Ben", "Cem"))
    assert host.state()["players"] == 3

    # Question 1 (single choice, option 0 right); the options open 3 s after the question.
    host.act("next")
    assert host.live.options_at - host.live.question_at == timedelta(seconds=3)
    t0 = options_open(host)
    clock.at(t0, 400)
    assert anna.answer(0, 0).status_code == 200  # t < 0.5 s: full 1000
    clock.at(t0, 2_400)
    assert ben.answer(0, 1).status_code == 200  # wrong: 0
    clock.at(t0, 10_000)
    assert cem.answer(0, 0).status_code == 200  # 1000 · (1 − 10/40) = 750
    # Everyone answered: the question closed without waiting for the deadline.
    assert host.state()["phase"] == "reveal"
    assert scores(app, host.live_id) == {"Anna": (1000, 1), "Ben": (0, 0), "Cem": (750, 1)}

    host.act("next")
    assert host.state()["phase"] == "leaderboard"
    host.act("next")

    # Question 2 (multiple choice): streak bonus and partial credit.
    t1 = options_open(host)
    clock.at(t1, 5_000)
    assert anna.answer(1, [0, 1, 3]).status_code == 200  # 875 + streak bonus 100
    clock.at(t1, 6_000)
    assert ben.answer(1, [0, 1]).status_code == 200  # ⅔ · 1000 · (1 − 6/40) = 566.67
    # Cem does not answer; after the deadline a late answer is refused and closes it.
    clock.at(t1, 20_001)
    late = cem.answer(1, [0, 1, 3])
    assert late.status_code == 409
    assert late.get_json()["code"] == "late"
    assert host.state()["phase"] == "reveal"
    assert scores(app, host.live_id) == {
        "Anna": (1975, 2),
        "Ben": (567, 0),
        "Cem": (750, 0),  # no answer breaks the streak
    }

    host.act("next")
    host.act("next")
    # Question 3 (true/false, false is right): an answer at the deadline still counts.
    t2 = options_open(host)
    clock.at(t2, 100)
    anna.answer(2, True)
    clock.at(t2, 600)
    cem.answer(2, False)  # round(1000 · (1 − 0.6/40)) = 985
    clock.at(t2, 20_000)
    assert ben.answer(2, False).status_code == 200  # exactly at the deadline: 500
    assert scores(app, host.live_id) == {"Anna": (1975, 0), "Ben": (1067, 1), "Cem": (1735, 1)}

    # The host ends the game: podium in the right order, PIN free again.
    host.act("end")
    state = host.state()
    assert state["phase"] == "podium"
    assert [row["nickname"] for row in state["event"]["data"]["top"]] == ["Anna", "Cem", "Ben"]
    assert host.live.open_pin is None
    assert event_types(app, host.live_id) == [
        "question",
        "reveal",
        "leaderboard",
        "question",
        "reveal",
        "leaderboard",
        "question",
        "reveal",
        "podium",
    ]
    # Each player sees their own line only.
    me = anna.state()["event"]["data"]["me"]
    assert me == {"rank": 1, "score": 1975, "streak": 0}
    assert "ranks" not in anna.state()["event"]["data"]


def test_accuracy_mode_without_streak_bonus(app, host, bank, clock):
    host.create(bank, scoring="accuracy", streak_bonus=None)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(options_open(host), 19_000)
    assert anna.answer(0, 0).status_code == 200
    host.act("next")
    host.act("next")
    clock.at(options_open(host), 19_000)
    assert anna.answer(1, [0, 1, 3]).status_code == 200
    assert scores(app, host.live_id) == {"Anna": (2000, 2)}


def test_double_answer_is_refused(app, host, bank, clock):
    anna = anna_at_the_first_question(app, host, bank, clock)
    assert anna.answer(0, 0).status_code == 200
    again = anna.answer(0, 1)
    assert again.status_code == 409
    assert again.get_json()["code"] == "twice"
    with app.app_context():
        first = anna.option_ids(0)[0]
        assert db.session.scalar(select(LiveAnswer.answer)) == first  # the first answer stands


def test_answer_before_the_options_open_is_refused(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(options_open(host), -1)
    refused = anna.answer(0, 0)
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "early"


def test_late_answer_is_rejected(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(host.live.deadline_at, 1)
    refused = anna.answer(0, 0)
    assert refused.status_code == 409
    assert "zu spät" in refused.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(LiveAnswer.id)) is None


def test_answer_to_another_question_or_malformed_is_refused(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(options_open(host), 1_000)
    assert anna.answer(1, [0]).get_json()["code"] == "closed"
    bad = anna.answer(0, 7)
    assert bad.status_code == 422
    assert bad.get_json()["code"] == "invalid"
    assert anna.answer(0, 0).status_code == 200


def test_plain_form_answer_without_javascript(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_000)
    page = anna.play()
    html = page.get_data(as_text=True)
    right = anna.option_ids(0)[0]
    assert f'name="answer" value="{right}"' in html
    response = anna.client.post(
        f"/live/{host.live_id}/answer",
        data={"csrf_token": csrf_token(page), "index": "0", "answer": right},
    )
    assert response.status_code == 302
    page = anna.play().get_data(as_text=True)
    assert "Antwort erhalten" in page
    assert f'name="answer" value="{right}"' not in page


def test_an_answer_sent_from_another_site_is_refused_and_stores_nothing(app, host, bank, clock):
    # A player's answer takes no CSRF token: the browser's Sec-Fetch-Site or Origin must say
    # that a page of this site sent it (the test client's site is http://localhost).
    anna = anna_at_the_first_question(app, host, bank, clock)
    url, right = f"/live/{host.live_id}/answer", anna.option_ids(0)[0]
    sent = {"json": {"index": 0, "answer": right}, "headers": {"Accept": "application/json"}}
    for header in (
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
    ):
        refused = anna.client.post(url, json=sent["json"], headers={**sent["headers"], **header})
        assert refused.status_code == 403
        body = refused.get_json()
        assert body["code"] == "other_site"
        assert body["message"] == "Antworten werden auf der Seite des Spiels abgegeben."
    # The plain form from another site: the error page.
    form = anna.client.post(
        url, data={"index": "0", "answer": right}, headers={"Origin": "http://evil.example"}
    )
    assert form.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(LiveAnswer.id))) == 0
    # From the game's page, without a CSRF token: stored.
    for header in ({"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"}):
        sent["headers"].update(header)
    assert anna.client.post(url, **sent).get_json() == {"ok": True}
    with app.app_context():
        assert db.session.scalar(select(func.count(LiveAnswer.id))) == 1


def test_only_a_json_answer_leaves_the_session_cookie_unopened(app):
    # Sessions picks the answer out by its path, before Flask matches the URL: built here
    # from the route, a changed route that the pattern no longer matches fails this test.
    from flask import session, url_for

    from quizapp.security import UnopenedSession

    with app.test_request_context():
        answer_path = url_for("live.answer", session_id=12)
        state_path = url_for("live.state", session_id=12)
    for path, kind, unopened in (
        (answer_path, {"json": {"index": 0}}, True),
        (answer_path, {"data": {"index": "0"}}, False),  # the plain form flashes its reply
        (state_path, {"json": {}}, False),
    ):
        with app.test_request_context(path, method="POST", **kind):
            assert isinstance(session._get_current_object(), UnopenedSession) is unopened


def test_a_json_answer_leaves_the_players_session_as_it_was(app, host, bank, clock):
    # The JSON answer does not open the session cookie (quizapp.security.Sessions): a
    # logged-in player who chose English stays logged in and English, and its refusals are
    # worded in the language the page's script asks for.
    host.create(bank)
    phone = app.test_client()
    pupil = AuthActions(phone, app)
    pupil.create_user(email="lena@example.org", name="Lena")
    pupil.login(email="lena@example.org")
    phone.post("/lang/en", data={"csrf_token": csrf_token(phone.get("/")), "next": "/"})
    lena = join(app, host.pin, "Lena", client=phone)
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_000)
    cookie = phone.get_cookie("session").value
    headers = {"Accept": "application/json", "Origin": "http://localhost"}
    sent = {"index": 0, "answer": lena.option_ids(0)[0]}
    stored = phone.post(f"/live/{host.live_id}/answer", json=sent, headers=headers)
    assert stored.get_json() == {"ok": True}
    assert "Set-Cookie" not in stored.headers
    again = phone.post(
        f"/live/{host.live_id}/answer", json=sent, headers={**headers, "Accept-Language": "en"}
    )
    assert again.status_code == 409
    assert again.get_json()["message"] == "You have already answered this question."
    assert phone.get_cookie("session").value == cookie
    page = phone.get(f"/live/{host.live_id}/play").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Log out" in phone.get("/").get_data(as_text=True)


def test_pause_stops_the_clock(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    t0 = options_open(host)
    clock.at(t0, 5_000)
    host.act("pause")
    clock.at(t0, 65_000)
    assert anna.answer(0, 0).get_json()["code"] == "paused"
    host.act("resume")
    clock.at(t0, 70_000)  # 5 s before the pause + 5 s after it
    assert anna.answer(0, 0).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(LiveAnswer.elapsed_ms)) == 10_000
    assert scores(app, host.live_id)["Anna"] == (750, 1)


def test_skip_closes_the_question_and_answers_so_far_count(app, host, bank, clock):
    host.create(bank)
    anna, ben = join(app, host.pin, "Anna"), join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_000)
    anna.answer(0, 0)
    host.act("skip")
    assert host.state()["phase"] == "reveal"
    assert ben.answer(0, 0).get_json()["code"] == "closed"
    host.act("skip")  # from the reveal straight to the next question
    state = host.state()
    assert (state["phase"], state["event"]["data"]["index"]) == ("question", 1)


def test_stale_host_click_does_nothing(app, host, bank, clock):
    host.create(bank)
    join(app, host.pin, "Anna")
    seen = host.state()["seq"]
    host.act("next", seq=seen)
    host.act("next", seq=seen)  # a double click on the same state
    state = host.state()
    assert (state["phase"], state["seq"]) == ("question", seen + 1)


def test_deadline_closes_the_question_on_the_next_read(app, host, bank, clock):
    host.create(bank)
    join(app, host.pin, "Anna")
    host.act("next")
    clock.at(host.live.deadline_at, 1)
    assert host.state()["phase"] == "reveal"


# --- what players see -------------------------------------------------------------------------


def test_no_answer_key_reaches_players_before_the_reveal(app, host, bank, clock):
    host.create(bank)
    anna = join(app, host.pin, "Anna")
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_000)
    before = [
        anna.play().get_data(as_text=True),
        json.dumps(anna.state()),
        json.dumps(anna.answer(0, 1).get_json()),
        anna.play().get_data(as_text=True),
        json.dumps(anna.state()),
    ]
    with app.app_context():
        question = db.session.scalar(select(LiveEvent).where(LiveEvent.type == "question"))
        before.append(json.dumps(question.data))
    for text in before:
        assert '"correct"' not in text
        assert "solution" not in text
        assert "Erläuterung zu rubio" not in text
        assert "Kontext." not in text
    # Nor do points: the score before the reveal would tell whether the answer was right.
    assert anna.state()["me"]["score"] == 0
    host.act("next")  # reveal
    page = anna.play().get_data(as_text=True)
    assert "Erläuterung zu rubio" in page
    assert "Der US-Außenminister hat es nicht einmal" in page  # the source quote


def test_player_sees_own_result_and_rank_after_the_reveal(app, host, bank, clock):
    host.create(bank)
    anna, ben = join(app, host.pin, "Anna"), join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 100)
    anna.answer(0, 0)
    ben.answer(0, 2)
    assert anna.state()["event"]["data"]["me"] == {
        "rank": 1,
        "score": 1000,
        "streak": 1,
        "points": 1000,
        "correct": True,
    }
    assert ben.state()["event"]["data"]["me"]["correct"] is False
    assert ben.state()["me"]["rank"] == 2
    reveal = anna.state()["event"]["data"]
    ids = anna.option_ids(0)
    assert reveal["distribution"] == {ids[0]: 1, ids[2]: 1}
    assert reveal["solution"] == {"options": [ids[0]]}


# --- joining, rejoining, protection -----------------------------------------------------------


def test_join_by_pin_page_redirects_to_the_nickname_step(app, host, bank, client):
    host.create(bank)
    browser = app.test_client()
    page = browser.get(f"/join?pin={host.pin}")
    assert host.pin in page.get_data(as_text=True)
    response = browser.post("/join", data={"csrf_token": csrf_token(page), "pin": host.pin})
    assert response.headers["Location"] == f"/join/{host.pin}"
    wrong = browser.post("/join", data={"csrf_token": csrf_token(page), "pin": "000000"})
    assert wrong.status_code == 400
    assert "Kein offenes Spiel" in wrong.get_data(as_text=True)


def test_rejoin_keeps_nickname_score_and_streak_after_a_restart(app, host, bank, clock):
    from quizapp import create_app

    host.create(bank)
    anna = join(app, host.pin, "Anna")
    host.act("next")
    clock.at(options_open(host), 100)
    anna.answer(0, 0)
    host.act("next")
    # A new server process (nothing kept in memory) and the same browser cookie.
    restarted = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})
    phone = restarted.test_client()
    cookie = anna.client.get_cookie(f"quizapp_live_{host.live_id}")
    phone.set_cookie(cookie.key, cookie.value)
    state = phone.get(f"/live/{host.live_id}/state").get_json()
    assert state["me"]["nickname"] == "Anna"
    assert (state["me"]["score"], state["me"]["streak"]) == (1000, 1)
    # Opening the join link again returns to the game instead of asking for a name.
    back = phone.get(f"/join/{host.pin}")
    assert back.headers["Location"] == f"/live/{host.live_id}/play"
    with restarted.app_context():
        db.engine.dispose()


def test_nickname_taken_ignores_case(app, host, bank):
    host.create(bank)
    join(app, host.pin, "Anna")
    response = join(app, host.pin, "ANNA", expect=400)
    assert "vergeben" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("A", "2 bis 20 Zeichen"),
        ("A" * 21, "2 bis 20 Zeichen"),
        ("<script>", "Buchstaben, Ziffern"),
        ("Arschloch", "freundlicheren"),
        ("f.u.c.k", "freundlicheren"),
    ],
)
def test_nickname_rules(app, host, bank, nickname, message):
    host.create(bank)
    response = join(app, host.pin, nickname, expect=400)
    assert message in response.get_data(as_text=True)


def test_nickname_suggestion_is_offered(app, host, bank):
    host.create(bank)
    page = app.test_client().get(f"/join/{host.pin}?suggest=1").get_data(as_text=True)
    suggested = re.search(r'name="nickname"[^>]*value="([^"]+)"', page).group(1)
    assert 2 <= len(suggested) <= 20


def test_kicked_player_stays_out(app, host, bank, clock):
    host.create(bank)
    anna, ben = join(app, host.pin, "Anna"), join(app, host.pin, "Ben")
    host.act("next")
    host.kick(ben.id)
    assert ben.play().status_code == 403
    assert ben.client.get(f"/live/{host.live_id}/events").status_code == 403
    clock.at(options_open(host), 1_000)
    assert ben.answer(0, 0).status_code == 403
    # The same browser cannot come back under another name.
    assert join(app, host.pin, "Benni", client=ben.client, expect=403).status_code == 403
    # And the name stays taken.
    assert join(app, host.pin, "Ben", expect=400).status_code == 400
    # The players left have all answered once Anna has: the question closes.
    anna.answer(0, 0)
    assert host.state()["phase"] == "reveal"
    assert [row["nickname"] for row in host.state()["event"]["data"]["top"]] == ["Anna"]


def test_a_removed_players_answer_does_not_count(app, host, bank, clock):
    host.create(bank)
    anna, ben, cem = (join(app, host.pin, name) for name in ("Anna", "Ben", "Cem"))
    host.act("next")
    clock.at(options_open(host), 1_000)
    ben.answer(0, 0)
    assert host.state()["answered"] == 1
    host.kick(ben.id)
    assert host.state()["answered"] == 0
    # Anna's answer with Ben's would be two of the two players left: Cem has not answered.
    anna.answer(0, 0)
    assert host.state()["phase"] == "question"
    assert host.state()["answered"] == 1
    cem.answer(0, 1)
    assert host.state()["phase"] == "reveal"
    # Nor in the reveal: two answers, one for each of the first two options.
    reveal = host.state()["event"]["data"]
    assert reveal["answered"] == 2
    assert sum(reveal["distribution"].values()) == 2


def logged_in_browser(app, auth, email: str, name: str):
    """A fresh browser with the learner's account logged in (created if missing)."""
    from quizapp.models import User

    with app.app_context():
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            auth.create_user(email=email, name=name)
    browser = app.test_client()
    page = browser.get("/login")
    browser.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    return browser


def test_kicked_account_stays_out_in_any_browser(app, host, bank, auth):
    host.create(bank)
    lea = join(app, host.pin, "Lea", client=logged_in_browser(app, auth, "lea@example.org", "Lea"))
    kicked = host.kick(lea.id)
    assert "kann nicht wieder beitreten" not in kicked.get_data(as_text=True)
    # Another browser, logged in with the same account: refused, under any name.
    fresh = logged_in_browser(app, auth, "lea@example.org", "Lea")
    page = fresh.get(f"/join/{host.pin}")
    assert page.status_code == 403
    assert "Du wurdest aus diesem Spiel entfernt." in page.get_data(as_text=True)
    # Even a join form sent without looking at the page is refused.
    token = csrf_token(fresh.get("/join"))
    refused = fresh.post(f"/join/{host.pin}", data={"csrf_token": token, "nickname": "Lena"})
    assert refused.status_code == 403
    # Other accounts still join.
    join(app, host.pin, "Mia", client=logged_in_browser(app, auth, "mia@example.org", "Mia"))
    with app.app_context():
        names = db.session.scalars(select(Player.nickname).where(Player.session_id == host.live_id))
        assert sorted(names) == ["Lea", "Mia"]


def test_an_account_plays_once_per_game_from_any_browser(app, host, bank, auth, clock):
    host.create(bank)
    laptop = join(
        app, host.pin, "Lea", client=logged_in_browser(app, auth, "lea@example.org", "Lea")
    )
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 100)
    assert laptop.answer(0, 0).status_code == 200
    lea_id = laptop.id
    # The same account on a phone: the same player, score and answer, not a second one.
    phone = join(
        app, host.pin, "Lea2", client=logged_in_browser(app, auth, "lea@example.org", "Lea")
    )
    me = phone.state()["me"]
    assert (me["id"], me["nickname"]) == (lea_id, "Lea")
    assert phone.answer(0, 1).get_json()["code"] == "twice"
    with app.app_context():
        players = db.session.scalars(select(Player).where(Player.session_id == host.live_id))
        assert sorted(p.nickname for p in players) == ["Ben", "Lea"]
        assert db.session.get(LiveSession, host.live_id).player_count == 2
    # The laptop's cookie was handed over to the phone.
    assert laptop.client.get(f"/live/{host.live_id}/play").status_code != 200


def test_kicked_guest_in_a_fresh_browser_is_kept_out_by_the_lock(app, host, bank):
    # A guest is known only by the cookie: the network address is no sign of a person,
    # since a class joins from one school address (every player here has the same one).
    host.create(bank)
    ben = join(app, host.pin, "Ben")
    response = host.kick(ben.id)
    host_page = host.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sperre das Spiel" in host_page  # the host learns how to keep newcomers out
    assert join(app, host.pin, "Benni", client=ben.client, expect=403).status_code == 403
    join(app, host.pin, "Cem")  # classmates behind the same address still join
    host.act("lock")
    assert "gesperrt" in join(app, host.pin, "Benjamin", expect=400).get_data(as_text=True)
    ben2 = join(app, host.pin, "Benni", client=ben.client, expect=403)
    assert ben2.status_code == 403
    kicked_again = host.kick(join_id(app, host.live_id, "Cem"))
    page = host.client.get(kicked_again.headers["Location"]).get_data(as_text=True)
    assert "Cem wurde entfernt und kann nicht wieder beitreten." in page


def join_id(app, live_id: int, nickname: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Player.id).where(Player.session_id == live_id, Player.nickname == nickname)
        )


def test_locked_lobby_refuses_new_players(app, host, bank):
    host.create(bank)
    join(app, host.pin, "Anna")
    host.act("lock")
    response = join(app, host.pin, "Ben", expect=400)
    assert "gesperrt" in response.get_data(as_text=True)
    host.act("unlock")
    join(app, host.pin, "Ben")


def test_player_cap(app, host, bank):
    host.create(bank, max_players="2")
    join(app, host.pin, "Anna")
    join(app, host.pin, "Ben")
    response = join(app, host.pin, "Cem", expect=400)
    assert "voll" in response.get_data(as_text=True)


def test_two_step_join_needs_the_current_code(app, host, bank, clock):
    host.create(bank, two_step="y")
    assert join(app, host.pin, "Anna", code="", expect=400).status_code == 400
    code = host.client.get(f"/live/{host.live_id}/code").get_json()["code"]
    join(app, host.pin, "Anna", code=code)
    clock.at(START, 10_000)  # the next window: the previous code is still accepted
    join(app, host.pin, "Ben", code=code)
    clock.at(START, 20_000)
    response = join(app, host.pin, "Cem", code=code, expect=400)
    assert "Code" in response.get_data(as_text=True)


def test_join_is_rate_limited_per_address(app, host, bank):
    host.create(bank)
    app.config["LIVE_JOIN_LIMIT"] = "2 per minute"
    try:
        join(app, host.pin, "Anna")
        join(app, host.pin, "Ben")
        assert join(app, host.pin, "Cem", expect=429).status_code == 429
    finally:
        app.config["LIVE_JOIN_LIMIT"] = "100 per minute;1000 per hour"


def test_ended_game_cannot_be_joined(app, host, bank):
    host.create(bank)
    pin = host.pin
    host.act("end")
    response = app.test_client().get(f"/join/{pin}")
    assert response.status_code == 302


def test_only_the_host_controls_the_game(app, host, bank, auth):
    host.create(bank)
    other = app.test_client()
    auth.create_user(email="other@example.org", name="Other", role="teacher")
    page = other.get("/login")
    other.post(
        "/login",
        data={"csrf_token": csrf_token(page), "email": "other@example.org", "password": PASSWORD},
    )
    assert other.get(f"/live/{host.live_id}/host").status_code == 403
    assert other.get(f"/live/{host.live_id}/screen").status_code == 403
    assert other.get(f"/live/{host.live_id}/results.csv").status_code == 403
    assert app.test_client().get(f"/live/{host.live_id}/host").status_code == 302  # log in


def test_learners_cannot_open_the_host_page(client, auth):
    auth.create_user(email="kim@example.org", name="Kim")
    auth.login(email="kim@example.org")
    assert client.get("/live/host").status_code == 403


# --- standings --------------------------------------------------------------------------------


def test_ties_go_to_whoever_reached_the_score_first(app, host, bank, clock):
    host.create(bank, scoring="accuracy", streak_bonus=None)
    zoe = join(app, host.pin, "Zoe")  # joins first, never scores
    xaver, yvonne = join(app, host.pin, "Xaver"), join(app, host.pin, "Yvonne")
    host.act("next")
    t0 = options_open(host)
    clock.at(t0, 1_000)
    xaver.answer(0, 0)  # Xaver reaches 1000 in question 1
    yvonne.answer(0, 1)
    zoe.answer(0, 1)
    host.act("next")
    host.act("next")
    t1 = options_open(host)
    clock.at(t1, 500)
    yvonne.answer(1, [0, 1, 3])  # Yvonne reaches 1000 only in question 2, though faster
    xaver.answer(1, [2])
    zoe.answer(1, [2])
    with app.app_context():
        table = game.standings(host.live_id)
    assert [(s.nickname, s.score, s.rank) for s in table] == [
        ("Xaver", 1000, 1),
        ("Yvonne", 1000, 2),
        ("Zoe", 0, 3),
    ]


def test_equal_scores_in_the_same_question_go_to_the_faster(app, host, bank, clock):
    host.create(bank, scoring="accuracy")
    slow, fast = join(app, host.pin, "Slow"), join(app, host.pin, "Fast")
    host.act("next")
    t0 = options_open(host)
    clock.at(t0, 800)
    fast.answer(0, 0)
    clock.at(t0, 9_000)
    slow.answer(0, 0)
    with app.app_context():
        assert [s.nickname for s in game.standings(host.live_id)] == ["Fast", "Slow"]


# --- progress and results ---------------------------------------------------------------------


def test_learners_download_has_their_live_answers_once_revealed(app, host, bank, clock, auth):
    host.create(bank)
    browser = logged_in_browser(app, auth, "lea@example.org", "Lea")
    lea = join(app, host.pin, "Lea", client=browser)
    join(app, host.pin, "Ben")
    host.act("next")
    clock.at(options_open(host), 1_500)
    lea.answer(0, 0)
    running = browser.get("/me/export.json").get_json()["live_games"]
    assert [(g["nickname"], g["answers"]) for g in running] == [("Lea", [])]
    host.act("end")
    (game,) = browser.get("/me/export.json").get_json()["live_games"]
    (answer,) = game["answers"]
    assert (answer["question"], answer["correct"], answer["elapsed_ms"]) == ("rubio", True, 1_500)
    assert answer["answer"] == lea.option_ids(0)[0] and answer["points"] == game["score"] > 900
    rows = browser.get("/me/export.csv").get_data(as_text=True).splitlines()
    assert any(",live," in row and ",rubio," in row for row in rows[1:])


def test_learners_download_counts_a_streak_bonus_once(app, host, bank, clock, auth):
    host.create(bank)
    browser = logged_in_browser(app, auth, "lea@example.org", "Lea")
    lea = join(app, host.pin, "Lea", client=browser)
    host.act("next")
    clock.at(options_open(host), 400)
    lea.answer(0, 0)  # right: 1000
    host.act("next")  # leaderboard
    host.act("next")
    clock.at(options_open(host), 5_000)
    lea.answer(1, [0, 1, 3])  # right again: 875 + streak bonus 100
    host.act("end")
    (game,) = browser.get("/me/export.json").get_json()["live_games"]
    assert [a["points"] for a in game["answers"]] == [1000, 975]
    assert sum(a["points"] for a in game["answers"]) == game["score"] == 1975


def test_logged_in_learner_answers_count_toward_progress(app, host, bank, clock, auth):
    from quizapp.models import Card, Question
    from quizapp.services import progress
    from quizapp.signals import answer_recorded

    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    answer_recorded.connect(listener)
    try:
        host.create(bank)
        learner = app.test_client()
        lea_id = auth.create_user(email="lea@example.org", name="Lea")
        page = learner.get("/login")
        learner.post(
            "/login",
            data={"csrf_token": csrf_token(page), "email": "lea@example.org", "password": PASSWORD},
        )
        lea = join(app, host.pin, "Lea", client=learner)
        guest = join(app, host.pin, "Gast")
        host.act("next")
        clock.at(options_open(host), 2_000)
        lea.answer(0, 0)  # rubio (claim C1): right
        # Until the reveal the progress page does not tell whether the answer was right.
        with app.app_context():
            assert progress.question_stats(lea_id) == []
        guest.answer(0, 0)
        host.act("next")  # leaderboard
        host.act("next")
        clock.at(options_open(host), 3_000)
        lea.answer(1, [2])  # five-eyes (claim C1): only the wrong option
        guest.answer(1, [0, 1, 3])
        host.act("end")  # the podium after two of five questions
    finally:
        answer_recorded.disconnect(listener)
    assert [r["score"] for r in received] == [1.0, 0.0]  # Lea's answers only, not the guest's
    assert received[0]["elapsed_ms"] == 2_000

    with app.app_context():
        keys = {q.id: q.key for q in db.session.scalars(select(Question))}
        # (a) a review card per question answered, reviewed once; none for the guest.
        cards = db.session.scalars(select(Card)).all()
        assert {(keys[c.question_id], c.user_id, c.reviews) for c in cards} == {
            ("rubio", lea_id, 1),
            ("five-eyes", lea_id, 1),
        }
        # (b) mastery: C1 has one right and one wrong answer; per tag each type on its own.
        stats = progress.question_stats(lea_id)
        assert {(s.key, s.latest_score) for s in stats} == {("rubio", 1.0), ("five-eyes", 0.0)}
        [claim] = progress.mastery_by_claim(stats)
        assert (claim.label[:20], claim.questions, claim.score) == ("Der US-Außenminister", 2, 0.5)
        by_tag = {m.key: (m.questions, m.level) for m in progress.mastery_by_tag(stats)}
        assert by_tag == {
            "test": (2, "shaky"),
            "single_choice": (1, "known"),
            "multiple_choice": (1, "wrong"),
        }
        [series] = progress.score_history(lea_id)
        assert [(p.mode, p.percent) for p in series.points] == [("live", 50.0)]

    # (c) the progress page shows the game, the mistake and the mastery.
    page = learner.get("/progress").get_data(as_text=True)
    assert page.count("<circle ") == 1  # the game in the chart
    assert "<td>Live-Spiel</td>" in page and "<td>50\u00a0%</td>" in page
    assert "Welche Staaten gehören zu den „Five Eyes“?" in page  # what Lea keeps getting wrong
    assert 'id="due-count">' in page
    assert "Der US-Außenminister hat es nicht einmal" in page  # mastery per claim
    assert '<th scope="row">multiple_choice' in page  # mastery per topic


def test_results_export_csv_and_xlsx(app, host, bank, clock):
    from io import BytesIO

    from openpyxl import load_workbook

    host.create(bank)
    anna, ben = join(app, host.pin, "Anna"), join(app, host.pin, "-Ben")
    host.act("next")
    clock.at(options_open(host), 100)
    anna.answer(0, 0)
    ben.answer(0, 1)
    host.act("end")
    page = host.client.get(f"/live/{host.live_id}/results").get_data(as_text=True)
    assert "Anna" in page and "1000" in page
    players = host.client.get(f"/live/{host.live_id}/results.csv").get_data(as_text=True)
    lines = players.lstrip("\ufeff").splitlines()
    assert lines[1].startswith("1,Anna,1000,1,")
    assert lines[2].startswith("2,'-Ben,0,0,")  # no formula injection
    answers = host.client.get(f"/live/{host.live_id}/results.csv?table=answers")
    assert "Anna,1,Marco Rubio,1.0," in answers.get_data(as_text=True)  # the text, not an id
    book = load_workbook(BytesIO(host.client.get(f"/live/{host.live_id}/results.xlsx").data))
    assert len(book.sheetnames) == 3
    assert book.worksheets[0]["B2"].value == "Anna"


def test_host_page_lists_skipped_question_types(app, host):
    with app.app_context():
        make_bank(slug="all-types")
    page = host.client.get("/live/host").get_data(as_text=True)
    assert "<td>5</td><td>4</td>" in page  # 5 live types asked, 4 left out
    assert "Lückentext" in page


def _expected_qr(app, url: str) -> str:
    """The projector's QR code of `url`, made by the route's own helper (same options)."""
    from quizapp.live.routes import qr_svg

    with app.test_request_context("/"):
        return qr_svg(url)


def test_qr_code_encodes_exactly_the_join_url(app, host, bank):
    host.create(bank)
    pin = host.pin
    join_url = f"http://localhost/join/{pin}"
    page = host.client.get(f"/live/{host.live_id}/screen").get_data(as_text=True)
    svg = _expected_qr(app, join_url)
    assert svg.startswith("<svg") and 'class="qr"' in svg
    assert svg in page
    # A code of any other link would differ: the comparison tells links apart.
    assert _expected_qr(app, "http://localhost/join") not in page
    assert _expected_qr(app, f"http://localhost/join/{int(pin) % 900_000 + 100_001}") not in page
    # The link is printed as text too: under the code, and on the host's page; with the PIN.
    assert f'<p class="qr-url">localhost/join/{pin}</p>' in page
    assert f"{pin[:3]} {pin[3:]}" in page
    host_page = host.client.get(f"/live/{host.live_id}/host").get_data(as_text=True)
    assert f'<a href="{join_url}">{join_url}</a>' in host_page
    # And the link works: it opens the nickname step of this game.
    assert "Spitzname" in app.test_client().get(f"/join/{pin}").get_data(as_text=True)


def test_qr_code_uses_the_public_url_when_set(app, host, bank):
    host.create(bank)
    app.config["PUBLIC_URL"] = "https://quiz.example.org"
    try:
        page = host.client.get(f"/live/{host.live_id}/screen").get_data(as_text=True)
    finally:
        app.config.pop("PUBLIC_URL")
    join_url = f"https://quiz.example.org/join/{host.pin}"
    assert _expected_qr(app, join_url) in page
    assert f'<p class="qr-url">quiz.example.org/join/{host.pin}</p>' in page


# --- PINs -------------------------------------------------------------------------------------


class PinDraws:
    """Stands in for the `secrets` module of the live service: the PINs given are drawn
    first (in order), then real random ones."""

    def __init__(self, *pins: str):
        self.pins = list(pins)
        self.draws = 0

    def randbelow(self, n: int) -> int:
        assert n == 900_000
        self.draws += 1
        return int(self.pins.pop(0)) - 100_000 if self.pins else secrets.randbelow(n)

    def __getattr__(self, name):
        return getattr(secrets, name)


def new_game(host, bank_id) -> tuple[int, str]:
    """Start another game of the host; return its id and PIN."""
    host.create(bank_id)
    return host.live_id, host.pin


def open_pin(app, live_id: int) -> str | None:
    with app.app_context():
        return db.session.get(LiveSession, live_id).open_pin


def test_open_games_never_share_a_pin(app, host, bank, auth):
    games = [new_game(host, bank) for _ in range(5)]
    pins = [pin for _, pin in games]
    assert len(set(pins)) == 5
    assert all(len(pin) == 6 and pin.isdigit() and pin[0] != "0" for pin in pins)
    assert [open_pin(app, live_id) for live_id, _ in games] == pins
    # The database refuses a second open game with an open game's PIN (a race the
    # check before it cannot see), so two workers cannot both hand it out.
    with app.app_context():
        first = db.session.get(LiveSession, games[0][0])
        db.session.add(
            LiveSession(pin=pins[0], open_pin=pins[0], quiz_id=first.quiz_id, host_id=first.host_id)
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_drawn_pin_of_an_open_game_is_drawn_again(app, host, bank, monkeypatch):
    first_id, taken = new_game(host, bank)
    draws = PinDraws(taken, taken, "424242")
    monkeypatch.setattr(live_setup, "secrets", draws)
    second_id, pin = new_game(host, bank)
    assert pin == "424242"
    assert draws.draws == 3
    assert open_pin(app, first_id) == taken  # the first game keeps its PIN
    assert app.test_client().get(f"/join/{taken}").status_code == 200
    with app.app_context():
        assert game.find_open(taken).id == first_id
        assert game.find_open("424242").id == second_id


def test_a_pin_taken_between_check_and_commit_starts_over(app, host, bank, monkeypatch):
    _, taken = new_game(host, bank)
    # Another worker's game took the PIN after this one checked it: the unique open_pin
    # refuses the commit, and the game is created again with a fresh PIN.
    draws = PinDraws(taken, "515151")
    monkeypatch.setattr(live_setup, "secrets", draws)
    checks = iter([None])
    real_find_open = game.find_open
    monkeypatch.setattr(live_setup, "find_open", lambda pin: next(checks, real_find_open(pin)))
    _, pin = new_game(host, bank)
    assert (pin, draws.draws) == ("515151", 2)
    with app.app_context():
        # Nothing of the refused try is left (its quiz was rolled back with it).
        assert db.session.scalar(select(func.count(LiveSession.id))) == 2
        assert db.session.scalar(select(func.count(Quiz.id)).where(Quiz.mode == "live")) == 2


def test_a_finished_games_pin_can_be_used_again(app, host, bank, monkeypatch):
    first_id, pin = new_game(host, bank)
    host.act("end")
    assert open_pin(app, first_id) is None
    monkeypatch.setattr(live_setup, "secrets", PinDraws(pin))
    second_id, again = new_game(host, bank)
    assert again == pin
    with app.app_context():
        assert game.find_open(pin).id == second_id
        assert db.session.get(LiveSession, first_id).pin == pin  # kept with its results
    assert host.client.get(f"/live/{first_id}/results").status_code == 200


def test_a_pin_is_freed_12_hours_after_its_game_was_made(app, host, bank, clock, monkeypatch):
    first_id, pin = new_game(host, bank)
    draws = PinDraws(pin, "616161")
    monkeypatch.setattr(live_setup, "secrets", draws)
    clock.at(START + game.PIN_LIFETIME)  # exactly 12 hours: still the first game's
    _, other = new_game(host, bank)
    assert (other, open_pin(app, first_id)) == ("616161", pin)
    draws.pins = [pin]
    clock.at(START + game.PIN_LIFETIME, 1)
    third_id, again = new_game(host, bank)
    assert again == pin
    assert open_pin(app, first_id) is None
    with app.app_context():
        assert game.find_open(pin).id == third_id


# --- the scoring rule is shown ------------------------------------------------------------------

SPEED_RULE = [
    "So werden Punkte vergeben",
    "Eine richtige Antwort bringt zwischen 500 und 1000 Punkten: je schneller, desto mehr.",
    "T = 30 s der Zeitgrenze",
    "Punkte = gerundet(1000 × (1 − t ÷ (2 × T)))",
    "Antworten innerhalb einer halben Sekunde bekommen die vollen 1000 Punkte.",
]
ACCURACY_RULE = ["Jede richtige Antwort bringt 1000 Punkte, egal wie schnell sie kommt."]
STREAK_RULE = ["Serienbonus: +100 Punkte für jede weitere richtige Antwort in Folge"]
ALWAYS = ["Bei Fragen mit mehreren richtigen Antworten gibt es Teilpunkte"]


@pytest.mark.parametrize(
    ("rules", "shown", "not_shown"),
    [
        ({"scoring": "speed"}, SPEED_RULE + STREAK_RULE, ACCURACY_RULE),
        ({"scoring": "speed", "streak_bonus": None}, SPEED_RULE, ACCURACY_RULE + STREAK_RULE),
        (
            {"scoring": "accuracy", "streak_bonus": None},
            ACCURACY_RULE,
            SPEED_RULE[1:] + STREAK_RULE,
        ),
        ({"scoring": "accuracy"}, ACCURACY_RULE + STREAK_RULE, SPEED_RULE[1:]),
    ],
)
def test_players_and_projector_show_the_games_scoring_rule(
    app, host, bank, rules, shown, not_shown
):
    host.create(bank, time_limit_s="30", **rules)
    anna = join(app, host.pin, "Anna")
    pages = {
        "player": anna.play().get_data(as_text=True),
        "projector": host.client.get(f"/live/{host.live_id}/screen").get_data(as_text=True),
    }
    host.act("next")  # and while a question runs
    pages["player, question"] = anna.play().get_data(as_text=True)
    for name, page in pages.items():
        for text in shown + ALWAYS:
            assert text in page, (name, text)
        for text in not_shown:
            assert text not in page, (name, text)


def test_the_scoring_rule_in_english(app, host, bank):
    host.create(bank)
    phone = app.test_client()
    phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = join(app, host.pin, "Anna", client=phone).play().get_data(as_text=True)
    assert "How points are counted" in page
    assert "points = round(1000 × (1 − t ÷ (2 × T)))" in page
    assert "Streak bonus: +100 points for every correct answer in a row" in page


@pytest.mark.parametrize(
    ("headers", "from_here"),
    [
        ({}, True),  # no current browser: the SameSite cookie is the guard
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "http://elsewhere.example"}, True),
        ({"Sec-Fetch-Site": "same-site"}, False),  # a sibling subdomain
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "none"}, False),
        ({"Origin": "http://localhost"}, True),
        ({"Origin": "HTTP://LOCALHOST"}, True),
        ({"Origin": "http://localhost:8001"}, False),
        ({"Origin": "http://schule.localhost"}, False),
        ({"Origin": "null"}, False),
    ],
)
def test_which_browsers_answers_count_as_sent_from_this_site(app, headers, from_here):
    reply = app.test_client().post(
        "/live/1/answer", json={"index": 0, "answer": "x"}, headers=headers
    )
    assert reply.status_code == 403
    assert (reply.get_json()["code"] != "other_site") is from_here


def test_behind_a_proxy_the_origin_is_checked_against_the_forwarded_host(app, monkeypatch):
    from quizapp import create_app

    # A proxy that passes the request on as 127.0.0.1:8000 says the host the browser used
    # in X-Forwarded-Host; with TRUST_PROXY=1 the answer's Origin is checked against that.
    monkeypatch.setenv("TRUST_PROXY", "1")
    proxied = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": None})
    headers = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "quiz.schule.example"}
    codes = []
    for origin in ("http://quiz.schule.example", "http://127.0.0.1:8000"):
        reply = proxied.test_client().post(
            "/live/1/answer",
            json={"index": 0, "answer": "x"},
            headers={**headers, "Origin": origin},
        )
        codes.append((reply.status_code, reply.get_json()["code"]))
    with proxied.app_context():
        db.engine.dispose()
    # The first is the browser's own host: refused only as no player of a game.
    assert codes == [(403, "unknown"), (403, "other_site")]
