"""Classes: a teacher creates one, learners join with its code, the teacher sees their progress."""

import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import event, func, select

from quizapp.extensions import db
from quizapp.models import Bank, Membership, Quiz, SchoolClass, User
from quizapp.services import classes as service
from quizapp.services.quizzes import published_versions
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_attempt, make_bank, make_quiz

TEACHER = "kant@example.org"
LENA = "lena@example.org"
MAX = "max@example.org"
JOIN_LIMIT = "10 per minute;50 per hour"


@dataclass
class Klasse:
    """What a test needs of a class: its id and code."""

    id: int
    code: str


def _login(app, email):
    """Return a new client (its own cookies) logged in as the account."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _post(client, url, page="/classes", **data):
    """Send a form with the CSRF token of a page."""
    data["csrf_token"] = csrf_token(client.get(page))
    return client.post(url, data=data)


def _create(app, client, name="10b Politik") -> Klasse:
    """Create a class through the form and return it."""
    response = _post(client, "/classes/new", name=name)
    assert response.status_code == 302
    class_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        return Klasse(class_id, db.session.get(SchoolClass, class_id).join_code)


def _join(client, code):
    """Send the join form."""
    return _post(client, "/classes/join", code=code)


def _members(app, class_id: int) -> set[int]:
    """Return the user ids in the class."""
    with app.app_context():
        query = select(Membership.user_id).where(Membership.class_id == class_id)
        return set(db.session.scalars(query))


def _count(app, model) -> int:
    """Return how many rows a table has."""
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def ids(auth):
    """A teacher and two learners, by name."""
    return {
        "kant": auth.create_user(email=TEACHER, name="Herr Kant", role="teacher"),
        "lena": auth.create_user(email=LENA, name="Lena"),
        "max": auth.create_user(email=MAX, name="Max"),
    }


@pytest.fixture
def kant(app, ids):
    """The teacher, logged in."""
    return _login(app, TEACHER)


@pytest.fixture
def lena(app, ids):
    """A learner, logged in."""
    return _login(app, LENA)


@pytest.fixture
def klasse(app, kant, lena) -> Klasse:
    """Herr Kant's class 10b, which Lena joined."""
    school_class = _create(app, kant)
    assert _join(lena, school_class.code).status_code == 302
    return school_class


@pytest.fixture
def join_limit(app):
    """Set the join limit for one test."""

    def set_limit(limit: str) -> None:
        app.config["CLASSES_JOIN_LIMIT"] = limit

    yield set_limit
    app.config["CLASSES_JOIN_LIMIT"] = JOIN_LIMIT


def test_teacher_creates_a_class_with_a_join_code(app, kant, ids):
    school_class = _create(app, kant, name="  10b   Politik ")
    with app.app_context():
        stored = db.session.get(SchoolClass, school_class.id)
        assert stored.name == "10b Politik"
        assert stored.teacher_id == ids["kant"]
    assert len(school_class.code) == 8
    assert set(school_class.code) <= set(service.CODE_ALPHABET)
    page = kant.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert "<h1>10b Politik</h1>" in page
    assert f'id="join-code">{school_class.code}<' in page
    assert "Noch ist niemand beigetreten." in page
    assert "10b Politik" in kant.get("/classes").get_data(as_text=True)


def test_class_without_a_name_is_not_created(app, kant):
    response = _post(kant, "/classes/new", name="   ")
    assert response.status_code == 400
    assert "Gib der Klasse einen Namen." in response.get_data(as_text=True)
    assert _count(app, SchoolClass) == 0


def test_learner_cannot_create_a_class(app, lena):
    assert "Klasse anlegen" not in lena.get("/classes").get_data(as_text=True)
    assert _post(lena, "/classes/new", name="Meine").status_code == 403
    assert _count(app, SchoolClass) == 0


def test_classes_page_needs_login(client):
    assert client.get("/classes").status_code == 302


def test_a_taken_join_code_is_drawn_again(ids, ctx, monkeypatch):
    teacher = db.session.get(User, ids["kant"])
    first = service.create_class(teacher, "9a")
    codes = iter([first.join_code, "QRST2345"])
    monkeypatch.setattr(service, "new_join_code", lambda: next(codes))
    assert service.create_class(teacher, "9b").join_code == "QRST2345"


