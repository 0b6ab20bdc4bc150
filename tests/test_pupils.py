"""Pupil accounts without email: made by the teacher, login cards, first login, reset."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Membership, SchoolClass, User
from tests.conftest import PASSWORD, csrf_token

TEACHER = "kant@example.org"
OTHER = "arendt@example.org"
NAMES = [f"Vorname{n} Nachname{n % 7}" for n in range(28)] + ["Jörg Müller", "Jörg Möller"]
CARD = re.compile(
    r'class="code card-username">([^<]+)</dd>.*?class="code card-password">([^<]+)</dd>', re.S
)


def _login(app, name, password=PASSWORD):
    """Return a new client logged in (the response of the login form as well)."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": name, "password": password}
    )
    return client, response


def _post(client, url, page, **data):
    """Send a form with the CSRF token of a page."""
    data["csrf_token"] = csrf_token(client.get(page))
    return client.post(url, data=data)


@pytest.fixture
def teachers(app, auth):
    """Two teachers, Kant with a class, both logged in; returns (kant, arendt, class id)."""
    auth.create_user(email=TEACHER, name="Herr Kant", role="teacher")
    auth.create_user(email=OTHER, name="Frau Arendt", role="teacher")
    kant, _ = _login(app, TEACHER)
    arendt, _ = _login(app, OTHER)
    response = _post(kant, "/classes/new", "/classes", name="10b Politik")
    class_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return kant, arendt, class_id


def _make(client, class_id, **data):
    """Send the pupil accounts form; return the response."""
    page = f"/classes/{class_id}/pupils"
    return _post(client, page, page, **data)


def test_thirty_pupils_from_a_list_get_unique_usernames_and_printable_cards(app, teachers):
    """30 names → 30 accounts in the class, unique usernames, no email, one card each."""
    kant, _, class_id = teachers
    response = _make(kant, class_id, names="\n".join(NAMES) + "\n\n")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    cards = CARD.findall(response.get_data(as_text=True))
    assert len(cards) == 30
    usernames = [u for u, _ in cards]
    assert len(set(usernames)) == 30
    assert all(re.fullmatch(r"[a-z0-9]+", u) for u in usernames)
    assert usernames[-2].startswith("joergm") and usernames[-1].startswith("joergm")
    with app.app_context():
        pupils = db.session.scalars(select(User).where(User.username.in_(usernames))).all()
        assert len(pupils) == 30
        assert all(p.email is None and p.must_change_password for p in pupils)
        in_class = db.session.scalars(
            select(Membership.user_id).where(Membership.class_id == class_id)
        )
        assert {p.id for p in pupils} == set(in_class)
    assert "svg" in response.get_data(as_text=True)  # the join QR


def test_a_number_of_accounts_and_bad_input_changes_nothing(app, teachers):
    """A number makes that many; neither names nor number, or too many, is refused."""
    kant, _, class_id = teachers
    assert len(CARD.findall(_make(kant, class_id, count="3").get_data(as_text=True))) == 3
    for data in ({}, {"count": "61"}, {"names": "\n".join(f"Kind {n}" for n in range(61))}):
        response = _make(kant, class_id, **data)
        assert response.status_code == 400
        assert 'class="errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(db.func.count(User.id)).where(User.username.is_not(None))) == 3
        )


def test_first_login_forces_an_own_password(app, teachers):
    """The card's password logs in once; every page asks for an own password first."""
    kant, _, class_id = teachers
    username, password = CARD.findall(_make(kant, class_id, names="Lena Berg").get_data(True))[0]
    pupil, response = _login(app, username, password)
    assert response.status_code == 302
    assert pupil.get("/classes").headers["Location"].endswith("/account/first-password")
    page = pupil.get("/account/first-password")
    short = pupil.post(
        "/account/first-password",
        data={"csrf_token": csrf_token(page), "password": "kurz", "confirm": "kurz"},
    )
    assert short.status_code == 400
    done = pupil.post(
        "/account/first-password",
        data={"csrf_token": csrf_token(page), "password": PASSWORD, "confirm": PASSWORD},
    )
    assert done.status_code == 302
    assert pupil.get("/classes").status_code == 200
    assert "10b Politik" in pupil.get("/classes").get_data(as_text=True)
    assert _login(app, username, password)[1].status_code == 400  # one-time: gone
    assert _login(app, username.upper(), PASSWORD)[1].status_code == 302


def test_teacher_resets_a_password_and_another_teacher_cannot(app, teachers):
    """Reset: a new one-time password, old sessions end; Arendt sees and resets nothing."""
    kant, arendt, class_id = teachers
    username, password = CARD.findall(_make(kant, class_id, names="Lena Berg").get_data(True))[0]
    pupil, _ = _login(app, username, password)
    with app.app_context():
        pupil_id = db.session.scalar(select(User.id).where(User.username == username))
    page = f"/classes/{class_id}/pupils"
    assert arendt.get(page).status_code == 403
    refused = _post(arendt, f"{page}/{pupil_id}/reset", "/classes")
    assert refused.status_code == 403
    assert "Lena Berg" in kant.get(page).get_data(as_text=True)
    reset = _post(kant, f"{page}/{pupil_id}/reset", page)
    assert reset.status_code == 200
    [(same, new_password)] = CARD.findall(reset.get_data(as_text=True))
    assert same == username and new_password != password
    assert pupil.get("/classes").status_code == 302  # logged out by the reset
    assert _login(app, username, password)[1].status_code == 400
    client, response = _login(app, username, new_password)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/account/first-password")
    with app.app_context():
        assert db.session.get(SchoolClass, class_id).teacher_id != pupil_id
