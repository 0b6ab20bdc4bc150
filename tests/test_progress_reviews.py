"""Spaced repetition: answers schedule FSRS cards; "Review now" and "Practise my mistakes"."""

from datetime import datetime, timedelta

import pytest
from fsrs import Rating
from sqlalchemy import func, select

from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Card, Quiz, User
from quizapp.services import progress, reviews
from quizapp.services.attempts import Owner
from quizapp.services.quizzes import published_versions
from quizapp.signals import answer_recorded
from tests.conftest import csrf_token
from tests.factories import make_attempt, make_bank, make_quiz

T0 = datetime(2026, 3, 2, 10, 0)


def _answer(user_id: int, question_id: int, score, at: datetime, elapsed_ms: int = 12_000):
    """Send the signal the attempts service sends, then commit as it does."""
    answer_recorded.send(
        None,
        user_id=user_id,
        question_id=question_id,
        version_id=None,
        score=score,
        elapsed_ms=elapsed_ms,
        answered_at=at,
    )
    db.session.commit()
    return db.session.scalar(
        select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )


@pytest.mark.parametrize(
    ("score", "elapsed_ms", "median_ms", "rating"),
    [
        (0.0, 5_000, None, Rating.Again),
        (0.4, 5_000, None, Rating.Again),
        (0.67, 5_000, None, Rating.Hard),
        (1.0, 5_000, None, Rating.Easy),
        (1.0, 12_000, None, Rating.Good),
        (1.0, 31_000, None, Rating.Hard),
        (1.0, 12_000, 10_000, Rating.Good),
        (1.0, 21_000, 10_000, Rating.Hard),
        (1.0, 7_000, 3_000, Rating.Easy),
        (1.0, None, None, Rating.Good),
    ],
)
def test_rating_from_correctness_and_time(score, elapsed_ms, median_ms, rating):
    assert reviews.rating_for(score, elapsed_ms, median_ms) == rating


def test_due_date_advances_after_good_answers_and_shrinks_after_a_lapse(ctx, auth):
    user_id = auth.create_user()
    question = make_bank().questions[0]

    card = _answer(user_id, question.id, 1.0, T0)
    first = card.due_at - T0
    assert first >= timedelta(days=1)

    at = card.due_at
    card = _answer(user_id, question.id, 1.0, at)
    second = card.due_at - at
    assert second > first

    at = card.due_at
    card = _answer(user_id, question.id, 0.0, at)
    after_lapse = card.due_at - at
    assert after_lapse < second
    assert (card.reviews, card.lapses) == (3, 1)
    assert card.last_review_at == at
    assert card.state["last_review"].startswith(at.isoformat())


def test_schedule_is_stored_and_read_back(ctx, auth):
    user_id = auth.create_user()
    question_id = make_bank().questions[0].id
    due = _answer(user_id, question_id, 1.0, T0).due_at
    # A fresh session (as after a restart) reads the same schedule and continues it.
    db.session.remove()
    card = db.session.scalar(select(Card).where(Card.user_id == user_id))
    assert card.due_at == due
    card = _answer(user_id, question_id, 1.0, due)
    assert card.reviews == 2
    assert card.due_at > due + (due - T0)


def test_unscored_reflection_makes_no_card(ctx, auth):
    user_id = auth.create_user()
    question = make_bank(types=["reflection"]).questions[0]
    assert _answer(user_id, question.id, None, T0) is None


def test_answering_in_a_quiz_schedules_a_card(ctx, auth):
    from quizapp.services.attempts import record_answer, start_attempt

    user_id = auth.create_user()
    bank = make_bank(types=["true_false"])
    attempt = start_attempt(make_quiz(bank), Owner.account(db.session.get(User, user_id)))
    record_answer(attempt, attempt.version_ids[0], False)
    card = db.session.scalar(select(Card).where(Card.user_id == user_id))
    assert card is not None
    assert card.question_id == bank.questions[0].id
    assert card.reviews == 1


