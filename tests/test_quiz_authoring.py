"""Teachers set up quizzes over a bank: selection, mode, limits, grading, class."""

import random
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Membership, Quiz, SchoolClass, User, utcnow
from quizapp.services import attempts as attempts_service
from quizapp.services.attempts import Owner
from quizapp.services.quizzes import QuizSettings, create_quiz, quizzes_by
from tests.conftest import AuthActions, csrf_token
from tests.factories import add_questions, make_attempt, make_bank, right_answer

# The factory bank has 9 published questions; add_questions adds 6 tagged topic-0 / topic-1.
BANK_SIZE = 15


@pytest.fixture
def bank(app):
    """The factory bank plus six true/false questions, three tagged topic-0 and three topic-1."""
    with app.app_context():
        bank = make_bank()
        add_questions(bank, 6, topics=2)
        return bank.slug


def browser(app, email: str, role: str = "learner"):
    """A separate browser logged in as a new user of the role; returns (client, user id)."""
    client = app.test_client()
    auth = AuthActions(client, app)
    user_id = auth.create_user(email=email, name=email.split("@")[0], role=role)
    assert auth.login(email=email).status_code == 302
    return client, user_id


@pytest.fixture
def teacher(app):
    """A logged-in teacher's browser and id."""
    return browser(app, "lehrerin@example.org", "teacher")


@pytest.fixture
def learner(app):
    """A logged-in learner's browser and id."""
    return browser(app, "lea@example.org")


def text(response) -> str:
    """The page's text as read (a non-breaking space reads as a space)."""
    return response.get_data(as_text=True).replace("\xa0", " ")


FORM_DEFAULTS = {
    "title": "",
    "selection": "all",
    "tag": "",
    "count": "",
    "mode": "practice",
    "shuffle_options": "y",
    "time_limit_minutes": "",
    "attempts_allowed": "",
    "grading_method": "highest",
    "class_id": "",
    "due_at": "",
}


def submit_quiz_form(client, slug: str, **fields):
    """Open the new-quiz form of the bank and send it with the given fields."""
    page = client.get(f"/quizzes/new?bank={slug}")
    assert page.status_code == 200
    data = {**FORM_DEFAULTS, **{k: str(v) for k, v in fields.items()}}
    return client.post(f"/quizzes/new?bank={slug}", data={"csrf_token": csrf_token(page), **data})


def created_quiz_id(response) -> int:
    """The id of the quiz the form redirected to."""
    assert response.status_code == 302, text(response)
    match = re.fullmatch(r"/quizzes/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def start(client, quiz_id: int):
    """Press "start" on the quiz page; return the response of the POST."""
    page = client.get(f"/quizzes/{quiz_id}")
    assert page.status_code == 200
    return client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token(page)})


