"""The medium defects of the hardening probe (issue 11), each through the real routes."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, QuestionVersion, Response, utcnow
from quizapp.services import live as game
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_attempt, make_bank, make_quiz, wrong_answer
from tests.test_api import Api
from tests.test_live import join, live_bank, logged_in_browser, logged_in_host, options_open
from tests.test_live import scripted_clock as _scripted_clock

# --- 1. open redirects ------------------------------------------------------------------------

EVIL_TARGETS = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/ /evil.example",
    "\x00/x",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_next_never_leaves_the_site(client, auth, target):
    auth.create_user()
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": csrf_token(page), "email": "ada@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_register_next_never_leaves_the_site(client, target):
    page = client.get("/register", query_string={"next": target})
    response = client.post(
        "/register",
        query_string={"next": target},
        data={
            "csrf_token": csrf_token(page),
            "email": "new@example.org",
            "display_name": "Neu",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_next_never_leaves_the_site(client, target):
    page = client.get("/")
    response = client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_same_site_next_still_works(client, auth):
    page = client.get("/")
    response = client.post(
        "/lang/en", data={"csrf_token": csrf_token(page), "next": "/banks?x=1#top"}
    )
    assert response.headers["Location"] == "/banks?x=1#top"


# --- 2. event subscriptions never leak -----------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    return _scripted_clock(monkeypatch)


@pytest.fixture(autouse=True)
def _no_real_timers(app):
    """Scripted times are in the past; real deadline timers would close questions early."""
    app.config["LIVE_TIMERS"] = False
    yield
    app.config["LIVE_TIMERS"] = True


@pytest.mark.parametrize(
    "header,query",
    [
        ("9" * 40, None),
        ("9" * 5000, None),
        (None, "9" * 40),
        ("²", None),
        (None, "²"),
        ("-1", None),
        ("1.5", None),
    ],
)
def test_event_stream_with_odd_positions_leaks_no_subscription(app, client, auth, header, query):
    host = logged_in_host(client, auth, app).create(live_bank(app))
    with app.app_context():
        hub = game.broker().hub
    before = hub.count()
    headers = {"Last-Event-ID": header} if header else {}
    params = {"after": query} if query else {}
    for _ in range(3):
        response = client.get(f"/live/{host.live_id}/events", headers=headers, query_string=params)
        assert response.status_code in (200, 400), response.status_code
        response.close()
    assert hub.count() == before


# --- 3. live answers' correctness before the reveal ---------------------------------------


def test_live_export_hides_the_game_score_and_cards_until_the_reveal(app, client, auth, clock):
    host = logged_in_host(client, auth, app).create(live_bank(app))
    browser = logged_in_browser(app, auth, "lea@example.org", "Lea")
    lea = join(app, host.pin, "Lea", client=browser)
    join(app, host.pin, "Ben")
    before = browser.get("/me/export.json").get_json()
    host.act("next")
    clock.at(options_open(host), 1_500)
    assert lea.answer(0, 0).status_code == 200
    during = browser.get("/me/export.json").get_json()
    (game_row,) = during["live_games"]
    assert game_row["score"] == 0
    assert during["review_cards"] == before["review_cards"] == []
    assert ",live," not in browser.get("/me/export.csv").get_data(as_text=True)
    host.act("end")
    after = browser.get("/me/export.json").get_json()
    assert after["live_games"][0]["score"] > 900
    assert len(after["review_cards"]) == 1


# --- 4. and 5. exam correctness stays secret until the exam ends ---------------------------


def _exam(app, auth, client):
    """A logged-in learner with an open exam over a true/false and a single-choice question."""
    with app.app_context():
        bank = make_bank(types=["true_false", "single_choice"])
        quiz = make_quiz(bank, mode="exam", shuffle_options=True, time_limit_s=600)
        quiz_id = quiz.id
    auth.create_user(email="lea@example.org", name="Lea")
    auth.login(email="lea@example.org")
    api = Api(client)
    started = api.post(f"/quizzes/{quiz_id}/attempts")
    assert started.status_code == 201
    return api, started.get_json()


def _version(app, version_id):
    with app.app_context():
        version = db.session.get(QuestionVersion, version_id)
        db.session.expunge(version)
        return version


def test_open_exam_answers_stay_out_of_exports_mistakes_and_progress(app, client, auth):
    api, attempt = _exam(app, auth, client)
    first = _version(app, attempt["questions"][0]["version_id"])
    sent = api.post(
        f"/attempts/{attempt['id']}/answers",
        {"version_id": first.id, "answer": wrong_answer(first)},
    )
    assert sent.status_code == 200 and sent.get_json()["feedback"] is None
    data = client.get("/me/export.json").get_json()
    (exported,) = data["attempts"]
    assert [(r["score"], r["correct"]) for r in exported["responses"]] == [(None, None)]
    assert data["review_cards"] == []
    rows = client.get("/me/export.csv").get_data(as_text=True).splitlines()
    header = rows[0].split(",")
    (row,) = [line.split(",") for line in rows[1:]]
    assert row[header.index("score")] == row[header.index("correct")] == ""
    mistakes = client.get("/mistakes").get_data(as_text=True)
    assert first.prompt not in mistakes
    assert first.prompt not in client.get("/progress").get_data(as_text=True)
    assert first.prompt not in client.get("/review").get_data(as_text=True)
    api.post(f"/attempts/{attempt['id']}/finish")
    data = client.get("/me/export.json").get_json()
    assert [(r["score"], r["correct"]) for r in data["attempts"][0]["responses"]] == [(0.0, False)]
    assert first.prompt in client.get("/mistakes").get_data(as_text=True)


def test_practising_mistakes_during_an_exam_leaves_out_the_exams_questions(app, client, auth):
    api, attempt = _exam(app, auth, client)
    with app.app_context():
        user_id = db.session.scalar(select(Attempt.user_id).where(Attempt.id == attempt["id"]))
        # An earlier practice attempt got both questions wrong.
        versions = [_version(app, q["version_id"]) for q in attempt["questions"]]
        practice = make_quiz(db.session.get(QuestionVersion, versions[0].id).question.bank)
        make_attempt(
            user_id,
            practice,
            [(db.session.get(QuestionVersion, v.id), 0.0) for v in versions],
            utcnow() - timedelta(days=1),
        )
    page = client.get("/mistakes")
    response = client.post("/mistakes/start", data={"csrf_token": csrf_token(page)})
    # Every mistake is in the open exam: nothing to practise now, and no solution shown.
    assert response.status_code == 302
    with app.app_context():
        sessions = db.session.scalars(
            select(Attempt).where(Attempt.user_id == user_id, Attempt.id != attempt["id"])
        ).all()
        asked = {v for a in sessions for v in a.version_ids if a.quiz.mode == "mistakes"}
    assert asked.isdisjoint({v.id for v in versions})
    api.post(f"/attempts/{attempt['id']}/finish")
    page = client.get("/mistakes")
    response = client.post("/mistakes/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]


# --- 6. lone surrogates ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\ud800", "ok \udfff ok", "\ud83d"])
def test_lone_surrogates_are_refused_and_nothing_is_stored(app, client, text):
    with app.app_context():
        make_bank(types=["reflection"])
    api = Api(client)
    quizzes = api.get("/quizzes").get_json()["quizzes"]
    quiz_id = next(q["id"] for q in quizzes if q["mode"] == "practice")
    attempt = api.post(f"/quizzes/{quiz_id}/attempts").get_json()
    version_id = attempt["questions"][0]["version_id"]
    body = json.dumps({"version_id": version_id, "answer": text})
    response = client.post(
        f"/api/v1/attempts/{attempt['id']}/answers",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": api.token},
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


# --- 7. unshuffled quizzes never show the key's order -------------------------------------


def test_unshuffled_quiz_does_not_show_the_right_option_first(app, client, auth):
    with app.app_context():
        bank = make_bank(types=["single_choice", "multiple_choice"])
        quiz = make_quiz(bank, mode="practice", shuffle_options=False)
        quiz_id = quiz.id
        keys = {
            v.id: [o["text"] for o in v.payload["options"]]
            for v in db.session.scalars(select(QuestionVersion))
        }
    api = Api(client)
    attempt = api.post(f"/quizzes/{quiz_id}/attempts").get_json()
    seen = set()
    for question in attempt["questions"]:
        shown = [o["text"] for o in question["view"]["options"]]
        assert shown != keys[question["version_id"]]
        assert shown == sorted(shown, key=str.casefold)
        seen.add(tuple(shown))
    # Every learner sees the same order when the teacher turns shuffling off.
    other = Api(app.test_client())
    again = other.post(f"/quizzes/{quiz_id}/attempts").get_json()
    assert {tuple(o["text"] for o in q["view"]["options"]) for q in again["questions"]} == seen


# --- 8. the password change is rate-limited ----------------------------------------------


def test_password_change_is_rate_limited(client, auth):
    auth.create_user()
    auth.login()
    page = client.get("/account/password")
    token = csrf_token(page)
    statuses = [
        client.post(
            "/account/password",
            data={
                "csrf_token": token,
                "current": f"wrong password {n}",
                "password": "a new password 1",
                "confirm": "a new password 1",
            },
        ).status_code
        for n in range(12)
    ]
    assert statuses[0] == 400
    assert 429 in statuses
    # The right password still cannot be tried while the limit holds.
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "a new password 1",
            "confirm": "a new password 1",
        },
    )
    assert response.status_code == 429


# --- 9. deeply nested JSON ------------------------------------------------------------------


def _nested(depth: int) -> str:
    return '{"index": 0, "version_id": 1, "answer": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_a_clear_400_on_the_api(app, client, depth):
    with app.app_context():
        make_bank(types=["true_false"])
    api = Api(client)
    quizzes = api.get("/quizzes").get_json()["quizzes"]
    quiz_id = next(q["id"] for q in quizzes if q["mode"] == "practice")
    attempt = api.post(f"/quizzes/{quiz_id}/attempts").get_json()
    response = client.post(
        f"/api/v1/attempts/{attempt['id']}/answers",
        data=_nested(depth),
        content_type="application/json",
        headers={"X-CSRFToken": api.token},
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_deeply_nested_json_is_a_clear_400_on_live_answers(app, client, auth, clock):
    host = logged_in_host(client, auth, app).create(live_bank(app))
    player = join(app, host.pin, "Lea")
    host.act("next")
    clock.at(options_open(host), 1_000)
    response = player.client.post(
        f"/live/{host.live_id}/answer",
        data=_nested(100_000),
        content_type="application/json",
        headers={"X-CSRFToken": player.csrf, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    # The player can still answer properly afterwards.
    assert player.answer(0, 0).status_code == 200
