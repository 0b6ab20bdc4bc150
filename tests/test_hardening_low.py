"""The low defects of the hardening probe (issue 11), each through the real routes or CLI."""

import re
import threading

import pytest
from sqlalchemy import func, select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, LiveAnswer, Quiz, SchoolClass, User
from quizapp.services import attempts as attempt_service
from tests.conftest import csrf_token
from tests.factories import make_bank, make_quiz
from tests.test_live import join, live_bank, logged_in_host, options_open
from tests.test_live import scripted_clock as _scripted_clock

HUGE = "9" * 25  # beyond 2**63
TOKEN = r'value="[^"]{40,}"'


@pytest.fixture
def clock(app, monkeypatch):
    app.config["LIVE_TIMERS"] = False
    yield _scripted_clock(monkeypatch)
    app.config["LIVE_TIMERS"] = True


@pytest.fixture
def running(app, client, auth, clock):
    """A game with its first question open and one player, Lea."""
    host = logged_in_host(client, auth, app).create(live_bank(app))
    player = join(app, host.pin, "Lea")
    host.act("next")
    clock.at(options_open(host), 1_000)
    return host, player


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(LiveAnswer.id)))


# --- 1. live answers that are not a JSON object -----------------------------------------------


@pytest.mark.parametrize("body", ["[0, 1]", '"0"', "0", "null", "true", "{"])
def test_live_answer_body_that_is_no_object_is_a_clear_400(app, running, body):
    host, player = running
    response = player.client.post(
        f"/live/{host.live_id}/answer",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": player.csrf, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON" in response.get_json()["message"]
    assert _answers(app) == 0


# --- 2. positions and indexes that only look like numbers ------------------------------------


@pytest.mark.parametrize("index", [True, 0.5, "²", "0.0", -1, 10**30])
def test_live_answer_index_must_be_a_plain_integer(app, running, index):
    host, player = running
    right = player.option_ids(0)[0]
    response = player.client.post(
        f"/live/{host.live_id}/answer",
        json={"index": index, "answer": right},
        headers={"X-CSRFToken": player.csrf, "Accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.get_json()["message"]
    assert _answers(app) == 0


@pytest.mark.parametrize("seq", ["²", "-1", "1e3", HUGE])
def test_host_control_with_an_odd_seq_changes_nothing(app, running, seq):
    host, _player = running
    before = host.state()["seq"]
    page = host.client.get(f"/live/{host.live_id}/host")
    response = host.client.post(
        f"/live/{host.live_id}/control",
        data={"csrf_token": csrf_token(page), "action": "next", "seq": seq},
    )
    assert response.status_code == 302
    assert host.state()["seq"] == before


# --- 3. ids beyond any id ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/classes/{HUGE}",
        f"/live/{HUGE}/host",
        f"/live/{HUGE}/play",
        f"/live/{HUGE}/events",
        f"/progress/{HUGE}",
        f"/quizzes/{HUGE}",
        f"/attempts/{HUGE}/q/{HUGE}",
        f"/api/v1/attempts/{HUGE}",
        "/classes/0",
        f"/classes/{2**31}",
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "teacher"])
def test_ids_beyond_any_row_are_404(app, client, auth, path, who):
    if who == "teacher":
        auth.create_user(role="teacher")
        auth.login()
    assert client.get(path).status_code == 404


def _new_quiz_form(client, **fields):
    page = client.get("/quizzes/new?bank=nato-test")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page),
        "title": "Test",
        "selection": "all",
        "mode": "practice",
        "grading_method": "highest",
    }
    data.update(fields)
    return client.post("/quizzes/new?bank=nato-test", data=data)


@pytest.mark.parametrize(
    "fields",
    [
        {"class_id": HUGE},
        {"class_id": "²"},
        {"class_id": "-5"},
        {"due_at": "0001-01-01T00:30"},
        {"due_at": "9999-12-31T23:59"},
    ],
)
def test_quiz_settings_out_of_range_are_refused_with_a_message(app, client, auth, fields):
    with app.app_context():
        make_bank()
    auth.create_user(role="teacher")
    auth.login()
    response = _new_quiz_form(client, **fields)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Quiz.id))) == 0


# --- 5. the last admin stays admin; roles from the command line ----------------------------


def test_last_admin_cannot_demote_themselves(app, client, auth):
    admin_id = auth.create_user(email="admin@example.org", role="admin")
    auth.login(email="admin@example.org")
    page = client.get("/admin/users")
    response = client.post(
        f"/admin/users/{admin_id}/role",
        data={"csrf_token": csrf_token(page), f"u{admin_id}-role": "learner"},
    )
    assert response.status_code == 302
    assert "letzte Admin" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin_id).role == "admin"


def test_an_admin_can_demote_another_admin(app, client, auth):
    admin_id = auth.create_user(email="admin@example.org", role="admin")
    other_id = auth.create_user(email="admin2@example.org", role="admin")
    auth.login(email="admin@example.org")
    page = client.get("/admin/users")
    client.post(
        f"/admin/users/{other_id}/role",
        data={"csrf_token": csrf_token(page), f"u{other_id}-role": "teacher"},
    )
    with app.app_context():
        assert db.session.get(User, other_id).role == "teacher"
        assert db.session.get(User, admin_id).role == "admin"


