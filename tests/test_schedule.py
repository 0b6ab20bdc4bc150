"""Open and due dates that hold, and review options: what learners see after handing in."""

import json
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.dates import TIMEZONE
from quizapp.extensions import db
from quizapp.models import Attempt, Membership, Quiz, SchoolClass, utcnow
from quizapp.services import attempts as attempts_service
from tests.conftest import csrf_token
from tests.factories import make_bank, right_answer, wrong_answer
from tests.test_quiz_authoring import FORM_DEFAULTS, browser, created_quiz_id, start, text

EVERYTHING = ["score", "correctness", "answers", "explanations"]


def submit_quiz_form(client, slug: str, **fields):
    """Send the new-quiz form as a browser does: review boxes ticked unless given."""
    page = client.get(f"/quizzes/new?bank={slug}")
    data = {"review_now": EVERYTHING, "review_after_due": EVERYTHING, **FORM_DEFAULTS}
    data.update(fields)
    return client.post(f"/quizzes/new?bank={slug}", data={"csrf_token": csrf_token(page), **data})


@pytest.fixture
def school(app):
    """A teacher with a class, a learner in it, and a bank; returns their browsers and ids."""
    teacher, teacher_id = browser(app, "lehrerin@example.org", "teacher")
    learner, learner_id = browser(app, "lea@example.org")
    with app.app_context():
        school_class = SchoolClass(name="10b", join_code="ABCD2345", teacher_id=teacher_id)
        db.session.add(school_class)
        db.session.flush()
        db.session.add(Membership(class_id=school_class.id, user_id=learner_id))
        db.session.commit()
        slug = make_bank(types=["single_choice", "true_false"]).slug
        return {
            "teacher": teacher,
            "learner": learner,
            "learner_id": learner_id,
            "class_id": school_class.id,
            "slug": slug,
        }


def _local(moment) -> str:
    """A naive-UTC moment as the form's German local time."""
    return moment.replace(tzinfo=UTC).astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def _set(app, quiz_id, **values):
    """Change a quiz's columns directly (time passing)."""
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        for name, value in values.items():
            setattr(quiz, name, value)
        db.session.commit()


def _attempts(app, quiz_id) -> list[Attempt]:
    """The quiz's attempts."""
    with app.app_context():
        return list(db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz_id)))


def test_a_late_attempt_is_refused_when_the_teacher_says_so(app, school):
    """Past the due date with "refused": no attempt, a clear message, 409 in the API."""
    due = utcnow() + timedelta(days=1)
    response = submit_quiz_form(
        school["teacher"],
        school["slug"],
        class_id=school["class_id"],
        due_at=_local(due),
        late_policy="refuse",
        review_now=["score"],
    )
    quiz_id = created_quiz_id(response)
    _set(app, quiz_id, due_at=utcnow() - timedelta(minutes=5))
    refused = start(school["learner"], quiz_id)
    assert refused.status_code == 302
    page = school["learner"].get(refused.headers["Location"])
    assert "Der Abgabetermin ist vorbei" in text(page)
    assert _attempts(app, quiz_id) == []
    api = school["learner"].post(f"/api/v1/quizzes/{quiz_id}/attempts", json={})
    assert api.status_code in (403, 409)
    assert _attempts(app, quiz_id) == []


def test_late_attempts_are_accepted_and_marked_late_and_not_before_opening(app, school):
    """'Accepted': the attempt is marked late; before the open date nothing starts."""
    quiz_id = created_quiz_id(
        submit_quiz_form(
            school["teacher"],
            school["slug"],
            class_id=school["class_id"],
            due_at=_local(utcnow() + timedelta(days=2)),
            open_at=_local(utcnow() + timedelta(days=1)),
            late_policy="accept",
        )
    )
    start(school["learner"], quiz_id)
    assert _attempts(app, quiz_id) == []
    _set(app, quiz_id, open_at=utcnow() - timedelta(days=2), due_at=utcnow() - timedelta(days=1))
    assert start(school["learner"], quiz_id).headers["Location"].startswith("/attempts/")
    [attempt] = _attempts(app, quiz_id)
    assert attempt.late is True


def test_open_date_after_the_due_date_is_refused_and_nothing_is_stored(app, school):
    """A form that makes no sense names the field and stores no quiz."""
    response = submit_quiz_form(
        school["teacher"],
        school["slug"],
        class_id=school["class_id"],
        due_at=_local(utcnow() + timedelta(days=1)),
        open_at=_local(utcnow() + timedelta(days=3)),
    )
    assert response.status_code == 400
    assert "vor seinem Abgabetermin" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Quiz.id))) == 0


