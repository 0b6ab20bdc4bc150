"""Teachers change their quizzes: settings, questions picked one by one, duplicate, delete."""

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Question, QuestionVersion, Quiz
from tests.conftest import csrf_token
from tests.test_quiz_authoring import (
    FORM_DEFAULTS,
    bank,  # noqa: F401 (fixture)
    browser,
    created_quiz_id,
    start,
    started_attempt,
    submit_quiz_form,
    teacher,  # noqa: F401 (fixture)
    text,
)


@pytest.fixture
def learner(app):
    """A logged-in learner's browser and id."""
    return browser(app, "lea@example.org")


def _post(client, url, page, **data):
    """Send a form with the CSRF token of a page."""
    data["csrf_token"] = csrf_token(client.get(page))
    return client.post(url, data=data)


def _quiz(app, quiz_id) -> Quiz:
    """The quiz as stored."""
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        db.session.expunge(quiz)
        return quiz


def _edit(client, quiz_id, **fields):
    """Send the settings form of a quiz with the form's defaults and the given fields."""
    data = {**FORM_DEFAULTS, "review_now": ["score"], "review_after_due": ["score"]}
    data.update(fields)
    return _post(client, f"/quizzes/{quiz_id}/edit", f"/quizzes/{quiz_id}/edit", **data)


def test_settings_change_and_questions_lock_once_someone_started(app, bank, teacher, learner):  # noqa: F811
    """Before any attempt everything changes; afterwards the settings, not the questions."""
    client, _ = teacher
    quiz_id = created_quiz_id(submit_quiz_form(client, bank, title="Erst"))
    form = text(client.get(f"/quizzes/{quiz_id}/edit"))
    assert 'value="Erst"' in form
    assert _edit(client, quiz_id, title="Zweit", selection="random", count="3").status_code == 302
    assert (_quiz(app, quiz_id).title, _quiz(app, quiz_id).count) == ("Zweit", 3)
    started_attempt(learner[0], quiz_id)
    refused = _edit(client, quiz_id, title="Dritt", selection="all")
    assert refused.status_code == 400
    assert "nicht mehr ändern" in text(refused)
    assert (_quiz(app, quiz_id).title, _quiz(app, quiz_id).selection) == ("Zweit", "random")
    saved = _edit(client, quiz_id, title="Dritt", selection="random", count="3", mode="exam")
    assert saved.status_code == 302
    assert (_quiz(app, quiz_id).title, _quiz(app, quiz_id).mode) == ("Dritt", "exam")


def test_teacher_picks_questions_with_a_filter_and_orders_them(app, bank, teacher, learner):  # noqa: F811
    """Pick: filter by type and tag, add two, move the second up; attempts ask exactly those."""
    client, _ = teacher
    response = submit_quiz_form(client, bank, selection="pick", title="Auswahl")
    assert response.status_code == 302
    pick_url = response.headers["Location"]
    assert re.fullmatch(r"/quizzes/\d+/questions", pick_url)
    quiz_id = int(pick_url.split("/")[2])
    only_tf = text(client.get(pick_url + "?type=true_false&tag=topic-1"))
    with app.app_context():
        tf = db.session.scalars(
            select(Question)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(QuestionVersion.type == "true_false")
            .order_by(Question.position)
        ).all()
        topic1 = [q for q in tf if "topic-1" in q.tags]
        others = [q for q in tf if "topic-1" not in q.tags]
        prompts = {q.id: q.current.prompt for q in tf}
    assert all(prompts[q.id] in only_tf for q in topic1)
    assert not any(prompts[q.id] in only_tf for q in others)
    first, second = topic1[0].id, topic1[1].id
    for action, question in (("add", first), ("add", second), ("up", second)):
        _post(client, pick_url, pick_url, action=action, question_id=question)
    assert _quiz(app, quiz_id).question_ids == [second, first]
    page = text(client.get(pick_url))
    assert page.index(prompts[second]) < page.index(prompts[first])
    attempt_id = started_attempt(learner[0], quiz_id)
    with app.app_context():
        asked = db.session.get(Attempt, attempt_id).version_ids
        assert asked == [topic1[1].current_version_id, topic1[0].current_version_id]
    _post(client, pick_url, pick_url, action="remove", question_id=first)
    assert _quiz(app, quiz_id).question_ids == [second, first]  # locked now


def test_duplicate_copies_settings_and_chosen_questions_without_class(app, bank, teacher):  # noqa: F811
    """The copy has the settings, the picks and a new title, and no attempts."""
    client, _ = teacher
    quiz_id = created_quiz_id(submit_quiz_form(client, bank, title="Vorlage", mode="exam"))
    copied = _post(client, f"/quizzes/{quiz_id}/duplicate", f"/quizzes/{quiz_id}")
    assert copied.status_code == 302
    copy_id = int(copied.headers["Location"].split("/")[2])
    copy = _quiz(app, copy_id)
    assert copy_id != quiz_id
    assert (copy.title, copy.mode, copy.class_id) == ("Kopie von Vorlage", "exam", None)


def test_delete_removes_an_unused_quiz_and_archives_one_with_attempts(
    app,
    bank,  # noqa: F811
    teacher,  # noqa: F811
    learner,
):
    """Unused: gone. With attempts: out of the lists, not startable, attempts kept."""
    client, _ = teacher
    unused = created_quiz_id(submit_quiz_form(client, bank, title="Unbenutzt"))
    used = created_quiz_id(submit_quiz_form(client, bank, title="Benutzt"))
    started_attempt(learner[0], used)
    assert "endgültig gelöscht" in text(client.get(f"/quizzes/{unused}/delete"))
    assert "Ergebnisse bleiben" in text(client.get(f"/quizzes/{used}/delete"))
    for quiz_id in (unused, used):
        assert (
            _post(client, f"/quizzes/{quiz_id}/delete", f"/quizzes/{quiz_id}/delete").status_code
            == 302
        )
    with app.app_context():
        assert db.session.get(Quiz, unused) is None
        assert db.session.get(Quiz, used).archived_at is not None
        assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.quiz_id == used)) == 1
    mine = text(client.get("/quizzes/mine"))
    assert "Benutzt" not in mine and "Unbenutzt" not in mine
    with app.app_context():
        db.session.execute(
            Attempt.__table__.update().where(Attempt.quiz_id == used).values(finished_at=func.now())
        )
        db.session.commit()
    refused = start(learner[0], used)
    assert "gelöscht" in text(learner[0].get(refused.headers["Location"]))


def test_another_teacher_cannot_change_a_quiz(app, bank, teacher):  # noqa: F811
    """Settings, picks, copy and delete are the author's only."""
    client, _ = teacher
    quiz_id = int(
        submit_quiz_form(client, bank, selection="pick").headers["Location"].split("/")[2]
    )
    other, _ = browser(app, "arendt@example.org", "teacher")
    for path in ("edit", "questions", "delete"):
        assert other.get(f"/quizzes/{quiz_id}/{path}").status_code == 403
    assert _post(other, f"/quizzes/{quiz_id}/duplicate", "/quizzes/mine").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Quiz.id))) == 1