def test_users_set_role_from_the_command_line(app, auth):
    auth.create_user(email="kim@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "set-role", "--email", "KIM@example.org ", "--role", "teacher"]
    )
    assert result.exit_code == 0, result.output
    assert "kim@example.org is now teacher" in result.output
    result = runner.invoke(
        args=["users", "set-role", "--email", "kim@example.org", "--role", "admin"]
    )
    assert result.exit_code == 0
    refused = runner.invoke(
        args=["users", "set-role", "--email", "kim@example.org", "--role", "learner"]
    )
    assert refused.exit_code == 1 and "last admin" in refused.output
    missing = runner.invoke(
        args=["users", "set-role", "--email", "no@example.org", "--role", "admin"]
    )
    assert missing.exit_code == 1 and "no such account" in missing.output
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.email == "kim@example.org")) == "admin"
        )


# --- 6. look-alike and invisible names ----------------------------------------------------


@pytest.mark.parametrize("twin", ["Ａｎｎａ", "Аnna", "АNNА", "𝐀𝐧𝐧𝐚", "Anna\u200b"])
def test_look_alike_nicknames_count_as_taken(app, client, auth, twin):
    host = logged_in_host(client, auth, app).create(live_bank(app))
    join(app, host.pin, "Anna")
    response = join(app, host.pin, twin, expect=400)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("\u3164\u3164\u3164", "Buchstaben"),
        ("\uffa0\uffa0", "Buchstaben"),
        ("A\u200bB", "Buchstaben, Ziffern"),
        ("2024", "mindestens einen Buchstaben"),
        ("Аrschloch", "freundlicheren"),  # Cyrillic А
        ("𝐀𝐫𝐬𝐜𝐡𝐥𝐨𝐜𝐡", "freundlicheren"),  # mathematical bold
        ("ｆｏｔｚｅ", "freundlicheren"),  # full width
    ],
)
def test_invisible_and_disguised_nicknames_are_refused(app, client, auth, nickname, message):
    host = logged_in_host(client, auth, app).create(live_bank(app))
    response = join(app, host.pin, nickname, expect=400)
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["\u200b", "\u3164\u3164", "10\u200bb", "2024"])
def test_class_names_need_a_visible_letter(app, client, auth, name):
    auth.create_user(role="teacher")
    auth.login()
    page = client.get("/classes")
    response = client.post("/classes/new", data={"csrf_token": csrf_token(page), "name": name})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(SchoolClass.id))) == 0


def test_class_names_are_stored_in_normal_form(app, client, auth):
    auth.create_user(role="teacher")
    auth.login()
    page = client.get("/classes")
    client.post("/classes/new", data={"csrf_token": csrf_token(page), "name": "Ｋｌａｓｓｅ 9b"})
    with app.app_context():
        assert db.session.scalar(select(SchoolClass.name)) == "Klasse 9b"


# --- 8. registering never tells whether an email has an account ---------------------------


def test_register_answers_alike_for_taken_and_new_emails(app, auth, client):
    auth.create_user(email="ada@example.org")

    def attempt(email):
        browser = app.test_client()
        page = browser.get("/register")
        response = browser.post(
            "/register",
            data={
                "csrf_token": csrf_token(page),
                "email": email,
                "display_name": "Eve",
                "password": "a password of eve",
                "confirm": "a password of eve",
            },
        )
        followed = browser.get(response.headers["Location"]).get_data(as_text=True)
        return response.status_code, response.headers["Location"], followed.replace(email, "")

    taken, new = attempt("ada@example.org"), attempt("eve@example.org")
    # The pages differ only in their CSRF tokens.
    assert taken[:2] == new[:2]
    assert re.sub(TOKEN, "", taken[2]) == re.sub(TOKEN, "", new[2])
    assert "sends no emails" in taken[2] or "keine E-Mails" in taken[2]
    # The existing account keeps its password; the new one works.
    assert auth.login(email="ada@example.org").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2


# --- 9. HSTS over HTTPS ---------------------------------------------------------------------


def test_hsts_only_when_cookies_are_secure(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        header = client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert header.startswith("max-age=") and int(header.split("=")[1].split(";")[0]) >= 15552000


# --- 10. concurrent starts where one attempt is allowed --------------------------------------


def test_concurrent_starts_make_one_attempt_where_one_is_allowed(app, auth, monkeypatch):
    """Threads with their own sessions start at once; each has read "1 left" before any stores
    its attempt (a barrier holds them there), as two quick clicks on two workers would."""
    with app.app_context():
        quiz_id = make_quiz(make_bank(), mode="exam", attempts_allowed=1).id
    user_id = auth.create_user(email="lea@example.org")
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    original = attempt_service.attempts_left

    def attempts_left_then_wait(quiz, owner):
        left = original(quiz, owner)
        try:
            barrier.wait(timeout=1.5)
        except threading.BrokenBarrierError:
            pass
        return left

    monkeypatch.setattr(attempt_service, "attempts_left", attempts_left_then_wait)
    outcomes = []

    def start():
        with app.app_context():
            try:
                attempt_service.start_attempt(
                    db.session.get(Quiz, quiz_id),
                    attempt_service.Owner.account(db.session.get(User, user_id)),
                )
                outcomes.append("started")
            except ServiceError as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["no_attempts_left"] * (threads_n - 1) + ["started"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