def test_learner_joins_with_the_code_in_any_case_and_spacing(app, klasse, ids):
    max_ = _login(app, MAX)
    code = klasse.code.lower()
    assert _join(max_, f"  {code[:4]} {code[4:]}\t").status_code == 302
    page = max_.get("/classes").get_data(as_text=True)
    assert "Du bist jetzt in der Klasse „10b Politik“." in page
    assert "Lehrkraft: Herr Kant" in page
    assert _members(app, klasse.id) == {ids["lena"], ids["max"]}


def test_members_see_their_classes_quizzes(app, klasse, lena):
    with app.app_context():
        bank = make_bank()
        due = datetime(2031, 5, 4, 10, 0)
        mine = make_quiz(bank, title="Test zur NATO", class_id=klasse.id, due_at=due).id
        make_quiz(bank, title="Quiz einer anderen Klasse", class_id=None)
    page = lena.get("/classes").get_data(as_text=True)
    assert f'href="/quizzes/{mine}">Test zur NATO</a>' in page
    assert "fällig am 04.05.2031" in page
    assert "Quiz einer anderen Klasse" not in page
    assert lena.get(f"/quizzes/{mine}").status_code == 200


def test_joining_twice_changes_nothing(app, klasse, lena, ids):
    assert _join(lena, klasse.code).status_code == 302
    page = lena.get("/classes").get_data(as_text=True)
    assert "Du bist schon in der Klasse „10b Politik“." in page
    assert _members(app, klasse.id) == {ids["lena"]}


def test_wrong_code_says_so_and_changes_nothing(app, klasse, ids):
    max_ = _login(app, MAX)
    response = _join(max_, "ZZZZ9999")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Zu diesem Code gibt es keine Klasse." in page
    assert 'aria-invalid="true"' in page
    assert _join(max_, " ").status_code == 400
    assert _members(app, klasse.id) == {ids["lena"]}


def test_teacher_cannot_join_their_own_class(app, klasse, kant, ids):
    response = _join(kant, klasse.code)
    assert response.status_code == 400
    assert "Das ist deine eigene Klasse" in response.get_data(as_text=True)
    assert _members(app, klasse.id) == {ids["lena"]}


def test_another_teacher_may_join_a_class(app, klasse, auth):
    other = auth.create_user(email="arendt@example.org", name="Frau Arendt", role="teacher")
    assert _join(_login(app, "arendt@example.org"), klasse.code).status_code == 302
    assert other in _members(app, klasse.id)


def test_learner_is_refused_the_class_page_and_a_classmates_progress(app, klasse, ids):
    max_ = _login(app, MAX)
    assert _join(max_, klasse.code).status_code == 302
    assert max_.get(f"/classes/{klasse.id}").status_code == 403
    assert max_.get(f"/classes/{klasse.id}/delete").status_code == 403
    assert max_.get(f"/progress/{ids['lena']}").status_code == 403
    response = _post(max_, f"/classes/{klasse.id}/members/{ids['lena']}/remove")
    assert response.status_code == 403
    assert _members(app, klasse.id) == {ids["lena"], ids["max"]}


def test_teacher_sees_the_member_and_opens_their_progress(klasse, kant, ids):
    page = kant.get(f"/classes/{klasse.id}").get_data(as_text=True)
    assert f'href="/progress/{ids["lena"]}">Lena</a>' in page
    assert "noch kein Quiz" in page
    response = kant.get(f"/progress/{ids['lena']}")
    assert response.status_code == 200
    assert "Fortschritt von Lena" in response.get_data(as_text=True)


def test_teacher_of_another_class_is_refused(app, klasse, auth, ids):
    auth.create_user(email="arendt@example.org", name="Frau Arendt", role="teacher")
    arendt = _login(app, "arendt@example.org")
    _create(app, arendt, name="9a")
    assert arendt.get(f"/progress/{ids['lena']}").status_code == 403
    assert arendt.get(f"/classes/{klasse.id}").status_code == 403


