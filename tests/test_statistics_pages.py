"""The item statistics pages and downloads of a teacher's quiz and of a bank."""

import csv
import io
from datetime import datetime, timedelta

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models import QuestionVersion, User
from tests.conftest import PASSWORD, csrf_token
from tests.factories import add_questions, make_attempt, make_bank, make_quiz

TEACHER = "kant@example.org"
OTHER = "arendt@example.org"
LEARNER = "lena@example.org"
MATRIX = [
    [1.0, 1.0, 1.0, 0.0],
    [1.0, 0.0, 0.5, 0.0],
    [1.0, 1.0, 1.0, 0.0],
    [0.0, 1.0, 0.0, 1.0],
    [1.0, 1.0, 0.5, 1.0],
    [0.0, 0.0, 0.0, 1.0],
]
START = datetime(2026, 11, 2, 8, 0)


def _login(app, email):
    """Return a client logged in as the account."""
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    return client


@pytest.fixture
def scripted(app, auth):
    """Kant's quiz of four questions, six learners' first attempts by MATRIX, and one second
    attempt (all right) by the first learner; returns the quiz id."""
    kant = auth.create_user(email=TEACHER, name="Herr Kant", role="teacher")
    auth.create_user(email=OTHER, name="Frau Arendt", role="teacher")
    auth.create_user(email=LEARNER, name="Lena")
    learners = [auth.create_user(email=f"l{n}@example.org", name=f"L{n}") for n in range(6)]
    with app.app_context():
        bank = make_bank(types=["single_choice"])
        versions = [db.session.get(QuestionVersion, v.id) for v in add_questions(bank, 4)]
        quiz = make_quiz(bank, created_by_id=kant, mode="exam")
        for n, (user, row) in enumerate(zip(learners, MATRIX, strict=True)):
            make_attempt(user, quiz, list(zip(versions, row, strict=True)), START + timedelta(n))
        make_attempt(learners[0], quiz, [(v, 1.0) for v in versions], START + timedelta(days=9))
        return quiz.id, bank.slug


def test_teacher_sees_facility_and_discrimination_of_first_attempts(app, scripted):
    """Figures on the page equal numpy's; the switch counts the second attempt too."""
    quiz_id, _ = scripted
    page = _login(app, TEACHER).get(f"/quizzes/{quiz_id}/statistics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    x = np.array(MATRIX)
    for column in range(4):
        assert f"{100 * x[:, column].mean():.1f} %" in html
    rest = x.sum(axis=1) - x[:, 3]
    assert f"{100 * np.corrcoef(x[:, 3], rest)[0, 1]:.1f} %" in html
    assert html.count('class="flag"') == 1  # the fourth question discriminates negatively
    assert '<dd id="fig-attempts">6</dd>' in html
    everything = _login(app, TEACHER).get(f"/quizzes/{quiz_id}/statistics?attempts=all")
    assert '<dd id="fig-attempts">7</dd>' in everything.get_data(as_text=True)


def test_nobody_else_sees_the_statistics(app, scripted):
    """Another teacher and a learner are refused; an unknown quiz is not found."""
    quiz_id, slug = scripted
    assert _login(app, OTHER).get(f"/quizzes/{quiz_id}/statistics").status_code == 403
    assert _login(app, OTHER).get(f"/quizzes/{quiz_id}/statistics.xlsx").status_code == 403
    assert _login(app, LEARNER).get(f"/quizzes/{quiz_id}/statistics").status_code == 403
    assert _login(app, LEARNER).get(f"/banks/{slug}/statistics").status_code == 403
    assert _login(app, TEACHER).get("/quizzes/999999/statistics").status_code == 404
    other_bank = _login(app, OTHER).get(f"/banks/{slug}/statistics").get_data(as_text=True)
    assert '<dd id="fig-attempts">0</dd>' in other_bank  # not Kant's learners' attempts


def test_statistics_download_as_csv_and_xlsx_read_back(app, scripted):
    """Both files hold the quiz figures and one row per question with its facility."""
    quiz_id, slug = scripted
    kant = _login(app, TEACHER)
    response = kant.get(f"/quizzes/{quiz_id}/statistics.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    book = load_workbook(io.BytesIO(kant.get(f"/quizzes/{quiz_id}/statistics.xlsx").data))
    sheet_rows = [[c for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    facilities = [round(100 * v, 2) for v in np.array(MATRIX).mean(axis=0)]
    for table in (rows, sheet_rows):
        header = next(i for i, r in enumerate(table) if r and r[0] in ("Frage", "Question"))
        items = table[header + 1 : header + 5]
        assert [float(r[3]) for r in items] == pytest.approx(facilities)
        assert int(table[1][1]) == 6
    assert f'href="/banks/{slug}/statistics"' in kant.get(f"/banks/{slug}").get_data(as_text=True)
    bank = kant.get(f"/banks/{slug}/statistics.xlsx")
    assert bank.status_code == 200 and bank.mimetype.endswith("spreadsheetml.sheet")


def test_statistics_cost_the_same_statements_for_a_bigger_class(app, auth):
    """3 or 12 learners, 4 or 8 questions: the page runs the same number of SQL statements."""
    kant = auth.create_user(email=TEACHER, name="Herr Kant", role="teacher")
    client = _login(app, TEACHER)

    def page_statements(learners: int, questions: int) -> int:
        with app.app_context():
            bank = make_bank(slug=f"b{learners}", types=["single_choice"])
            versions = add_questions(bank, questions)
            quiz = make_quiz(bank, created_by_id=kant)
            for n in range(learners):
                user = User(
                    email=f"p{learners}-{n}@example.org", display_name=f"P{n}", password_hash="x"
                )
                db.session.add(user)
                db.session.commit()
                scores = [float((n + k) % 2) for k in range(questions)]
                make_attempt(user.id, quiz, list(zip(versions, scores, strict=True)), START)
            quiz_id, engine = quiz.id, db.engine
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        event.listen(engine, "before_cursor_execute", counted)
        try:
            assert client.get(f"/quizzes/{quiz_id}/statistics").status_code == 200
            assert client.get(f"/banks/b{learners}/statistics").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    assert page_statements(3, 4) == page_statements(12, 8)