def started_attempt(client, quiz_id: int) -> int:
    """Start the quiz and return the attempt id."""
    response = start(client, quiz_id)
    assert response.status_code == 302
    match = re.fullmatch(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def quiz_count() -> int:
    """How many quizzes are stored."""
    return db.session.scalar(select(func.count(Quiz.id)))


def _bank(slug: str) -> Bank:
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def test_learners_and_guests_cannot_open_the_quiz_form(app, client, bank, learner):
    learner_client, _ = learner
    assert learner_client.get(f"/quizzes/new?bank={bank}").status_code == 403
    assert learner_client.get("/quizzes/mine").status_code == 403
    assert client.get(f"/quizzes/new?bank={bank}").status_code == 302  # to the login


def test_unknown_bank_is_not_found(teacher):
    client, _ = teacher
    assert client.get("/quizzes/new?bank=no-such-bank").status_code == 404
    assert client.get("/quizzes/new").status_code == 404


def test_teacher_creates_a_quiz_by_tag_and_attempts_ask_only_that_tag(app, bank, teacher, learner):
    client, teacher_id = teacher
    form = client.get(f"/quizzes/new?bank={bank}")
    assert '<option value="topic-1">topic-1</option>' in text(form)
    quiz_id = created_quiz_id(
        submit_quiz_form(client, bank, title="Nur Thema 1", selection="tag", tag="topic-1")
    )
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.selection, quiz.tag, quiz.created_by_id) == ("tag", "topic-1", teacher_id)
        assert quiz.title == "Nur Thema 1"
    learner_client, _ = learner
    attempt_id = started_attempt(learner_client, quiz_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        tags = [
            attempts_service.attempt_version(attempt, v).question.tags for v in attempt.version_ids
        ]
    assert len(tags) == 3
    assert all("topic-1" in t for t in tags)


def test_random_selection_asks_n_questions(app, bank, teacher, learner):
    client, _ = teacher
    quiz_id = created_quiz_id(submit_quiz_form(client, bank, selection="random", count=4))
    learner_client, _ = learner
    attempt_id = started_attempt(learner_client, quiz_id)
    with app.app_context():
        version_ids = db.session.get(Attempt, attempt_id).version_ids
    assert len(version_ids) == len(set(version_ids)) == 4
    assert "4 Fragen, bei jedem Versuch zufällig" in text(learner_client.get(f"/quizzes/{quiz_id}"))


def test_shuffled_questions_come_in_different_orders(app, ctx, bank):
    teacher_id = AuthActions(app.test_client(), app).create_user(role="teacher")
    teacher = db.session.get(User, teacher_id)
    shuffled = create_quiz(teacher, _bank(bank), QuizSettings(shuffle_questions=True))
    in_order = create_quiz(teacher, _bank(bank), QuizSettings(shuffle_questions=False))

    def orders(quiz: Quiz, seeds: range) -> set[tuple[int, ...]]:
        return {
            tuple(
                attempts_service.start_attempt(
                    quiz, Owner.account(teacher), rng=random.Random(s)
                ).version_ids
            )
            for s in seeds
        }

    shuffled_orders = orders(shuffled, range(5))
    assert len(shuffled_orders) == 5
    assert {tuple(sorted(order)) for order in shuffled_orders} == {
        tuple(sorted(next(iter(shuffled_orders))))
    }
    assert len(next(iter(shuffled_orders))) == BANK_SIZE
    assert len(orders(in_order, range(3))) == 1


def test_start_is_refused_once_the_attempts_are_used_up(app, bank, teacher, learner):
    client, _ = teacher
    quiz_id = created_quiz_id(submit_quiz_form(client, bank, attempts_allowed=1))
    learner_client, _ = learner
    attempt_id = started_attempt(learner_client, quiz_id)
    page = learner_client.get(f"/attempts/{attempt_id}/q/1")
    learner_client.post(f"/attempts/{attempt_id}/finish", data={"csrf_token": csrf_token(page)})
    quiz_page = text(learner_client.get(f"/quizzes/{quiz_id}"))
    assert "Du hast alle erlaubten Versuche für dieses Quiz genutzt." in quiz_page
    assert "Quiz starten" not in quiz_page
    refused = start(learner_client, quiz_id)
    assert refused.status_code == 302
    followed = text(learner_client.get(refused.headers["Location"]))
    assert "Du hast alle erlaubten Versuche für dieses Quiz genutzt." in followed
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_average_grading_shows_the_average_on_the_quiz_page(app, bank, teacher, learner):
    client, _ = teacher
    quiz_id = created_quiz_id(submit_quiz_form(client, bank, grading_method="average"))
    learner_client, learner_id = learner
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        versions = attempts_service.select_versions(quiz)[:4]
        at = utcnow() - timedelta(days=1)
        make_attempt(learner_id, quiz, [(v, 1.0) for v in versions], at=at)
        make_attempt(learner_id, quiz, [(v, 0.0) for v in versions], at=at + timedelta(hours=1))
    page = text(learner_client.get(f"/quizzes/{quiz_id}"))
    assert "Dein Ergebnis in diesem Quiz: <strong>50&nbsp;%</strong>" in page
    assert "Durchschnitt aller Versuche" in page


def test_exam_time_limit_from_the_form_is_enforced(app, bank, teacher, learner):
    client, _ = teacher
    quiz_id = created_quiz_id(
        submit_quiz_form(client, bank, mode="exam", time_limit_minutes=10, shuffle_questions="y")
    )
    learner_client, _ = learner
    assert "Zeitlimit: 10 Minuten." in text(learner_client.get(f"/quizzes/{quiz_id}"))
    attempt_id = started_attempt(learner_client, quiz_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.quiz.mode == "exam"
        assert attempt.deadline_at - attempt.started_at == timedelta(minutes=10)
        version = attempts_service.attempt_version(attempt, attempt.version_ids[0])
        late = attempt.started_at + timedelta(minutes=11)
        with pytest.raises(ServiceError) as refused:
            attempts_service.record_answer(attempt, version.id, right_answer(version), now=late)
        assert refused.value.code == "time_up"
        assert attempt.finished_at == attempt.deadline_at


def other_teachers_class(app) -> int:
    """A class run by another teacher; returns its id."""
    with app.app_context():
        other = AuthActions(app.test_client(), app).create_user(
            email="anderer@example.org", role="teacher"
        )
        school_class = SchoolClass(name="8b", join_code="OTHER1", teacher_id=other)
        db.session.add(school_class)
        db.session.commit()
        return school_class.id


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"selection": "tag", "tag": "gibt-es-nicht"},
            "tag",
            "Keine veröffentlichte Frage dieser Fragenbank hat das Schlagwort „gibt-es-nicht“.",
        ),
        ({"selection": "tag"}, "tag", "Wähle ein Schlagwort."),
        (
            {"selection": "random", "count": 0},
            "count",
            f"Gib eine Zahl von 1 bis {BANK_SIZE} ein",
        ),
        (
            {"selection": "random", "count": BANK_SIZE + 1},
            "count",
            f"Gib eine Zahl von 1 bis {BANK_SIZE} ein",
        ),
        ({"selection": "random"}, "count", "Gib an, wie viele Fragen gezogen werden"),
        (
            {"time_limit_minutes": 500},
            "time_limit_minutes",
            "Gib ein Zeitlimit von 1 bis 180 Minuten ein",
        ),
        ({"time_limit_minutes": 0}, "time_limit_minutes", "Gib ein Zeitlimit von 1 bis 180"),
        ({"attempts_allowed": 21}, "attempts_allowed", "Versuche von 1 bis 20"),
        ({"class_id": "OTHER"}, "class_id", "Wähle eine deiner eigenen Klassen."),
        ({"class_id": 999999}, "class_id", "Wähle eine deiner eigenen Klassen."),
        ({"due_at": "2099-01-01T08:00"}, "due_at", "Ein Fälligkeitsdatum braucht eine Klasse"),
        ({"title": "x" * 301}, "title", "Der Titel ist zu lang"),
    ],
)
def test_invalid_settings_are_named_on_the_form_and_nothing_is_stored(
    app, bank, teacher, fields, field, message
):
    client, _ = teacher
    if fields.get("class_id") == "OTHER":
        fields = {**fields, "class_id": other_teachers_class(app)}
    response = submit_quiz_form(client, bank, **fields)
    assert response.status_code == 400
    page = text(response)
    errors = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page, re.S)
    assert errors, page
    assert message in errors.group(1)
    assert f'aria-describedby="{field}-error"' in page or f"{field}-hint {field}-error" in page
    with app.app_context():
        assert quiz_count() == 0