def test_admin_opens_any_class(app, klasse, auth):
    auth.create_user(email="admin@example.org", name="Admin", role="admin")
    assert _login(app, "admin@example.org").get(f"/classes/{klasse.id}").status_code == 200


def test_missing_class_is_not_found(kant):
    assert kant.get("/classes/999").status_code == 404


def test_removed_member_is_no_longer_visible_to_the_teacher(app, klasse, kant, ids):
    page = f"/classes/{klasse.id}"
    response = _post(kant, f"{page}/members/{ids['lena']}/remove", page=page)
    assert response.status_code == 302
    assert "Lena ist nicht mehr in der Klasse." in kant.get(page).get_data(as_text=True)
    assert _members(app, klasse.id) == set()
    assert kant.get(f"/progress/{ids['lena']}").status_code == 403


def test_removing_someone_not_in_the_class_changes_nothing(app, klasse, kant, ids):
    page = f"/classes/{klasse.id}"
    _post(kant, f"{page}/members/{ids['max']}/remove", page=page)
    assert "nicht (mehr) in der Klasse" in kant.get(page).get_data(as_text=True)
    assert _members(app, klasse.id) == {ids["lena"]}


def test_remove_without_csrf_token_is_refused(app, klasse, kant, ids):
    response = kant.post(f"/classes/{klasse.id}/members/{ids['lena']}/remove")
    assert response.status_code == 400
    assert _members(app, klasse.id) == {ids["lena"]}


def test_delete_asks_first_then_deletes_memberships_and_unassigns_quizzes(app, klasse, kant, ids):
    with app.app_context():
        quiz_id = make_quiz(make_bank(), title="Test zur NATO", class_id=klasse.id).id
    page = kant.get(f"/classes/{klasse.id}").get_data(as_text=True)
    assert f'href="/quizzes/{quiz_id}">Test zur NATO</a>' in page
    url = f"/classes/{klasse.id}/delete"
    confirm = kant.get(url)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Die Klasse „10b Politik“ löschen?" in text
    assert "1 Mitglied verlässt die Klasse" in text
    assert "1 Quiz bleibt erhalten" in text
    assert _count(app, SchoolClass) == 1

    assert _post(kant, url, page=url).status_code == 302
    assert "Die Klasse „10b Politik“ ist gelöscht." in kant.get("/classes").get_data(as_text=True)
    assert _count(app, SchoolClass) == 0
    assert _count(app, Membership) == 0
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).class_id is None
    assert kant.get(f"/progress/{ids['lena']}").status_code == 403
    assert kant.get(f"/classes/{klasse.id}").status_code == 404


def test_delete_without_csrf_token_changes_nothing(app, klasse, kant):
    assert kant.post(f"/classes/{klasse.id}/delete").status_code == 400
    assert _count(app, SchoolClass) == 1


def test_learner_leaves_a_class(app, klasse, lena, kant, ids):
    assert _post(lena, f"/classes/{klasse.id}/leave").status_code == 302
    page = lena.get("/classes").get_data(as_text=True)
    assert "Du hast die Klasse „10b Politik“ verlassen." in page
    assert "Du bist in keiner Klasse." in page
    assert _members(app, klasse.id) == set()
    assert kant.get(f"/progress/{ids['lena']}").status_code == 403


def test_refused_joins_are_rate_limited_per_address(app, klasse, ids, join_limit):
    join_limit("3 per minute")
    max_ = _login(app, MAX)
    for _ in range(3):
        assert _join(max_, "ZZZZ9999").status_code == 400
    assert _join(max_, klasse.code).status_code == 429
    assert _members(app, klasse.id) == {ids["lena"]}


def test_a_whole_class_joining_from_one_address_is_not_limited(app, klasse, auth, join_limit):
    join_limit("2 per minute")
    for n in range(4):
        auth.create_user(email=f"s{n}@example.org", name=f"S{n}")
        assert _join(_login(app, f"s{n}@example.org"), klasse.code).status_code == 302
    assert len(_members(app, klasse.id)) == 5


