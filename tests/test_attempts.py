"""Attempts as a service: start, answer once, time limits, scores, grading methods, guests."""

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp import grading
from quizapp.api.routes import status_of
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import Attempt, Quiz, Response, User
from quizapp.services import attempts as service
from quizapp.services.attempts import Owner
from quizapp.signals import answer_recorded
from tests.factories import make_bank, make_quiz, right_answer, wrong_answer

T0 = datetime(2026, 3, 1, 9, 0, 0)
GUEST = "guest-token-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def learner(ctx):
    """A stored learner account (no password needed for service tests)."""
    user = User(email="lea@example.org", display_name="Lea", password_hash="x", role="learner")
    db.session.add(user)
    db.session.commit()
    return user


def take(attempt, answers, start=T0, step=timedelta(seconds=5)):
    """Answer the attempt's questions in order with answer(version), one every `step`."""
    now = start
    for version in service.attempt_versions(attempt):
        now += step
        service.record_answer(attempt, version.id, answers(version), now=now)
    return now


def test_start_attempt_asks_the_quizs_selection(learner):
    quiz = make_quiz(make_bank(), time_limit_s=600)
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    versions = service.attempt_versions(attempt)
    assert len(versions) == 9
    assert attempt.user_id == learner.id
    assert attempt.deadline_at == T0 + timedelta(seconds=600)
    assert attempt.current_version_id == versions[0].id


def test_explicit_versions_override_the_selection(learner):
    quiz = make_quiz(make_bank())
    chosen = service.attempt_versions(service.start_attempt(quiz, Owner.account(learner)))[2:4]
    review = Quiz(title="Wiederholung", mode="review")
    db.session.add(review)
    db.session.commit()
    attempt = service.start_attempt(review, Owner.account(learner), versions=chosen)
    assert attempt.version_ids == [v.id for v in chosen]


