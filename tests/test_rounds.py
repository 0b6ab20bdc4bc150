"""Practice rounds: the chosen length, and the questions the learner needs most come first."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Card, User
from quizapp.services import attempts, rounds
from quizapp.services.attempts import Owner
from tests.conftest import csrf_token
from tests.factories import make_bank, make_quiz, right_answer, wrong_answer

T0 = datetime(2026, 3, 1, 9, 0, 0)


@pytest.fixture
def learner(app):
    with app.test_request_context():
        user = User(email="lea@example.org", display_name="Lea", password_hash="x", role="learner")
        db.session.add(user)
        db.session.commit()
        yield user


def _answer(user, bank, versions_and_answers, now):
    """Take a practice attempt that answers exactly the given versions."""
    quiz = make_quiz(bank)
    attempt = attempts.start_attempt(
        quiz, Owner.account(user), versions=[v for v, _ in versions_and_answers], now=now
    )
    for version, raw in versions_and_answers:
        attempts.record_answer(attempt, version.id, raw, now=now)


@pytest.mark.parametrize("size, expected", [(5, 5), (10, 8), (None, 8)])
def test_a_round_has_the_chosen_length(learner, size, expected):
    bank = make_bank()  # eight scored questions and a reflection, which a round leaves out
    versions = rounds.round_versions(bank, Owner.account(learner), size, now=T0)
    assert len(versions) == expected
    assert "reflection" not in {v.type for v in versions}


def test_due_reviews_then_mistakes_then_new_questions_then_the_rest(learner):
    bank = make_bank()
    owner = Owner.account(learner)
    first = rounds.round_versions(bank, owner, None, now=T0)
    due, mistake, known = first[5], first[6], first[7]
    _answer(learner, bank, [(due, right_answer(due)), (known, right_answer(known))], T0)
    _answer(learner, bank, [(mistake, wrong_answer(mistake))], T0 + timedelta(minutes=1))
    card = db.session.scalar(
        select(Card).where(Card.user_id == learner.id, Card.question_id == due.question_id)
    )
    card.due_at = T0 - timedelta(days=1)
    db.session.commit()

    order = rounds.round_versions(bank, owner, None, now=T0 + timedelta(hours=1))
    assert order[0].id == due.id
    assert order[1].id == mistake.id
    assert [v.id for v in order[2:7]] == [v.id for v in first[:5]]  # new ones, in bank order
    assert order[-1].id == known.id
    assert [v.id for v in rounds.round_versions(bank, owner, 2, now=T0 + timedelta(hours=1))] == [
        due.id,
        mistake.id,
    ]


def test_a_round_of_one_tag_or_one_claim(learner):
    bank = make_bank()
    owner = Owner.account(learner)
    only = rounds.round_versions(bank, owner, None, tag="cloze", now=T0)
    assert [v.type for v in only] == ["cloze"]
    claim = only[0].question.claim
    of_claim = rounds.round_versions(bank, owner, None, claim_key=claim.key, now=T0)
    assert of_claim and all(v.question.claim_id == claim.id for v in of_claim)


def test_bank_page_starts_a_round_of_the_chosen_length(app, client):
    with app.app_context():
        make_bank()
    page = client.get("/quiz/nato-test")
    html = page.get_data(as_text=True)
    assert "Übungsrunde" in html and 'value="10" checked' in html
    sent = client.post("/quiz/nato-test/round", data={"csrf_token": csrf_token(page), "size": "5"})
    assert sent.status_code == 302
    attempt_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert len(db.session.get(Attempt, attempt_id).version_ids) == 5
    first = client.get(f"/attempts/{attempt_id}/q/1").get_data(as_text=True)
    assert "Frage 1 von 5" in first


@pytest.mark.parametrize("data", [{"size": "7"}, {"focus": "tag:nope"}, {"focus": "x:y"}])
def test_a_round_with_a_bad_choice_is_refused(app, client, data):
    with app.app_context():
        make_bank()
    page = client.get("/quiz/nato-test")
    sent = client.post("/quiz/nato-test/round", data={"csrf_token": csrf_token(page), **data})
    assert sent.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None


def test_a_finished_round_shows_on_the_progress_page(app, client, auth):
    auth.register(email="lena@example.org", name="Lena")
    with app.app_context():
        make_bank()
    page = client.get("/quiz/nato-test")
    sent = client.post("/quiz/nato-test/round", data={"csrf_token": csrf_token(page), "size": "5"})
    attempt_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        versions = attempts.attempt_versions(attempt)
        for version in versions[:4]:
            attempts.record_answer(attempt, version.id, right_answer(version))
        attempts.record_answer(attempt, versions[4].id, wrong_answer(versions[4]))
    assert client.get(f"/attempts/{attempt_id}").headers["Location"].endswith("/results")

    progress = client.get("/progress").get_data(as_text=True).replace("\xa0", " ")
    assert progress.count("<circle ") == 1
    table = progress[progress.index('class="chart-table') :]
    assert "Übungsrunde" in table and "80 %" in table
