"""What a live answer costs in-process: stored k to a transaction (group commit), and its request.

A game of N players (default 1,024) on SQLite, or with DATABASE_URL on a scratch PostgreSQL
database; the first question's options open, and the players' answers go through the live
answer path's transaction (`answers._record_group`, as `submit_answer` runs it) in groups of
1, 4 and 16 answers, each size in a game of its own. Prints one JSON line: per group size,
CPU ms and SQL statements per answer (the question's last 256 answers are left out: their
close checks are not the answer's cost). Then the request around the answer: "request", one
answer per request through /live/<id>/answer with the Flask test client (CSRF, cookies,
JSON, the response; no server, no network) in a game of its own, and "healthz", /healthz the
same way: the request's CPU less the one-answer transaction's is what the request around an
answer costs.

    .venv/bin/python bench/live_groups.py [--players 1024]
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench._common import csrf, scratch_database  # noqa: E402

SIZES = (1, 4, 16)
LEFT_OUT = 256


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--players", type=int, default=1024)
    args = parser.parse_args()

    url, drop = scratch_database()
    try:
        print(json.dumps({"players": args.players, **measure(url, args.players)}))
    finally:
        drop()


def measure(url: str, players: int) -> dict:
    """Return CPU ms and statements per answer for each group size."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.grading import item_id
    from quizapp.models import Bank, LiveSession, QuestionVersion, User
    from quizapp.services import live as game
    from quizapp.services.live import answers
    from quizapp.services.live.setup import GameRules, create_session
    from tests.factories import make_bank

    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LIVE_TIMERS": False})
    figures = {"database": url.split(":", 1)[0].split("+")[0]}
    statements = [0]

    def counted(*_args) -> None:
        statements[0] += 1

    def open_game() -> tuple[int, str, list[str], str]:
        """A game of its own with `players` joined and its first question's options open;
        return its id, PIN, the players' tokens and the right answer."""
        rules = GameRules(time_limit_s=240, preview_s=0)
        host, bank = db.session.get(User, host_id), db.session.get(Bank, bank_id)
        live = create_session(host, bank, rules, game.clock())
        live_id, pin = live.id, live.pin
        tokens = [game.join(live, f"Spieler {n}", game.clock())[1] for n in range(players)]
        game.next_step(live_id, db.session.get(LiveSession, live_id).last_seq, game.clock())
        version_id = db.session.get(LiveSession, live_id).version_ids[0]
        right = item_id(db.session.get(QuestionVersion, version_id).payload["options"][0]["text"])
        db.session.remove()
        return live_id, pin, tokens, right

    with app.app_context():
        db.create_all()
        host = User(email="host@example.org", display_name="Host", role="teacher")
        host.password_hash = "-"
        db.session.add(host)
        db.session.commit()
        host_id, bank_id = host.id, make_bank(types=["single_choice"]).id
        for size in SIZES:
            live_id, _pin, tokens, right = open_game()
            now = game.clock() + timedelta(seconds=1)
            groups = [
                [answers._Submitted(token, 0, right, now) for token in tokens[i : i + size]]
                for i in range(0, players - LEFT_OUT - size + 1, size)
            ]
            statements[0] = 0
            event.listen(db.engine, "before_cursor_execute", counted)
            start = time.process_time()
            for group in groups:
                answers._record_group(live_id, group)
                db.session.remove()
            cpu = time.process_time() - start
            event.remove(db.engine, "before_cursor_execute", counted)
            count = sum(len(group) for group in groups)
            figures[str(size)] = {
                "cpu_ms_per_answer": round(cpu * 1000 / count, 3),
                "statements_per_answer": round(statements[0] / count, 2),
            }
        live_id, pin, tokens, right = open_game()

    # The request around an answer, sent as the phone's script sends it: its player cookie,
    # the page's Origin (the token goes along but is not checked, nor the session opened).
    client = app.test_client()
    page = client.get(f"/join/{pin}").get_data(as_text=True)
    headers = {
        "X-CSRFToken": csrf(page),
        "Accept": "application/json",
        "Origin": "http://localhost",
    }
    start = time.process_time()
    for token in tokens[: players - LEFT_OUT]:
        client.set_cookie(f"quizapp_live_{live_id}", token)
        reply = client.post(
            f"/live/{live_id}/answer", json={"index": 0, "answer": right}, headers=headers
        )
        if reply.status_code != 200:
            raise RuntimeError(f"answer refused: {reply.status_code} {reply.get_data()[:200]}")
    figures["request"] = {
        "cpu_ms_per_answer": round((time.process_time() - start) * 1000 / (players - LEFT_OUT), 3)
    }
    start = time.process_time()
    for _ in range(players):
        client.get("/healthz")
    figures["healthz"] = {
        "cpu_ms_per_request": round((time.process_time() - start) * 1000 / players, 3)
    }
    with app.app_context():
        db.engine.dispose()
    return figures


if __name__ == "__main__":
    main()
