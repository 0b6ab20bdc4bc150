"""Time the progress page and the review queue for a learner with 10,000 responses, and a
teacher's gradebook and item statistics for a class of 30 pupils × 20 quizzes × 20 questions.

The learner answered 500 questions (five banks of 100) in 1,000 attempts of ten answers
over 200 days; every question has an FSRS card. The class's 30 pupils each finished every
one of its 20 quizzes (20 questions each: 12,000 responses). Pages are fetched through the
Flask test client (logged in, so every query and the template rendering count); the median
of repeated requests and each page's number of SQL statements are printed as JSON. Uses
DATABASE_URL if set, else a fresh SQLite file.

    .venv/bin/python bench/progress.py
"""

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, update  # noqa: E402

from bench._common import csrf  # noqa: E402
from quizapp import create_app  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import (  # noqa: E402
    Attempt,
    Membership,
    Question,
    QuestionVersion,
    Response,
    SchoolClass,
    User,
)
from quizapp.security import hash_password  # noqa: E402
from quizapp.services import accounts, reviews  # noqa: E402
from tests.factories import add_questions, make_bank, make_quiz  # noqa: E402

BANKS = 5
QUESTIONS_PER_BANK = 100
ATTEMPTS = 1_000
PER_ATTEMPT = 10
REPEATS = 30
PASSWORD = "bench password 123"
START = datetime(2026, 1, 1, 8, 0)
PUPILS = 30
CLASS_QUIZZES = 20
CLASS_QUESTIONS = 20
TEACHER = "bench-teacher@example.org"


def build_history(rng: random.Random) -> int:
    """Store the learner, the banks and the responses; return the number of responses."""
    user = accounts.register("bench@example.org", "Bench", PASSWORD)
    versions_by_bank = []
    for n in range(BANKS):
        bank = make_bank(slug=f"bench-{n}", types=["true_false"])
        quiz = make_quiz(bank)
        versions = add_questions(bank, QUESTIONS_PER_BANK - 1, topics=8)
        versions_by_bank.append(
            (quiz.id, [v.id for v in versions] + [bank.questions[0].current_version_id])
        )
    attempts, answers = [], []
    for n in range(ATTEMPTS):
        quiz_id, version_ids = versions_by_bank[n % BANKS]
        chosen = rng.sample(version_ids, PER_ATTEMPT)
        started = START + timedelta(days=n * 200 // ATTEMPTS, minutes=rng.randrange(600))
        scores = [1.0 if rng.random() < 0.7 else 0.0 for _ in chosen]
        attempts.append(
            {
                "quiz_id": quiz_id,
                "user_id": user.id,
                "version_ids": chosen,
                "started_at": started,
                "finished_at": started + timedelta(seconds=20 * PER_ATTEMPT),
                "score": sum(scores),
                "max_score": float(PER_ATTEMPT),
            }
        )
        answers.append(list(zip(chosen, scores, strict=True)))
    ids = db.session.scalars(
        insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), attempts
    ).all()
    rows = []
    for attempt_id, attempt, given in zip(ids, attempts, answers, strict=True):
        for k, (version_id, score) in enumerate(given):
            rows.append(
                {
                    "attempt_id": attempt_id,
                    "question_version_id": version_id,
                    "answer": True,
                    "score": score,
                    "correct": score >= 1,
                    "answered_at": attempt["started_at"] + timedelta(seconds=20 * (k + 1)),
                    "elapsed_ms": rng.randrange(3_000, 40_000),
                }
            )
    db.session.execute(insert(Response), rows)
    db.session.commit()
    # Each question's card as the answer_recorded listener would have left it.
    latest = {}
    for row in rows:
        latest[row["question_version_id"]] = row
    question_ids = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.question_id).where(
                QuestionVersion.id.in_(list(latest))
            )
        ).all()
    )
    for version_id, row in latest.items():
        reviews.record_review(
            user.id, question_ids[version_id], row["score"], row["elapsed_ms"], row["answered_at"]
        )
    db.session.commit()
    return len(rows)


