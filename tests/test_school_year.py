"""A class through the year: join link and QR, a new code, archiving, the gradebook as xlsx,
and reading free text (the teacher comments a reflection, the pupil sees the comment)."""

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from quizapp.models import Attempt, Quiz, SchoolClass
from quizapp.services.quizzes import published_versions
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_attempt, make_bank, make_quiz

TEACHER = "kant@example.org"
OTHER = "arendt@example.org"
LENA = "lena@example.org"


def _login(app, email):
    """Return a client logged in as the account."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _post(client, url, page, **data):
    """Send a form with the CSRF token of a page."""
    data["csrf_token"] = csrf_token(client.get(page))
    return client.post(url, data=data)


@pytest.fixture
def year(app, auth):
    """Kant's class with Lena in it, and his exam on a bank with a reflection question."""
    ids = {
        "kant": auth.create_user(email=TEACHER, name="Herr Kant", role="teacher"),
        "arendt": auth.create_user(email=OTHER, name="Frau Arendt", role="teacher"),
        "lena": auth.create_user(email=LENA, name="Lena"),
    }
    kant, lena = _login(app, TEACHER), _login(app, LENA)
    response = _post(kant, "/classes/new", "/classes", name="10b Politik")
    class_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        code = db.session.get(SchoolClass, class_id).join_code
        bank = make_bank(types=["true_false", "reflection"])
        quiz = make_quiz(bank, created_by_id=ids["kant"], class_id=class_id, mode="exam")
        ids.update(class_id=class_id, code=code, quiz=quiz.id)
    assert _post(lena, "/classes/join", "/classes", code=code).status_code == 302
    return ids


def test_join_link_with_qr_beside_the_code_fills_in_the_join_form(app, year):
    """The class page shows a join link and a QR code; the link pre-fills the code."""
    kant = _login(app, TEACHER)
    html = kant.get(f"/classes/{year['class_id']}").get_data(as_text=True)
    link = re.search(r'class="join-link" href="([^"]+)"', html).group(1)
    assert link.endswith(f"/classes?code={year['code']}")
    assert 'class="qr"><title>' in html
    page = _login(app, OTHER).get(link.split("localhost", 1)[-1]).get_data(as_text=True)
    assert f'value="{year["code"]}"' in page


def test_a_new_code_replaces_the_old_one(app, year, auth):
    """After 'New join code' the old code is unknown and the new one works."""
    kant = _login(app, TEACHER)
    page = f"/classes/{year['class_id']}"
    assert _post(kant, f"{page}/rotate-code", page).status_code == 302
    with app.app_context():
        new_code = db.session.get(SchoolClass, year["class_id"]).join_code
    assert new_code != year["code"]
    auth.create_user(email="max@example.org", name="Max")
    max_ = _login(app, "max@example.org")
    assert _post(max_, "/classes/join", "/classes", code=year["code"]).status_code == 400
    assert _post(max_, "/classes/join", "/classes", code=new_code).status_code == 302
    assert _post(_login(app, OTHER), f"{page}/rotate-code", "/classes").status_code == 403


def test_archived_class_is_read_only_and_out_of_the_lists(app, year):
    """Archived: gone from both lists, joins refused, no accounts or removals; restorable."""
    kant, lena = _login(app, TEACHER), _login(app, LENA)
    page = f"/classes/{year['class_id']}"
    assert _post(kant, f"{page}/archive", page).status_code == 302
    teacher_list = kant.get("/classes").get_data(as_text=True)
    assert "1 archivierte Klasse" in teacher_list
    assert "10b Politik" not in lena.get("/classes").get_data(as_text=True)
    assert _post(lena, "/classes/join", "/classes", code=year["code"]).status_code == 400
    made = _post(kant, f"{page}/pupils", page, names="Ole")
    assert made.status_code == 403
    removed = _post(kant, f"{page}/members/{year['lena']}/remove", page)
    assert "archiviert" in kant.get(removed.headers["Location"]).get_data(as_text=True)
    assert _post(kant, f"{page}/archive", page, restore="1").status_code == 302
    assert "10b Politik" in lena.get("/classes").get_data(as_text=True)


def test_gradebook_xlsx_reads_back_like_the_csv(app, year):
    """The workbook holds the same rows as the CSV, numbers as numbers."""
    with app.app_context():
        versions = published_versions(_bank_id(year))
        make_attempt(year["lena"], _quiz(year), [(versions[0], 1.0)], datetime(2026, 11, 3))
    kant = _login(app, TEACHER)
    response = kant.get(f"/classes/{year['class_id']}/gradebook.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Lernende*r"
    assert rows[1][:2] == ["Lena", 100]
    assert _login(app, LENA).get(f"/classes/{year['class_id']}/gradebook.xlsx").status_code == 403


def _quiz(year):
    """The year's quiz object."""
    return db.session.get(Quiz, year["quiz"])


def _bank_id(year):
    """The bank of the year's quiz."""
    return _quiz(year).bank_id


def test_teacher_comments_a_reflection_and_the_pupil_sees_it(app, year):
    """By question and by pupil; the comment and points appear on the pupil's results."""
    with app.app_context():
        versions = published_versions(_bank_id(year))
        reflection = next(v for v in versions if v.type == "reflection")
        attempt = make_attempt(
            year["lena"],
            _quiz(year),
            [(versions[0], 1.0), (reflection, None)],
            datetime(2026, 11, 3),
        )
        response = next(r for r in attempt.responses if r.question_version_id == reflection.id)
        response.answer = "Ich finde die Quelle einseitig."
        db.session.commit()
        response_id, attempt_id = response.id, attempt.id
    kant = _login(app, TEACHER)
    page = f"/quizzes/{year['quiz']}/reflections"
    html = kant.get(page).get_data(as_text=True)
    assert "Ich finde die Quelle einseitig." in html and "Lena" in html
    assert "Ich finde die Quelle einseitig." in kant.get(page + "?by=pupil").get_data(True)
    assert _login(app, OTHER).get(page).status_code == 403
    assert _login(app, LENA).get(page).status_code == 403
    token = re.search(rf'name="r{response_id}-csrf_token"[^>]*value="([^"]+)"', html).group(1)
    bad = kant.post(
        page,
        data={
            "response_id": response_id,
            f"r{response_id}-csrf_token": token,
            f"r{response_id}-comment": "Gut",
            f"r{response_id}-points": "11",
        },
    )
    assert bad.status_code == 400
    saved = kant.post(
        page,
        data={
            "response_id": response_id,
            f"r{response_id}-csrf_token": token,
            f"r{response_id}-comment": "Gut begründet!",
            f"r{response_id}-points": "2",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).finished_at is not None
    results = _login(app, LENA).get(f"/attempts/{attempt_id}/results").get_data(as_text=True)
    assert "Gut begründet!" in results and "Punkte: 2" in results