def test_an_exams_answers_stay_hidden_until_the_due_date(app, school):
    """Right after: only the score, in the page, the API and the learner's export; after the
    due date: right/wrong, right answers and explanations too."""
    response = submit_quiz_form(
        school["teacher"],
        school["slug"],
        mode="exam",
        class_id=school["class_id"],
        due_at=_local(utcnow() + timedelta(days=1)),
        review_now=["score"],
    )
    quiz_id = created_quiz_id(response)
    learner = school["learner"]
    attempt_id = int(start(learner, quiz_id).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        versions = attempts_service.attempt_versions(attempt)
        attempts_service.record_answer(attempt, versions[0].id, right_answer(versions[0]))
        attempts_service.record_answer(attempt, versions[1].id, wrong_answer(versions[1]))
        attempts_service.finish_attempt(attempt)
        solution_words = [str(v.explanation) for v in versions]
        wrong_prompt = versions[1].prompt
    page = text(learner.get(f"/attempts/{attempt_id}/results"))
    assert "1 von 2 Punkten" in page
    for hidden in ("Richtige Antwort", "Richtig!", "Erklärung", *solution_words):
        assert hidden not in page
    results = learner.get(f"/api/v1/attempts/{attempt_id}/results").get_json()
    assert results["score"] == 1 and results["review"] == ["score"]
    for question in results["questions"]:
        assert question["solution"] is None and question["explanation"] is None
        assert question["status"] == "hidden" and question["correct"] is None
    attempt_json = learner.get(f"/api/v1/attempts/{attempt_id}").get_json()
    assert all(
        q["feedback"]["solution"] is None for q in attempt_json["questions"] if q["answered"]
    )
    export = json.loads(learner.get("/me/export.json").get_data(as_text=True))
    [exported] = [a for a in export["attempts"] if a["id"] == attempt_id]
    assert exported["score"] == 1
    assert all(r["correct"] is None and r["score"] is None for r in exported["responses"])
    assert wrong_prompt not in text(learner.get("/mistakes"))

    _set(app, quiz_id, due_at=utcnow() - timedelta(minutes=1))
    page = text(learner.get(f"/attempts/{attempt_id}/results"))
    assert "Richtige Antwort" in page and "Richtig!" in page
    assert all(words in page for words in solution_words)
    results = learner.get(f"/api/v1/attempts/{attempt_id}/results").get_json()
    assert results["questions"][0]["status"] == "right"
    assert results["questions"][0]["solution"] is not None
    export = json.loads(learner.get("/me/export.json").get_data(as_text=True))
    [exported] = [a for a in export["attempts"] if a["id"] == attempt_id]
    assert [r["correct"] for r in exported["responses"]] == [True, False]
    assert wrong_prompt in text(learner.get("/mistakes"))


def test_start_page_lists_open_assignments_first_with_due_dates_and_status(app, school):
    """Late, in progress and not started come before done, each with its status in words."""
    with app.app_context():
        bank_id = db.session.scalar(select(Quiz.bank_id)) or make_bank(slug="b2").id
        now = utcnow()
        quizzes = {}
        for title, due in (
            ("Erledigt", now + timedelta(days=1)),
            ("Offen", now + timedelta(days=3)),
            ("Überfällig", now - timedelta(days=1)),
            ("Begonnen", now + timedelta(days=2)),
        ):
            quiz = Quiz(bank_id=bank_id, title=title, class_id=school["class_id"], due_at=due)
            db.session.add(quiz)
            db.session.flush()
            quizzes[title] = quiz.id
        db.session.add_all(
            [
                Attempt(
                    quiz_id=quizzes["Erledigt"],
                    user_id=school["learner_id"],
                    finished_at=now,
                    score=1,
                    max_score=1,
                ),
                Attempt(quiz_id=quizzes["Begonnen"], user_id=school["learner_id"]),
            ]
        )
        db.session.commit()
    page = text(school["learner"].get("/"))
    order = [page.index(title) for title in ("Überfällig", "Begonnen", "Offen", "Erledigt")]
    assert order == sorted(order)
    for status in ("verspätet: nicht abgegeben", "begonnen", "nicht begonnen", "erledigt"):
        assert status in page
    assert "Deine Aufgaben" not in text(school["teacher"].get("/"))
