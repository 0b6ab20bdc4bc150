"""A learner's own data: download it all (JSON, CSV), or delete the account."""

import csv
import io
import json
from datetime import datetime

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Card, LiveSession, Membership, Response, SchoolClass, User
from quizapp.services import reviews
from quizapp.services.quizzes import published_versions
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_attempt, make_bank, make_quiz

T0 = datetime(2026, 3, 2, 10, 0)


def _membership(app, user_id: int, teacher_id: int) -> None:
    """Put the user in a class of the teacher."""
    with app.app_context():
        school_class = SchoolClass(name="10b", join_code="J10B", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        db.session.add(Membership(class_id=school_class.id, user_id=user_id))
        db.session.commit()


def _scripted(app, user_id: int) -> None:
    """A finished attempt (right, wrong-with-formula, reflection) and a review card."""
    with app.app_context():
        bank = make_bank()
        v = {version.question.key: version for version in published_versions(bank.id)}
        attempt = make_attempt(
            user_id,
            make_quiz(bank),
            [(v["rubio"], 1.0), (v["ort"], 0.0), (v["nachdenken"], None)],
            at=T0,
        )
        answers = {"rubio": 0, "ort": ['=HYPERLINK("x")'], "nachdenken": "Frau K. sagt …"}
        for response in attempt.responses:
            response.answer = answers[response.version.question.key]
        reviews.record_review(user_id, v["rubio"].question_id, 1.0, 5000, T0)
        db.session.commit()


def test_export_json_has_account_attempts_answers_and_cards(client, auth, app):
    user_id = auth.create_user()
    other = auth.create_user(email="bob@example.org", name="Bob")
    teacher = auth.create_user(email="t@example.org", name="T", role="teacher")
    _scripted(app, user_id)
    _membership(app, user_id, teacher)
    with app.app_context():
        make_attempt(other, make_quiz(make_bank(slug="b2")), [], at=T0)
    auth.login()
    response = client.get("/me/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ada@example.org"
    assert data["classes"][0]["name"] == "10b"
    assert len(data["attempts"]) == 1
    answered = data["attempts"][0]["responses"]
    assert [r["question"] for r in answered] == ["rubio", "ort", "nachdenken"]
    assert answered[0]["prompt"] == "Wer nahm am 3. Dezember 2025 nicht am Treffen teil?"
    assert answered[0]["answered_at"].endswith("Z")
    assert answered[2]["answer"] == "Frau K. sagt …"
    assert [c["question"] for c in data["review_cards"]] == ["rubio"]


def test_export_csv_has_one_row_per_answer_and_defuses_formulas(client, auth, app):
    user_id = auth.create_user()
    _scripted(app, user_id)
    auth.login()
    response = client.get("/me/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["question"] for row in rows] == ["rubio", "ort", "nachdenken"]
    assert rows[0]["score"] == "1.0"
    assert rows[0]["correct"] == "true"
    assert rows[1]["answer"] == '["=HYPERLINK(\\"x\\")"]'
    assert rows[2]["score"] == ""


def test_formula_at_the_start_of_a_cell_is_quoted():
    from quizapp.spreadsheets import cell as _cell

    assert _cell("=1+1") == "'=1+1"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("Brüssel") == "Brüssel"
    assert _cell(-1.5) == -1.5


def test_export_needs_login(client):
    assert client.get("/me/export.json").status_code == 302
    assert client.get("/me/export.csv").status_code == 302


def _delete(client, password=PASSWORD):
    """Send the delete form."""
    page = client.get("/me/delete")
    return client.post("/me/delete", data={"csrf_token": csrf_token(page), "password": password})


def test_delete_account_keeps_attempts_only_anonymously(client, auth, app):
    user_id = auth.create_user()
    teacher = auth.create_user(email="t@example.org", name="T", role="teacher")
    _scripted(app, user_id)
    _membership(app, user_id, teacher)
    auth.login()

    response = _delete(client)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id) is None
        assert db.session.scalar(select(func.count(Card.id))) == 0
        assert db.session.scalar(select(func.count(Membership.id))) == 0
        attempt = db.session.scalar(select(Attempt))
        assert attempt.user_id is None
        assert attempt.score == 1.0
        answers = {r.version.question.key: r.answer for r in attempt.responses}
        assert answers["nachdenken"] is None  # free text is erased
        assert answers["rubio"] == 0
        assert db.session.scalar(select(func.count(Response.id))) == 3
    # Logged out: the old session no longer opens personal pages.
    assert client.get("/progress").status_code == 302
    assert auth.login().status_code == 400


def test_delete_with_wrong_password_changes_nothing(client, auth, app):
    user_id = auth.create_user()
    _scripted(app, user_id)
    auth.login()
    response = _delete(client, password="not my password")
    assert response.status_code == 400
    assert "Das Passwort ist falsch." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id) is not None
        assert db.session.scalar(select(Attempt.user_id)) == user_id
        assert db.session.scalar(select(func.count(Card.id))) == 1


def test_teacher_with_a_class_cannot_delete_before_removing_it(client, auth, app):
    teacher = auth.create_user(role="teacher")
    learner = auth.create_user(email="l@example.org", name="L")
    _membership(app, learner, teacher)
    auth.login()
    response = _delete(client)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Du leitest noch Klassen. Lösche sie zuerst auf der Seite „Klassen“." in page
    assert '<a href="/classes">Zu meinen Klassen</a>' in page
    with app.app_context():
        assert db.session.get(User, teacher) is not None
        assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_teacher_can_delete_the_account_after_deleting_the_class(client, auth, app):
    teacher = auth.create_user(role="teacher")
    learner = auth.create_user(email="l@example.org", name="L")
    _membership(app, learner, teacher)
    with app.app_context():
        class_id = db.session.scalar(select(SchoolClass.id))
    auth.login()
    assert _delete(client).status_code == 400

    url = f"/classes/{class_id}/delete"
    page = client.get(url)
    assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
    assert _delete(client).status_code == 302
    with app.app_context():
        assert db.session.get(User, teacher) is None
        assert db.session.get(User, learner) is not None
        assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_host_of_a_game_cannot_delete_before_removing_it(client, auth, app):
    host = auth.create_user(role="teacher")
    with app.app_context():
        quiz = make_quiz(make_bank())
        db.session.add(LiveSession(pin="123456", quiz_id=quiz.id, host_id=host))
        db.session.commit()
    auth.login()
    assert _delete(client).status_code == 400


def test_the_last_admin_cannot_delete_the_account(client, auth, app):
    admin = auth.create_user(role="admin")
    auth.login()
    response = _delete(client)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, admin) is not None