def test_classes_page_in_english(lena, klasse):
    lena.post("/lang/en", data={"csrf_token": csrf_token(lena.get("/classes")), "next": "/"})
    page = lena.get("/classes").get_data(as_text=True)
    assert "Classes you are in" in page
    assert "Teacher: Herr Kant" in page


def test_members_come_with_their_last_activity_in_one_query(app, klasse, kant, ids):
    assert _join(_login(app, MAX), klasse.code).status_code == 302
    with app.app_context():
        quiz = make_quiz(make_bank())
        make_attempt(ids["lena"], quiz, [], at=datetime(2026, 3, 2, 10, 0))
        make_attempt(ids["lena"], quiz, [], at=datetime(2026, 3, 5, 10, 0), finished=False)
        db.session.commit()
        statements = []

        def count(*_args):
            statements.append(1)

        school_class = db.session.get(SchoolClass, klasse.id)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            members = service.members(school_class)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [(m.display_name, m.last_active_at) for m in members] == [
        ("Lena", datetime(2026, 3, 5, 10, 0)),
        ("Max", None),
    ]
    assert "zuletzt aktiv am 05.03.2026" in kant.get(f"/classes/{klasse.id}").get_data(as_text=True)


def _history(app, ids, klasse):
    """Two quizzes for the class (highest; average with a due date) and a scripted history."""
    with app.app_context():
        bank = make_bank()
        first, second = published_versions(bank.id)[:2]
        best = make_quiz(bank, title="Quiz A", class_id=klasse.id, grading_method="highest")
        mean = make_quiz(
            bank,
            title="Quiz B",
            class_id=klasse.id,
            grading_method="average",
            due_at=datetime(2026, 3, 4, 12, 0),
        )
        day = datetime(2026, 3, 2, 10, 0)
        make_attempt(ids["lena"], best, [(first, 1.0), (second, 0.0)], at=day)
        make_attempt(ids["lena"], best, [(first, 1.0), (second, 1.0)], at=day.replace(day=3))
        make_attempt(ids["lena"], mean, [(first, 0.0), (second, 0.0)], at=day)
        make_attempt(ids["lena"], mean, [(first, 1.0), (second, 1.0)], at=day.replace(day=3))
        make_attempt(ids["lena"], mean, [(first, 1.0)], at=day, finished=False)
        make_attempt(ids["max"], mean, [(first, 1.0), (second, 0.0)], at=day.replace(day=10))
        return best.id, mean.id


def test_gradebook_shows_each_members_result_by_the_quizs_grading_method(app, klasse, kant, ids):
    assert _join(_login(app, MAX), klasse.code).status_code == 302
    _history(app, ids, klasse)
    page = kant.get(f"/classes/{klasse.id}").get_data(as_text=True)
    book = page[page.index('<table class="gradebook">') : page.index("</table>")]
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in book.split("<tr>")[2:]]
    # Columns: the quiz with a due date first (B: average), then A (highest).
    assert rows[0] == ["Lena", "50", "%", "100", "%", "4"]
    assert rows[1] == ["Max", "50", "%", "(verspätet)", "–", "kein", "Ergebnis", "1"]
    assert rows[2][:6] == ["Mittelwert", "50", "%", "(2", "Ergebnisse)", "100"]
    csv_text = kant.get(f"/classes/{klasse.id}/gradebook.csv").get_data(as_text=True)
    header, *lines = csv_text.lstrip("\ufeff").splitlines()
    # A quiz with a due date has a second column saying whether the result is late.
    assert header == "Lernende*r,Quiz B,Quiz B: verspätet,Quiz A,Abgeschlossene Versuche"
    assert lines == [
        "Lena,50,nein,100,4",
        "Max,50,ja,,1",
        "Mitglieder mit Ergebnis,2,,1,",
        "Mittelwert,50,,100,",
    ]


def test_gradebook_is_for_the_classs_teacher_only_and_defuses_formulas(app, auth, klasse, lena):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == LENA))
        user.display_name = "=HYPERLINK()"
        db.session.commit()
    assert lena.get(f"/classes/{klasse.id}/gradebook.csv").status_code == 403
    auth.create_user(email="other@example.org", name="Frau Arendt", role="teacher")
    other = _login(app, "other@example.org")
    assert other.get(f"/classes/{klasse.id}/gradebook.csv").status_code == 403
    kant = _login(app, TEACHER)
    lines = kant.get(f"/classes/{klasse.id}/gradebook.csv").get_data(as_text=True).splitlines()
    assert lines[1].startswith("'=HYPERLINK()")