def test_answer_speed_is_judged_against_the_learners_latest_answers(ctx, auth):
    slow, quick = timedelta(seconds=40), timedelta(seconds=6)
    user_id = auth.create_user()
    other_id = auth.create_user(email="other@example.org")
    bank = make_bank()
    quiz = make_quiz(bank)
    versions = published_versions(bank.id)[:5]
    assert reviews.median_answer_ms(user_id) is None
    for day in range(15):
        make_attempt(user_id, quiz, [(v, 1.0) for v in versions], T0 + timedelta(days=day), slow)
    make_attempt(other_id, quiz, [(v, 1.0) for v in versions], T0 + timedelta(days=30), quick)
    assert reviews.median_answer_ms(user_id) == 40_000
    for day in range(20, 32):
        make_attempt(user_id, quiz, [(v, 1.0) for v in versions], T0 + timedelta(days=day), quick)
    db.session.commit()
    assert reviews.median_answer_ms(user_id) == 6_000
    assert reviews.median_answer_ms(other_id) == 6_000


def test_a_right_but_slow_answer_for_this_learner_is_rated_hard(ctx, auth, monkeypatch):
    user_id = auth.create_user()
    bank = make_bank()
    quiz = make_quiz(bank)
    versions = published_versions(bank.id)[:5]
    make_attempt(user_id, quiz, [(v, 1.0) for v in versions], T0, timedelta(seconds=6))
    db.session.commit()
    ratings = []
    real = reviews.rating_for
    monkeypatch.setattr(
        reviews, "rating_for", lambda *args: ratings.append(real(*args)) or ratings[-1]
    )
    question_id = versions[0].question_id
    for elapsed in (5_000, 10_000, 20_000, 40_000):
        _answer(user_id, question_id, 1.0, T0 + timedelta(days=1), elapsed_ms=elapsed)
    # Quick: Easy; a little slower than usual: Good; over twice the usual 6 s: Hard; slow: Hard.
    assert ratings == [Rating.Easy, Rating.Good, Rating.Hard, Rating.Hard]


def test_review_queue_lists_due_cards_most_overdue_first(ctx, auth):
    user_id = auth.create_user()
    bank = make_bank()
    questions = {q.key: q for q in bank.questions}
    _answer(user_id, questions["rubio"].id, 1.0, T0)  # due in a few days
    _answer(user_id, questions["ort"].id, 0.0, T0 - timedelta(days=5))  # due long ago
    _answer(user_id, questions["mitglieder"].id, 0.0, T0)  # due tomorrow
    questions["art5-tf"].status = "retired"
    db.session.commit()
    _answer(user_id, questions["art5-tf"].id, 0.0, T0 - timedelta(days=9))  # retired: never due

    now = T0 + timedelta(days=1, hours=1)
    queue = reviews.review_queue(user_id, now=now)
    assert [item.question_id for item in queue] == [
        questions["ort"].id,
        questions["mitglieder"].id,
    ]
    assert queue[0].prompt == "Ergänze den Ort."
    assert reviews.due_count(user_id, now=now) == 2
    assert reviews.due_count(user_id, now=T0 + timedelta(days=60)) == 3


def test_another_learners_cards_are_not_in_my_queue(ctx, auth):
    me = auth.create_user()
    other = auth.create_user(email="bob@example.org", name="Bob")
    question = make_bank().questions[0]
    _answer(other, question.id, 0.0, T0)
    assert reviews.review_queue(me, now=T0 + timedelta(days=30)) == []


def test_review_session_asks_the_due_questions_across_banks(ctx, auth):
    user_id = auth.create_user()
    first, second = make_bank(), make_bank(slug="second")
    _answer(user_id, first.questions[0].id, 0.0, T0 - timedelta(days=3))
    _answer(user_id, second.questions[1].id, 0.0, T0 - timedelta(days=2))
    _answer(user_id, second.questions[2].id, 1.0, T0)  # not due yet

    attempt = progress.start_session(db.session.get(User, user_id), "review", "Wiederholen", now=T0)
    assert attempt.quiz.mode == "review"
    assert attempt.quiz.bank_id is None
    assert attempt.user_id == user_id
    assert attempt.version_ids == [
        first.questions[0].current_version_id,
        second.questions[1].current_version_id,
    ]


def test_mistakes_session_asks_what_i_keep_getting_wrong(ctx, auth):
    user_id = auth.create_user()
    bank = make_bank()
    v = {version.question.key: version for version in published_versions(bank.id)}
    quiz = make_quiz(bank)
    make_attempt(user_id, quiz, [(v["rubio"], 0.0), (v["ort"], 0.0)], at=T0)
    make_attempt(user_id, quiz, [(v["rubio"], 0.0), (v["ort"], 1.0)], at=T0 + timedelta(1))

    attempt = progress.start_session(db.session.get(User, user_id), "mistakes", "Fehler")
    assert attempt.quiz.mode == "mistakes"
    assert attempt.version_ids == [v["rubio"].id]