def test_invalid_settings_from_code_raise_and_store_nothing(app, ctx, bank):
    teacher = db.session.get(User, AuthActions(app.test_client(), app).create_user(role="teacher"))
    with pytest.raises(ServiceError) as refused:
        create_quiz(
            teacher,
            _bank(bank),
            QuizSettings(mode="live", grading_method="median", selection="tag", tag="nope"),
        )
    assert set(refused.value.params["errors"]) == {"mode", "grading_method", "tag"}
    assert quiz_count() == 0


def test_exam_without_time_limit_is_allowed(app, ctx, bank):
    """DESIGN §4: an exam's time limit is optional (an untimed exam suits homework)."""
    teacher = db.session.get(User, AuthActions(app.test_client(), app).create_user(role="teacher"))
    quiz = create_quiz(teacher, _bank(bank), QuizSettings(mode="exam"))
    assert (quiz.mode, quiz.time_limit_s) == ("exam", None)


def make_class(app, teacher_id: int, member_ids: list[int]) -> int:
    """A class of the teacher with the given members; returns its id."""
    with app.app_context():
        school_class = SchoolClass(name="7a", join_code="SEVENA", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        for user_id in member_ids:
            db.session.add(Membership(class_id=school_class.id, user_id=user_id))
        db.session.commit()
        return school_class.id


def test_class_quiz_is_only_for_the_class(app, client, bank, teacher, learner):
    teacher_client, teacher_id = teacher
    member_client, member_id = learner
    stranger_client, _ = browser(app, "fremd@example.org")
    admin_client, _ = browser(app, "admin@example.org", "admin")
    class_id = make_class(app, teacher_id, [member_id])
    form = text(teacher_client.get(f"/quizzes/new?bank={bank}"))
    assert f'<option value="{class_id}">7a</option>' in form
    quiz_id = created_quiz_id(
        submit_quiz_form(teacher_client, bank, class_id=class_id, due_at="2099-03-01T08:00")
    )
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        # Entered in German time (CET in March), stored in UTC.
        assert (quiz.class_id, quiz.due_at) == (class_id, datetime(2099, 3, 1, 7, 0))
    for outsider in (stranger_client, client):
        assert outsider.get(f"/quizzes/{quiz_id}").status_code == 404
        token = outsider.get("/api/v1/csrf").get_json()["csrf_token"]
        headers = {"X-CSRFToken": token}
        assert outsider.post(f"/quizzes/{quiz_id}/start", headers=headers).status_code == 404
        assert outsider.get(f"/api/v1/quizzes/{quiz_id}").status_code == 404
        refused = outsider.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={}, headers=headers)
        assert refused.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 0
    member_page = text(member_client.get(f"/quizzes/{quiz_id}"))
    assert "Für die Klasse „7a“." in member_page
    assert "Fällig bis: 01.03.2099, 08:00." in member_page
    assert "Teile diesen Link" not in member_page
    assert started_attempt(member_client, quiz_id)
    assert admin_client.get(f"/quizzes/{quiz_id}").status_code == 200
    teacher_page = text(teacher_client.get(f"/quizzes/{quiz_id}"))
    assert "Teile diesen Link" in teacher_page
    assert f'value="http://localhost/quizzes/{quiz_id}"' in teacher_page


