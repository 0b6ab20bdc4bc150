"""Concurrent learners taking whole practice attempts over HTTP, against /healthz the same way.

Starts the app as `make run` does (gunicorn.conf.py: one gevent worker) on SQLite in a
temporary folder, imports the seed bank (or the test factories' bank if it cannot be
imported), then N simulated learners (default 50, each a guest behind its own address, as
behind a proxy) start a practice attempt through the JSON API and answer every question
back to back. Each answer's latency is measured;
then the same N clients fetch /healthz the same number of times. Prints one JSON line.

    .venv/bin/python bench/learners.py [--learners 50] [--attempts 1]

The learners are greenlets (gevent), not OS threads: with 50 threads the client's own GIL
switching (5 ms slices) would be measured as server latency.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    Client,
    CpuMeter,
    cpu_report,
    csrf,
    gunicorn,
    percentile,
    run_together,
)

SEED_BANK = "nato-2025-12-04"


def setup_database(url: str) -> str:
    """Create the schema and the bank the learners take; return the bank's slug."""
    os.environ["DATABASE_URL"] = url
    from quizapp import create_app
    from quizapp.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    articles = runner.invoke(args=["quiz", "import-article", str(ROOT / "seeds")])
    banks = runner.invoke(args=["quiz", "import", str(ROOT / "questions")])
    if articles.exit_code == 0 and banks.exit_code == 0:
        slug = SEED_BANK
    else:
        from tests.factories import make_bank

        with app.app_context():
            slug = make_bank(slug="bench").slug
    with app.app_context():
        db.engine.dispose()
    return slug


def some_answer(question: dict):
    """A well-formed answer from what the learner sees (right or wrong, as it happens)."""
    view, qtype = question["view"], question["type"]
    if qtype == "single_choice":
        return view["options"][0]["id"]
    if qtype == "multiple_choice":
        return [view["options"][0]["id"]]
    if qtype == "true_false":
        return True
    if qtype == "cloze":
        return ["Brüssel"] * view["gap_count"]
    if qtype == "numeric":
        return 32
    if qtype == "ordering":
        return [item["id"] for item in view["items"]]
    if qtype == "matching":
        rights = view["rights"]
        return {
            str(left["index"]): rights[i % len(rights)]["id"]
            for i, left in enumerate(view["lefts"])
        }
    if qtype == "fact_or_opinion":
        return view["choices"][0]
    return " ".join(["Ich prüfe die Quelle und vergleiche sie."] * (view["min_words"] // 7 + 1))


def register(client: Client, n: int) -> None:
    """Register learner n through the real form (and so log in)."""
    page = client.request("GET", "/register")[1]
    token = csrf(page)
    password = "bench password 123"
    status, _ = client.request(
        "POST",
        "/register",
        form={
            "csrf_token": token,
            "email": f"learner{n}@example.org",
            "display_name": f"Learner {n}",
            "password": password,
            "confirm": password,
        },
    )
    if status != 302:
        raise RuntimeError(f"registration of learner {n} failed with {status}")


def learner_headers(n: int) -> dict:
    """Headers of learner n: its own client address, as a proxy in front would report it."""
    return {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}", "Accept": "application/json"}


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=1, help="whole attempts per learner")
    parser.add_argument(
        "--accounts",
        action="store_true",
        help="learners register first (their answers then also update progress and reviews)",
    )
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="quizapp-bench-")
    url = "sqlite:///" + os.path.join(folder, "bench.sqlite")
    slug = setup_database(url)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        # Each simulated learner has its own address (X-Forwarded-For), as behind a proxy.
        "TRUST_PROXY": "1",
        "REDIS_URL": "",
    }
    latencies: list[list[float]] = [[] for _ in range(args.learners)]
    errors = [0] * args.learners
    answers = [0] * args.learners

    with gunicorn(env) as server:
        base = server.url
        quiz_id = None
        meter = CpuMeter(server)

        def take(n: int, barrier) -> None:
            """One learner: prepare a session, then answer whole attempts back to back."""
            import time

            client = Client(base, learner_headers(n))
            if args.accounts:
                register(client, n)
            token = client.request("GET", "/api/v1/csrf")[1]["csrf_token"]
            client.headers["X-CSRFToken"] = token
            nonlocal quiz_id
            if quiz_id is None:
                quizzes = client.request("GET", "/api/v1/quizzes")[1]["quizzes"]
                quiz_id = next(
                    q["id"] for q in quizzes if q["bank"] == slug and q["mode"] == "practice"
                )
            barrier.wait()
            if n == 0:
                meter.start()
            for _ in range(args.attempts):
                status, attempt = client.request("POST", f"/api/v1/quizzes/{quiz_id}/attempts")
                if status not in (200, 201):
                    errors[n] += 1
                    continue
                for question in attempt["questions"]:
                    body = {"version_id": question["version_id"], "answer": some_answer(question)}
                    start = time.perf_counter()
                    status, result = client.request(
                        "POST", f"/api/v1/attempts/{attempt['id']}/answers", body
                    )
                    latencies[n].append((time.perf_counter() - start) * 1000)
                    answers[n] += 1
                    if status != 200:
                        errors[n] += 1
                if not result.get("finished"):
                    errors[n] += 1
            client.close()

        answer_seconds = run_together(args.learners, take)
        answer_cpu = meter.read()
        per_learner = max(answers)
        health_errors = [0] * args.learners

        def check_health(n: int, barrier) -> None:
            """One client: as many /healthz requests as a learner sent answers."""
            client = Client(base, learner_headers(n))
            client.request("GET", "/healthz")
            barrier.wait()
            if n == 0:
                meter.start()
            for _ in range(per_learner):
                if client.request("GET", "/healthz")[0] != 200:
                    health_errors[n] += 1
            client.close()

        health_seconds = run_together(args.learners, check_health)
        health_cpu = meter.read()

    flat = [ms for per in latencies for ms in per]
    answer_rps = sum(answers) / answer_seconds
    healthz_rps = per_learner * args.learners / health_seconds
    print(
        json.dumps(
            {
                "learners": args.learners,
                "accounts": args.accounts,
                "answers": sum(answers),
                "answer_rps": round(answer_rps, 1),
                "answer_p50_ms": round(percentile(flat, 0.50), 1),
                "answer_p95_ms": round(percentile(flat, 0.95), 1),
                "healthz_rps": round(healthz_rps, 1),
                "ratio_to_healthz": round(answer_rps / healthz_rps, 3),
                "errors": sum(errors) + sum(health_errors),
                # Server CPU per request (its processes' own counters): less noisy than rates.
                "cpu_ms_per_answer": round(1000 * answer_cpu["server_s"] / max(1, sum(answers)), 3),
                "cpu_ms_per_healthz": round(
                    1000 * health_cpu["server_s"] / max(1, per_learner * args.learners), 3
                ),
                "cpu_answers": cpu_report(answer_cpu),
                "cpu_healthz": cpu_report(health_cpu),
            }
        )
    )


if __name__ == "__main__":
    main()
