"""What a learner's answer costs against the least this stack can do for one, in-process.

The learners' benchmark compares an answer's rate with /healthz's. This one says where the
gap is: the server CPU (ms) of requests through the Flask test client, on SQLite, with no
network and no load client:

- healthz: the app's health check (the reference of bench/learners.py);
- write: a JSON POST that stores one row and commits (the least an answer can be);
- statements: a JSON POST that runs the statements an answer needs, prebuilt, on the
  connection, and nothing else: the attempt with its quiz's rules, the answered questions
  and whether an exam is open (one statement), the question version with its source, the
  insert, the attempt's update, the commit (the guest's digest comes in the body, as a
  real answer has it from its cookie);
- answer: a real answer through /api/v1/attempts/<id>/answers (grading, feedback, checks).

Each ratio to healthz bounds what bench/learners.py can show: over HTTP each request costs
about the same fixed amount more, so a ratio there is a little higher than here.

    .venv/bin/python bench/answer_floor.py [--requests 2000]
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import jsonify, request  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.learners import setup_database, some_answer  # noqa: E402
from quizapp.extensions import csrf, db  # noqa: E402
from quizapp.models import Attempt  # noqa: E402
from quizapp.services import attempts  # noqa: E402

PROBE = text("INSERT INTO bench_probe (attempt_id) VALUES (:attempt_id)")
TOUCH = attempts._UPDATE_ATTEMPT.values(shown_at=None)


def write(attempt_id: int):
    """Store one row and commit."""
    request.get_json()
    db.session.connection().execute(PROBE, {"attempt_id": attempt_id})
    db.session.commit()
    return jsonify(ok=True)


def statements(attempt_id: int):
    """Run the statements of an answer and nothing else."""
    body = request.get_json()
    connection = db.session.connection()
    context = {"attempt_id": attempt_id, "guest_hash": body["guest_hash"]}
    connection.execute(attempts._ANSWER_CONTEXT_OF_GUEST, context).one()
    version = connection.execute(attempts._SOURCED_VERSION, body).one()
    connection.execute(PROBE, {"attempt_id": attempt_id})
    connection.execute(TOUCH, {"attempt_id": attempt_id})
    db.session.commit()
    return jsonify(ok=True, type=version.type)


def cpu_ms(call, count: int) -> float:
    """Server CPU per call (ms): the test client runs the app in this process."""
    for _ in range(min(100, count)):
        call()
    start = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - start) / count * 1000


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="quizapp-bench-")
    url = "sqlite:///" + os.path.join(folder, "bench.sqlite")
    slug = setup_database(url)
    os.environ.update(SECRET_KEY=secrets.token_hex(32), REDIS_URL="")
    from quizapp import create_app

    app = create_app()
    for view in (write, statements):
        rule = f"/bench/{view.__name__}/<int:attempt_id>"
        app.add_url_rule(rule, view_func=view, methods=["POST"])
        csrf.exempt(view)
    with app.app_context():
        db.session.execute(
            text("CREATE TABLE bench_probe (id INTEGER PRIMARY KEY, attempt_id INT)")
        )
        db.session.commit()

    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    quizzes = client.get("/api/v1/quizzes").get_json()["quizzes"]
    quiz_id = next(q["id"] for q in quizzes if q["bank"] == slug and q["mode"] == "practice")

    def start() -> dict:
        return client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers).get_json()

    attempt = start()
    with app.app_context():
        guest_hash = db.session.get(Attempt, attempt["id"]).guest_token_hash
    probe = {
        "version_id": attempt["questions"][0]["version_id"],
        "answer": None,
        "guest_hash": guest_hash,
    }
    figures = {
        "healthz": cpu_ms(lambda: client.get("/healthz"), args.requests),
        "write": cpu_ms(
            lambda: client.post(f"/bench/write/{attempt['id']}", json=probe), args.requests
        ),
        "statements": cpu_ms(
            lambda: client.post(f"/bench/statements/{attempt['id']}", json=probe), args.requests
        ),
    }

    # Real answers: whole attempts, each answer once (a repeated answer costs less).
    pending: list[tuple[int, dict]] = []

    def answer() -> None:
        if not pending:
            taken = start()
            pending.extend((taken["id"], q) for q in taken["questions"])
        attempt_id, question = pending.pop(0)
        body = {"version_id": question["version_id"], "answer": some_answer(question)}
        reply = client.post(f"/api/v1/attempts/{attempt_id}/answers", json=body, headers=headers)
        if reply.status_code != 200:
            raise RuntimeError(f"answer refused: {reply.status_code} {reply.get_data()[:200]}")

    # Starting the attempts is not part of an answer: time the answers alone.
    total, count = 0.0, 0
    for _ in range(args.requests):
        if not pending:
            answer()  # starts an attempt (and answers its first question), untimed
            continue
        begin = time.process_time()
        answer()
        total += time.process_time() - begin
        count += 1
    figures["answer"] = total / count * 1000

    healthz = figures["healthz"]
    print(
        json.dumps(
            {
                "cpu_ms": {name: round(value, 3) for name, value in figures.items()},
                "ratio_to_healthz": {
                    name: round(healthz / value, 3) for name, value in figures.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