def test_nothing_to_practise_is_refused(ctx, auth):
    user = db.session.get(User, auth.create_user())
    make_bank()
    with pytest.raises(ServiceError):
        progress.start_session(user, "review", "Wiederholen")
    with pytest.raises(ServiceError):
        progress.start_session(user, "mistakes", "Fehler")
    assert db.session.scalar(select(Quiz).where(Quiz.mode.in_(["review", "mistakes"]))) is None


def test_review_page_shows_due_count_and_starts_a_review(client, auth, app):
    user_id = auth.create_user()
    with app.app_context():
        question_id = make_bank().questions[0].id
        _answer(user_id, question_id, 0.0, datetime(2026, 1, 1))
    auth.login()
    page = client.get("/review")
    text = page.get_data(as_text=True)
    assert "1 Frage ist fällig." in text
    assert "Wer nahm am 3. Dezember 2025 nicht am Treffen teil?" in text

    response = client.post("/review/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == user_id))
        assert attempt.quiz.mode == "review"
    assert response.headers["Location"] == f"/attempts/{attempt.id}"


def test_review_with_nothing_due_says_so(client, auth):
    auth.create_user()
    auth.login()
    page = client.get("/review")
    assert "0 Fragen sind fällig." in page.get_data(as_text=True)
    response = client.post(
        "/review/start", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )
    assert "Gerade ist nichts zu wiederholen." in response.get_data(as_text=True)


def test_starting_a_session_needs_the_csrf_token(client, auth, app):
    user_id = auth.create_user()
    with app.app_context():
        _answer(user_id, make_bank().questions[0].id, 0.0, datetime(2026, 1, 1))
    auth.login()
    response = client.post("/review/start", data={})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None


def test_mistakes_page_lists_and_starts(client, auth, app):
    user_id = auth.create_user()
    with app.app_context():
        bank = make_bank()
        version = published_versions(bank.id)[2]
        make_attempt(user_id, make_quiz(bank), [(version, 0.0)], at=T0)
        prompt = version.prompt
    auth.login()
    page = client.get("/mistakes")
    assert prompt in page.get_data(as_text=True)
    response = client.post("/mistakes/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/attempts/")


def test_review_now_twice_resumes_the_open_session(ctx, auth):
    user_id = auth.create_user()
    question_id = make_bank().questions[0].id
    _answer(user_id, question_id, 0.0, T0 - timedelta(days=3))
    user = db.session.get(User, user_id)
    first = progress.start_session(user, "review", "Wiederholen", now=T0)
    again = progress.start_session(user, "review", "Wiederholen", now=T0)
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Quiz.id))) == 1


def test_upcoming_names_the_next_due_time_and_counts_today_and_this_week(ctx, auth):
    user_id = auth.create_user()
    questions = make_bank().questions
    now = datetime(2026, 11, 25, 10, 0)  # a Wednesday, 11:00 in Berlin
    for question, due_at in zip(
        questions,
        [
            datetime(2026, 11, 25, 9, 0),  # due already
            datetime(2026, 11, 25, 20, 0),  # tonight, 21:00 in Berlin
            datetime(2026, 11, 27, 8, 0),  # Friday
            datetime(2026, 12, 1, 8, 0),  # next Tuesday
        ],
        strict=False,
    ):
        db.session.add(Card(user_id=user_id, question_id=question.id, due_at=due_at))
    db.session.commit()
    upcoming = reviews.upcoming(user_id, now)
    assert upcoming.next_due == datetime(2026, 11, 25, 20, 0)
    assert (upcoming.today, upcoming.this_week) == (2, 3)


def test_review_page_says_when_the_next_review_is_due(client, auth, app):
    user_id = auth.create_user()
    with app.app_context():
        question = make_bank().questions[0]
        db.session.add(
            Card(user_id=user_id, question_id=question.id, due_at=datetime(2099, 1, 1, 12))
        )
        db.session.commit()
    auth.login()
    text = client.get("/review").get_data(as_text=True).replace("\xa0", " ")
    assert "0 Fragen sind fällig." in text
    assert "Gerade ist nichts fällig. Schau am 01.01.2099, 13:00 wieder vorbei." in text
    assert "Bis heute Abend fällig: 0 Fragen" in text