def test_gradebook_costs_the_same_queries_for_a_bigger_class(app, auth, kant):
    with app.app_context():
        bank_id = make_bank().id

    def page_statements(members: int, quizzes: int) -> int:
        school_class = _create(app, kant, name=f"Klasse {members}")
        with app.app_context():
            bank = db.session.get(Bank, bank_id)
            versions = published_versions(bank.id)[:2]
            made = [
                make_quiz(bank, title=f"Q{n}", class_id=school_class.id) for n in range(quizzes)
            ]
            for n in range(members):
                user_id = auth.create_user(email=f"m{members}-{n}@example.org", name=f"M{n}")
                db.session.add(Membership(class_id=school_class.id, user_id=user_id))
                for quiz in made:
                    make_attempt(user_id, quiz, [(v, 1.0) for v in versions], datetime(2026, 3, 2))
            db.session.commit()
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = kant.get(f"/classes/{school_class.id}").get_data(as_text=True)
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", count)
        assert page.count("100 %") >= members * quizzes
        return len(statements)

    assert page_statements(2, 1) == page_statements(10, 4)


def test_late_follows_the_attempts_that_make_the_result(app, klasse, ids):
    """Late when an attempt the grading method counts came after the due date: the last one
    for "last", the earliest best for "highest", the first for "first", any for "average"."""
    due = datetime(2026, 3, 4, 12, 0)
    before, after = datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 6, 10, 0)
    with app.app_context():
        bank = make_bank()
        first, second = published_versions(bank.id)[:2]
        scripts = {
            "last": [(0.5, before), (1.0, after)],
            "highest": [(1.0, before), (1.0, after)],
            "first": [(0.5, before), (1.0, after)],
            "average": [(1.0, before), (0.0, after)],
        }
        for method, attempts in scripts.items():
            quiz = make_quiz(
                bank, title=method, class_id=klasse.id, grading_method=method, due_at=due
            )
            for share, at in attempts:
                answers = [(first, 1.0), (second, 1.0 if share == 1.0 else 0.0)]
                make_attempt(ids["lena"], quiz, answers if share else [(first, 0.0)], at=at)
        book = service.gradebook(db.session.get(SchoolClass, klasse.id))
        assert [q.title for q in book.quizzes] == ["average", "first", "highest", "last"]
        (row,) = book.rows
        assert row.results == [0.5, 0.5, 1.0, 1.0]
        assert row.late == [True, False, False, True]
        assert row.finished == 8


def test_gradebook_leaves_out_people_no_longer_in_the_class(app, auth, klasse, kant, ids):
    assert _join(_login(app, MAX), klasse.code).status_code == 302
    with app.app_context():
        bank = make_bank()
        first = published_versions(bank.id)[0]
        quiz = make_quiz(bank, title="Quiz A", class_id=klasse.id)
        outsider = auth.create_user(email="gast@example.org", name="Gast")
        for user_id in (ids["lena"], ids["max"], outsider):
            make_attempt(
                user_id,
                quiz,
                [(first, 1.0 if user_id == ids["lena"] else 0.0)],
                at=datetime(2026, 3, 2),
            )
    assert (
        _post(
            kant, f"/classes/{klasse.id}/members/{ids['max']}/remove", page=f"/classes/{klasse.id}"
        ).status_code
        == 302
    )
    with app.app_context():
        book = service.gradebook(db.session.get(SchoolClass, klasse.id))
    assert [(r.display_name, r.results, r.finished) for r in book.rows] == [("Lena", [1.0], 1)]
    assert (book.counts, book.means) == ([1], [1.0])
    csv_text = kant.get(f"/classes/{klasse.id}/gradebook.csv").get_data(as_text=True)
    assert "Max" not in csv_text and "Gast" not in csv_text