def build_class(rng: random.Random) -> dict:
    """Store a teacher's class: pupils, quizzes over one bank, every pupil's finished attempt
    of every quiz; return the ids the pages need."""
    teacher = accounts.register(TEACHER, "Bench Teacher", PASSWORD, role="teacher")
    school_class = SchoolClass(name="Bench 10b", join_code="BENCH234", teacher_id=teacher.id)
    db.session.add(school_class)
    digest = hash_password(PASSWORD)
    pupils = [
        User(username=f"pupil{n:02d}", display_name=f"Pupil {n:02d}", password_hash=digest)
        for n in range(PUPILS)
    ]
    db.session.add_all(pupils)
    db.session.flush()
    db.session.add_all(Membership(class_id=school_class.id, user_id=p.id) for p in pupils)
    bank = make_bank(slug="bench-class", types=["single_choice"])
    version_ids = [v.id for v in add_questions(bank, CLASS_QUESTIONS - 1, topics=4)]
    version_ids.append(bank.questions[0].current_version_id)
    quizzes = [
        make_quiz(
            bank, title=f"Quiz {n:02d}", class_id=school_class.id, created_by_id=teacher.id
        ).id
        for n in range(CLASS_QUIZZES)
    ]
    ability = {p.id: rng.random() for p in pupils}
    attempts, answers = [], []
    for n, quiz_id in enumerate(quizzes):
        for pupil in pupils:
            started = START + timedelta(days=n, minutes=rng.randrange(600))
            scores = [
                1.0 if rng.random() < 0.3 + 0.6 * ability[pupil.id] else 0.0 for _ in version_ids
            ]
            attempts.append(
                {
                    "quiz_id": quiz_id,
                    "user_id": pupil.id,
                    "version_ids": version_ids,
                    "started_at": started,
                    "finished_at": started + timedelta(minutes=10),
                    "score": sum(scores),
                    "max_score": float(len(scores)),
                }
            )
            answers.append(scores)
    ids = db.session.scalars(
        insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), attempts
    ).all()
    rows = [
        {
            "attempt_id": attempt_id,
            "question_version_id": version_id,
            "answer": bool(score),
            "score": score,
            "correct": score >= 1,
            "answered_at": attempt["started_at"] + timedelta(seconds=20 * (k + 1)),
            "elapsed_ms": 20_000,
        }
        for attempt_id, attempt, scores in zip(ids, attempts, answers, strict=True)
        for k, (version_id, score) in enumerate(zip(version_ids, scores, strict=True))
    ]
    db.session.execute(insert(Response), rows)
    db.session.commit()
    return {
        "class_id": school_class.id,
        "quiz_id": quizzes[0],
        "bank": bank.slug,
        "responses": len(rows),
    }


def statements(app, client, path: str) -> int:
    """Return how many SQL statements one request of the page runs."""
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def login(app, email: str):
    """Return a test client logged in as the account."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf(page)
    client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    return client


def p50(client, path: str) -> float:
    """Return the median time in ms of fetching a page (after one warm-up request)."""
    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return round(statistics.median(times), 1)


def main() -> None:
    """Build the history, log in, time both pages, print the figures."""
    folder = None
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="quizapp-bench-")
        os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(folder, "bench.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        responses = build_history(random.Random(5))
        school = build_class(random.Random(7))
    client = login(app, "bench@example.org")
    result = {
        "responses": responses,
        "progress_page_p50_ms": p50(client, "/progress"),
        "review_queue_p50_ms": p50(client, "/review"),
    }
    teacher = login(app, TEACHER)
    pages = {
        "gradebook": f"/classes/{school['class_id']}",
        "quiz_statistics": f"/quizzes/{school['quiz_id']}/statistics",
        "bank_statistics": f"/banks/{school['bank']}/statistics",
    }
    result["class"] = f"{PUPILS} pupils x {CLASS_QUIZZES} quizzes x {CLASS_QUESTIONS} questions"
    result["class_responses"] = school["responses"]
    for name, path in pages.items():
        result[f"{name}_p50_ms"] = p50(teacher, path)
        result[f"{name}_statements"] = statements(app, teacher, path)
    with app.app_context():
        db.session.remove()
        if folder is None:
            # question and question_version point at each other: cut that link first.
            db.session.execute(update(Question).values(current_version_id=None))
            db.session.commit()
            db.drop_all()
        db.engine.dispose()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
