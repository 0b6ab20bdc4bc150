"""Accounts: registration, login, logout, password change, roles, first admin, limits."""

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, AuthActions, csrf_token


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_creates_account_and_logs_in(client, auth, app):
    response = auth.register()
    assert response.status_code == 302
    page = client.get("/")
    assert "Abmelden" in page.get_data(as_text=True)
    assert user_count(app) == 1
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role == "learner"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Ungültige E-Mail-Adresse."),
        ({"email": "a" * 250 + "@example.org"}, "Ungültige E-Mail-Adresse."),
        ({"display_name": ""}, "Dieses Feld wird benötigt."),
        ({"display_name": "x" * 81}, "Feld kann nicht länger als 80 Zeichen sein."),
        ({"password": "short", "confirm": "short"}, "Feld muss zwischen 10 und 128 Zeichen"),
        ({"password": "p" * 129, "confirm": "p" * 129}, "Feld muss zwischen 10 und 128 Zeichen"),
        ({"confirm": "something else entirely"}, "Die Passwörter stimmen nicht überein."),
    ],
)
def test_invalid_registration_shows_message_and_stores_nothing(client, auth, app, fields, message):
    response = auth.register(**fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert user_count(app) == 0


def test_duplicate_email_changes_nothing_and_is_answered_like_a_new_one(client, auth, app):
    auth.register()
    auth.logout()
    response = auth._register("ADA@example.org ", "Other", "another password 1")
    fresh = auth._register("new@example.org", "New", "another password 1")
    assert response.status_code == fresh.status_code == 302
    assert response.headers["Location"] == fresh.headers["Location"] == "/login"
    assert user_count(app) == 2
    assert auth.login(email="ada@example.org").status_code == 302


def test_login_and_logout(client, auth):
    auth.register()
    auth.logout()
    assert "Anmelden" in client.get("/").get_data(as_text=True)
    response = auth.login()
    assert response.status_code == 302
    assert "Abmelden" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "Abmelden" not in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_give_the_same_answer(client, auth):
    auth.register()
    auth.logout()
    wrong = auth.login(password="not the password")
    unknown = auth.login(email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400

    def strip(page):
        return re.sub(r'value="[^"]*"', "", page.get_data(as_text=True))

    assert strip(wrong) == strip(unknown)
    assert "E-Mail, Benutzername oder Passwort ist falsch." in wrong.get_data(as_text=True)


def test_old_session_cookie_stops_working_after_logout(client, auth, app):
    auth.register()
    stolen = client.get_cookie("session").value
    auth.logout()
    with app.test_client() as other:
        other.set_cookie("session", stolen)
        assert "Abmelden" not in other.get("/").get_data(as_text=True)


def test_password_change_ends_other_sessions(client, auth, app):
    auth.register()
    laptop = app.test_client()
    AuthActions(laptop, app).login()
    assert "Abmelden" in laptop.get("/").get_data(as_text=True)
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current": PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert "Abmelden" in client.get("/").get_data(as_text=True)
    assert "Abmelden" not in laptop.get("/").get_data(as_text=True)
    auth.logout()
    assert auth.login(password="a brand new password").status_code == 302


def test_login_rate_limit_per_address_gives_429(client, auth):
    responses = [
        auth.login(email=f"user{i}@example.org", password="wrong password") for i in range(11)
    ]
    assert [r.status_code for r in responses[:10]] == [400] * 10
    assert responses[10].status_code == 429
    assert "Zu viele Versuche" in responses[10].get_data(as_text=True)


def test_login_rate_limit_per_account(app, auth):
    auth._register("ada@example.org", "Ada", PASSWORD)
    codes = []
    for i in range(6):
        # A new address each time: only the per-account limit can stop this.
        with app.test_client() as c:
            c.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
            page = c.get("/login")
            codes.append(
                c.post(
                    "/login",
                    data={
                        "csrf_token": csrf_token(page),
                        "email": "ada@example.org",
                        "password": "x",
                    },
                ).status_code
            )
    assert codes == [400] * 5 + [429]


def _register_from(app, address: str, email: str) -> int:
    """Submit the registration form from a fresh browser at an address; return the status."""
    with app.test_client() as c:
        c.environ_base["REMOTE_ADDR"] = address
        page = c.get("/register")
        return c.post(
            "/register",
            data={
                "csrf_token": csrf_token(page),
                "email": email,
                "display_name": "Ada",
                "password": "short",  # refused by validation: only the limits are counted
                "confirm": "short",
            },
        ).status_code


def test_registration_rate_limit_per_address_gives_429(app):
    codes = [_register_from(app, "10.1.0.1", f"user{i}@example.org") for i in range(11)]
    assert codes == [400] * 10 + [429]
    assert _register_from(app, "10.1.0.2", "someone@example.org") == 400


def test_registration_rate_limit_per_account(app):
    codes = [_register_from(app, f"10.2.0.{i + 1}", "Ada@Example.org ") for i in range(6)]
    assert codes == [400] * 5 + [429]
    assert _register_from(app, "10.2.0.99", "bo@example.org") == 400


def test_post_without_csrf_token_is_refused(client, app):
    response = client.post(
        "/register",
        data={
            "email": "a@example.org",
            "display_name": "A",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert user_count(app) == 0


def test_learner_is_refused_on_admin_page(client, auth):
    auth.register()
    assert client.get("/admin/users").status_code == 403


def test_anonymous_is_sent_to_login_from_admin_page(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_setup_link_names_the_port_the_app_is_served_on(app, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    output = app.test_cli_runner().invoke(args=["setup-link"]).output
    assert "http://127.0.0.1:8123/setup/" in output
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://quiz.example.org")
    output = app.test_cli_runner().invoke(args=["setup-link"]).output
    assert "https://quiz.example.org/setup/" in output


def test_setup_link_creates_admin_once(client, app):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["setup-link"]).output
    path = re.search(r"http://[^/]+(/setup/\S+)", output).group(1)
    page = client.get(path)
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page),
        "email": "root@example.org",
        "display_name": "Root",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    assert client.post(path, data=data).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.email == "root@example.org")) == "admin"
        )
    with app.test_client() as other:
        assert other.get(path).status_code == 404
    assert "An admin account exists" in runner.invoke(args=["setup-link"]).output


def test_admin_makes_user_a_teacher(client, auth, app):
    learner_id = auth.create_user(email="lea@example.org", name="Lea")
    auth.create_user(email="root@example.org", name="Root", role="admin")
    auth.login(email="root@example.org")
    page = client.get("/admin/users")
    assert page.status_code == 200
    response = client.post(
        f"/admin/users/{learner_id}/role",
        data={"csrf_token": csrf_token(page), f"u{learner_id}-role": "teacher"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, learner_id).role == "teacher"
    # The confirmation names the role in German, not by its code.
    assert "Lea ist jetzt: Lehrkraft" in client.get("/admin/users").get_data(as_text=True)


def test_admin_user_list_comes_in_pages(client, auth, app):
    app.config["USERS_PER_PAGE"] = 2
    auth.create_user(email="root@example.org", name="Root", role="admin")
    for name in ("Anna", "Ben", "Cem"):
        auth.create_user(email=f"{name.lower()}@example.org", name=name)
    auth.login(email="root@example.org")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Root" in first and "Anna" in first and "Cem" not in first
    assert "Seite 1 von 2" in first and "?page=2" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Ben" in second and "Cem" in second and "Root" not in second
    assert client.get("/admin/users?page=9").status_code == 200


def test_users_create_command(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "T@Example.org",
            "--name",
            "T",
            "--role",
            "teacher",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.email == "t@example.org")) == "teacher"
        )


def test_next_parameter_cannot_leave_the_site(client, auth):
    auth.register()
    auth.logout()
    page = client.get("/login?next=//evil.example")
    response = client.post(
        "/login?next=//evil.example",
        data={"csrf_token": csrf_token(page), "email": "ada@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