def test_right_answers_score_every_gradable_question(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    end = take(attempt, right_answer)
    assert attempt.finished_at == end
    assert attempt.score == 8.0
    assert attempt.max_score == 8.0  # the reflection is not scored
    reflection = db.session.scalar(select(Response).where(Response.score.is_(None)))
    assert reflection.answer.startswith("Ich würde")


def test_elapsed_time_is_measured_on_the_server(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    first, second = service.attempt_versions(attempt)[:2]
    response = service.record_answer(
        attempt, first.id, right_answer(first), now=T0 + timedelta(seconds=7)
    )
    assert response.elapsed_ms == 7000
    # The next question's time starts when its page is served, not before.
    service.mark_shown(attempt, second.id, now=T0 + timedelta(seconds=20))
    service.mark_shown(attempt, second.id, now=T0 + timedelta(seconds=25))  # a reload
    response = service.record_answer(
        attempt, second.id, right_answer(second), now=T0 + timedelta(seconds=23, milliseconds=500)
    )
    assert response.elapsed_ms == 3500


def test_repeated_answer_changes_nothing(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    version = service.attempt_versions(attempt)[0]
    first = service.record_answer(attempt, version.id, wrong_answer(version), now=T0)
    again = service.record_answer(
        attempt, version.id, right_answer(version), now=T0 + timedelta(seconds=1)
    )
    assert (again.id, again.score, again.answer) == (first.id, 0.0, first.answer)
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_one_response_per_question_is_a_database_constraint(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    version_id = attempt.version_ids[0]
    db.session.add(Response(attempt_id=attempt.id, question_version_id=version_id, answer=0))
    db.session.commit()
    db.session.add(Response(attempt_id=attempt.id, question_version_id=version_id, answer=1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_concurrent_duplicate_loses_to_the_constraint(learner, monkeypatch):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    version = service.attempt_versions(attempt)[0]
    attempt_id, version_id = attempt.id, version.id
    original = service.sourced_version

    def racing(version_id):
        # Another request stores its answer between our check and our insert.
        with db.engine.begin() as other:
            other.execute(
                Response.__table__.insert().values(
                    attempt_id=attempt_id,
                    question_version_id=version_id,
                    answer=1,
                    score=0.0,
                    correct=False,
                    answered_at=T0,
                )
            )
        return original(version_id)

    monkeypatch.setattr(service, "sourced_version", racing)
    response = service.record_answer(attempt, version_id, right_answer(version), now=T0)
    assert (response.answer, response.score) == (1, 0.0)
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_late_answer_is_rejected_and_the_attempt_handed_in(learner):
    quiz = make_quiz(make_bank(), mode="exam", time_limit_s=60)
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    first, second = service.attempt_versions(attempt)[:2]
    service.record_answer(attempt, first.id, right_answer(first), now=T0 + timedelta(seconds=59))
    late = T0 + timedelta(seconds=60) + service.DEADLINE_GRACE + timedelta(milliseconds=1)
    with pytest.raises(ServiceError) as refused:
        service.record_answer(attempt, second.id, right_answer(second), now=late)
    assert refused.value.code == "time_up"
    assert attempt.finished_at == T0 + timedelta(seconds=60)
    assert (attempt.score, attempt.max_score) == (1.0, 8.0)
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_answer_within_the_grace_of_the_deadline_counts(learner):
    quiz = make_quiz(make_bank(), mode="exam", time_limit_s=60)
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    version = service.attempt_versions(attempt)[0]
    response = service.record_answer(
        attempt, version.id, right_answer(version), now=T0 + timedelta(seconds=61)
    )
    assert response.score == 1.0


def test_finished_attempt_takes_no_more_answers(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    service.finish_attempt(attempt, now=T0)
    version = service.attempt_versions(attempt)[0]
    with pytest.raises(ServiceError) as refused:
        service.record_answer(attempt, version.id, right_answer(version), now=T0)
    assert refused.value.code == "finished"
    assert (attempt.score, attempt.max_score) == (0.0, 8.0)


def test_malformed_answer_is_refused_with_the_grading_message(learner):
    quiz = make_quiz(make_bank(), selection="tag", tag="numeric")
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    with pytest.raises(ServiceError) as refused:
        service.record_answer(attempt, attempt.version_ids[0], "viele", now=T0)
    assert refused.value.code == "invalid_answer"
    assert status_of(refused.value) == 422
    assert refused.value.params["answer_error"].message == "Enter a number, e.g. 32 or 3,5."
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_question_outside_the_attempt_is_refused(learner):
    bank = make_bank()
    attempt = service.start_attempt(
        make_quiz(bank, selection="tag", tag="cloze"), Owner.account(learner), now=T0
    )
    other = service.start_attempt(
        make_quiz(bank, selection="tag", tag="numeric"), Owner.account(learner)
    )
    with pytest.raises(ServiceError) as refused:
        service.record_answer(attempt, other.version_ids[0], 32, now=T0)
    assert status_of(refused.value) == 404


def test_answer_recorded_is_sent_for_learners_only(learner):
    quiz = make_quiz(make_bank(), selection="tag", tag="single_choice")
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    answer_recorded.connect(listener)
    try:
        mine = service.start_attempt(quiz, Owner.account(learner), now=T0)
        version = service.attempt_versions(mine)[0]
        right = right_answer(version)
        service.record_answer(mine, version.id, right, now=T0 + timedelta(seconds=4))
        guests = service.start_attempt(quiz, Owner.guest(GUEST), now=T0)
        service.record_answer(guests, version.id, right, now=T0)
    finally:
        answer_recorded.disconnect(listener)
    assert received == [
        {
            "user_id": learner.id,
            "question_id": version.question_id,
            "version_id": version.id,
            "score": 1.0,
            "elapsed_ms": 4000,
            "answered_at": T0 + timedelta(seconds=4),
        }
    ]


def test_practice_waits_while_an_exam_with_its_questions_is_open(learner):
    bank = make_bank()
    exam = make_quiz(bank, mode="exam", title="Klassenarbeit NATO")
    practice = make_quiz(bank, mode="practice")
    owner = Owner.account(learner)
    in_progress = service.start_attempt(exam, owner, now=T0)

    # Practice would show the exam's right answers after each question: refused, nothing kept.
    with pytest.raises(ServiceError) as refused:
        service.start_attempt(practice, owner, now=T0 + timedelta(minutes=1))
    assert refused.value.code == "exam_in_progress"
    assert refused.value.params == {"quiz": "Klassenarbeit NATO"}
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
    # Another bank's questions, and another learner, practise as before.
    service.start_attempt(make_quiz(make_bank(slug="other")), owner, now=T0)
    service.start_attempt(practice, Owner.guest(GUEST), now=T0)
    # Handed in, the exam's questions can be practised.
    service.finish_attempt(in_progress, now=T0 + timedelta(minutes=2))
    assert service.start_attempt(practice, owner, now=T0 + timedelta(minutes=3)).id


@pytest.mark.parametrize("who", ["account", "guest"])
def test_practice_begun_before_the_exam_takes_no_answers_during_it(learner, who):
    bank = make_bank()
    owner = Owner.account(learner) if who == "account" else Owner.guest(GUEST)
    practice = service.start_attempt(make_quiz(bank, mode="practice"), owner, now=T0)
    versions = service.attempt_versions(practice)
    service.record_answer(practice, versions[0].id, right_answer(versions[0]), now=T0)
    exam = service.start_attempt(make_quiz(bank, mode="exam", title="Test"), owner, now=T0)

    with pytest.raises(ServiceError) as refused:
        service.record_answer(practice, versions[1].id, right_answer(versions[1]), now=T0)
    assert (refused.value.code, refused.value.params) == ("exam_in_progress", {"quiz": "Test"})
    assert db.session.scalar(select(func.count(Response.id))) == 1
    service.finish_attempt(exam, now=T0)
    service.record_answer(practice, versions[1].id, right_answer(versions[1]), now=T0)
    assert db.session.scalar(select(func.count(Response.id))) == 2


def test_an_exam_past_its_time_limit_no_longer_holds_practice_back(learner):
    bank = make_bank()
    exam = make_quiz(bank, mode="exam", time_limit_s=600)
    service.start_attempt(exam, Owner.account(learner), now=T0)
    practice = make_quiz(bank, mode="practice")
    later = T0 + timedelta(minutes=20)
    assert service.start_attempt(practice, Owner.account(learner), now=later).id


def test_attempts_allowed_is_enforced(learner):
    quiz = make_quiz(make_bank(), attempts_allowed=2)
    owner = service.Owner(user_id=learner.id)
    service.start_attempt(quiz, Owner.account(learner))
    assert service.attempts_left(quiz, owner) == 1
    service.start_attempt(quiz, Owner.account(learner))
    with pytest.raises(ServiceError) as refused:
        service.start_attempt(quiz, Owner.account(learner))
    assert refused.value.code == "no_attempts_left"


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 1.0), ("average", 0.5), ("first", 0.25), ("last", 0.25)],
)
def test_grading_method_across_attempts(learner, method, expected):
    quiz = make_quiz(
        make_bank(types=["multiple_choice", "single_choice", "true_false", "numeric"]),
        grading_method=method,
    )
    owner = service.Owner(user_id=learner.id)
    for right in (1, 4, 1):  # 1 of 4 right, all 4 right, 1 of 4 right
        attempt = service.start_attempt(quiz, Owner.account(learner))
        versions = service.attempt_versions(attempt)
        for n, version in enumerate(versions):
            answer = right_answer(version) if n < right else wrong_answer(version)
            service.record_answer(attempt, version.id, answer)
    assert service.quiz_result(quiz, owner) == pytest.approx(expected)


def test_unfinished_attempts_do_not_count_for_the_result(learner):
    quiz = make_quiz(make_bank())
    service.start_attempt(quiz, Owner.account(learner))
    assert service.quiz_result(quiz, service.Owner(user_id=learner.id)) is None


def test_open_attempt_is_resumed_until_its_time_runs_out(learner):
    quiz = make_quiz(make_bank(), mode="exam", time_limit_s=60)
    owner = service.Owner(user_id=learner.id)
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    assert service.open_attempt(quiz, owner, now=T0 + timedelta(seconds=30)) == attempt
    assert service.open_attempt(quiz, owner, now=T0 + timedelta(minutes=5)) is None
    assert attempt.finished_at == T0 + timedelta(seconds=60)


def test_guest_attempts_are_adopted_by_the_new_account(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.guest(GUEST), now=T0)
    someone_elses = service.start_attempt(quiz, Owner.guest(GUEST[::-1]), now=T0)
    assert service.Owner(guest_token=GUEST).owns(attempt)
    assert not service.Owner(user_id=learner.id).owns(attempt)
    assert service.adopt_guest_attempts(learner.id, GUEST) == 1
    assert (attempt.user_id, attempt.guest_token_hash) == (learner.id, None)
    assert service.Owner(user_id=learner.id).owns(attempt)
    assert not service.Owner(guest_token=GUEST).owns(attempt)
    assert someone_elses.user_id is None


def test_retry_asks_only_the_questions_answered_wrongly(learner):
    quiz = make_quiz(make_bank())
    attempt = service.start_attempt(quiz, Owner.account(learner), now=T0)
    versions = service.attempt_versions(attempt)
    wrong_types = {"numeric", "matching"}
    for version in versions:
        answer = wrong_answer(version) if version.type in wrong_types else right_answer(version)
        service.record_answer(attempt, version.id, answer, now=T0)
    retry = service.retry_wrong(attempt, Owner.account(learner), now=T0)
    assert {v.type for v in service.attempt_versions(retry)} == wrong_types
    assert retry.quiz.mode == "mistakes"
    assert service.shows_feedback_now(retry.quiz)


def test_shuffled_options_keep_their_ids_and_differ_between_attempts(learner):
    quiz = make_quiz(make_bank(types=["multiple_choice"]), shuffle_options=True)
    orders = set()
    for seed in range(8):
        attempt = service.start_attempt(quiz, Owner.account(learner), rng=random.Random(seed))
        version = service.attempt_versions(attempt)[0]
        view = service.present(attempt, version)
        ids = {grading.item_id(o["text"]) for o in version.payload["options"]}
        assert {o["id"] for o in view["options"]} == ids
        orders.add(tuple(o["id"] for o in view["options"]))
    assert len(orders) > 1


def test_bank_quizzes_are_made_once(ctx):
    bank = make_bank()
    practice = service.quiz_for_bank(bank, "practice")
    exam = service.quiz_for_bank(bank, "exam")
    assert service.quiz_for_bank(bank, "practice").id == practice.id
    assert (practice.mode, practice.time_limit_s) == ("practice", None)
    assert (exam.mode, exam.time_limit_s, exam.shuffle_options) == ("exam", 9 * 60, True)
    assert db.session.scalar(select(func.count(Quiz.id))) == 2
    assert db.session.scalar(select(func.count(Attempt.id))) == 0