def test_stranger_start_post_with_a_valid_token_is_not_found(app, bank, teacher):
    teacher_client, teacher_id = teacher
    stranger_client, _ = browser(app, "fremd@example.org")
    class_id = make_class(app, teacher_id, [])
    quiz_id = created_quiz_id(submit_quiz_form(teacher_client, bank, class_id=class_id))
    page = stranger_client.get("/")
    response = stranger_client.post(
        f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 404


def test_quiz_page_shows_every_rule(app, bank, teacher, learner):
    client, _ = teacher
    quiz_id = created_quiz_id(
        submit_quiz_form(
            client,
            bank,
            selection="tag",
            tag="topic-0",
            mode="exam",
            shuffle_questions="y",
            time_limit_minutes=20,
            attempts_allowed=3,
            grading_method="last",
        )
    )
    learner_client, _ = learner
    page = text(learner_client.get(f"/quizzes/{quiz_id}"))
    for rule in (
        "3 Fragen mit dem Schlagwort „topic-0“ aus der Fragenbank „NATO-Testbank“.",
        "Prüfung: Rückmeldung am Ende.",
        "Die Fragen kommen jedes Mal in neuer, zufälliger Reihenfolge.",
        "Die Antwortmöglichkeiten werden gemischt.",
        "Zeitlimit: 20 Minuten.",
        "Erlaubte Versuche: 3.",
        "Ergebnis: der letzte Versuch zählt.",
        "Quiz starten",
    ):
        assert rule in page, rule
    assert "Teile diesen Link" not in page
    open_quiz = created_quiz_id(submit_quiz_form(client, bank))
    page = text(learner_client.get(f"/quizzes/{open_quiz}"))
    for rule in (
        f"{BANK_SIZE} Fragen: alle veröffentlichten Fragen der Fragenbank „NATO-Testbank“.",
        "Übung: Rückmeldung nach jeder Frage.",
        "Kein Zeitlimit.",
        "Beliebig viele Versuche.",
    ):
        assert rule in page, rule


def test_teacher_lists_own_quizzes_with_share_links(app, bank, teacher):
    client, teacher_id = teacher
    first = created_quiz_id(submit_quiz_form(client, bank, title="Erstes Quiz"))
    second = created_quiz_id(submit_quiz_form(client, bank, title="Zweites Quiz", mode="exam"))
    other_client, _ = browser(app, "anderer@example.org", "teacher")
    created_quiz_id(submit_quiz_form(other_client, bank, title="Fremdes Quiz"))
    page = text(client.get("/quizzes/mine"))
    assert page.index("Zweites Quiz") < page.index("Erstes Quiz")
    assert "Fremdes Quiz" not in page
    for quiz_id in (first, second):
        assert f'value="http://localhost/quizzes/{quiz_id}"' in page
    with app.app_context():
        teacher = db.session.get(User, teacher_id)
        assert [q.id for q in quizzes_by(teacher)] == [second, first]


def test_bank_quizzes_and_retries_are_not_listed_as_the_teachers(app, bank, teacher):
    client, teacher_id = teacher
    with app.app_context():
        teacher_user = db.session.get(User, teacher_id)
        quiz = attempts_service.quiz_for_bank(_bank(bank), "practice")
        attempt = attempts_service.start_attempt(quiz, Owner.account(teacher_user))
        attempts_service.finish_attempt(attempt)
        attempts_service.retry_wrong(attempt, Owner.account(teacher_user), unanswered=True)
        assert quizzes_by(teacher_user) == []


def test_bank_page_links_teachers_to_the_quiz_form(app, client, bank, teacher, learner):
    teacher_client, _ = teacher
    learner_client, _ = learner
    link = f'href="/quizzes/new?bank={bank}"'
    page = text(teacher_client.get(f"/banks/{bank}"))
    assert link in page
    assert "Quiz aus dieser Fragenbank erstellen" in page
    assert link not in text(learner_client.get(f"/banks/{bank}"))
    assert link not in text(client.get(f"/banks/{bank}"))


def test_success_redirects_to_the_quiz_page_with_the_share_line(app, bank, teacher):
    client, _ = teacher
    response = submit_quiz_form(client, bank)
    quiz_id = created_quiz_id(response)
    page = text(client.get(response.headers["Location"]))
    assert "Das Quiz ist fertig." in page
    assert f'value="http://localhost/quizzes/{quiz_id}"' in page
    assert "Alle mit dem Link können das Quiz machen" in page
