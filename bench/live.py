"""Live game load: N players join over HTTP, hold event streams and answer five questions.

Serves the app under gunicorn (gevent): on SQLite with one worker and the in-process
broker by default; with DATABASE_URL (PostgreSQL) and REDIS_URL set, on a scratch
PostgreSQL database with two workers and Redis pub/sub. A host creates a game; N
players (default 200, each behind its own address as behind a proxy) join, open
their event stream and answer each of the five questions at a random time within
the timer. Prints one JSON line:

    players, join_rps, answer_p50_ms, answer_p95_ms, fanout_p50_ms, fanout_p95_ms,
    lost_answers, score_mismatches, missed_events, peak_rss_mb, …

fanout is the time from just before the host's "next" request to a player's receipt
of the question. lost_answers counts answers that failed or were accepted but not
stored; score_mismatches counts players whose stored score differs from the score
recomputed with the published formula from their stored answers, or from the score
their final event told them. answer_p95_ms_first_second and answer_p95_ms_later split
the answers into those sent within a second of their question's options opening and
the rest: without a preview (the default here, as in the targets) the first ones compete
with the question's fan-out to every stream; `--preview 3 --limit 20` plays a game as the
host form creates it by default (the question shows 3 s before its options, 20 s each).

    .venv/bin/python bench/live.py [--players 200] [--limit 10] [--preview 0] [--workers N]

Players are greenlets (gevent), not OS threads: the client stays cheap next to the server.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import gevent.pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    Client,
    CpuMeter,
    cpu_report,
    csrf,
    gunicorn,
    percentile,
    scratch_database,
)

LIVE_TYPES = ["single_choice", "multiple_choice", "true_false", "numeric", "fact_or_opinion"]
PASSWORD = "bench password 123"


# --- the database ---------------------------------------------------------------------------


def setup_database(url: str):
    """Create the schema, a bank of the five live types and a teacher; return the app."""
    os.environ["DATABASE_URL"] = url
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services import accounts as service
    from tests.factories import make_bank

    app = create_app({"LIVE_TIMERS": False})
    with app.app_context():
        db.create_all()
        make_bank(slug="live-bench", types=LIVE_TYPES)
        service.register("host@example.org", "Host", PASSWORD, role="teacher")
        db.session.remove()
    return app


# --- the event stream -----------------------------------------------------------------------


class Stream:
    """One client's event stream: every event with the moment it arrived."""

    def __init__(self, base: str, path: str, headers: dict):
        self.base, self.path, self.headers = base, path, headers
        self.events: list[dict] = []
        self.changed = gevent.event.Event()
        self.worker = None
        self.error = None
        self.greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        host, _, port = self.base.removeprefix("http://").partition(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=300)
        try:
            connection.request("GET", self.path, headers=self.headers)
            response = connection.getresponse()
            self.worker = response.getheader("X-Worker")
            buffer = b""
            while True:
                chunk = response.read1(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    if self._parse(block.decode()):
                        return
        except Exception as error:  # noqa: BLE001 (counted as missed events)
            self.error = error
        finally:
            connection.close()
            self.changed.set()

    def _parse(self, block: str) -> bool:
        """Record one event; return True when it was the last one."""
        fields = {}
        for line in block.splitlines():
            if line and not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value
        if "event" not in fields:
            return False
        data = json.loads(fields["data"])
        self.events.append(
            {
                "at": time.perf_counter(),
                "id": int(fields["id"]) if "id" in fields else None,
                "type": fields["event"],
                "data": data,
            }
        )
        self.changed.set()
        return bool(data.get("final"))

    def find(self, type_: str, index: int | None = None) -> dict | None:
        """Return the first event of a type (and question index), if it has arrived."""
        for event in self.events:
            if event["type"] == type_ and (index is None or event["data"].get("index") == index):
                return event
        return None

    def wait(self, type_: str, index: int | None = None, timeout: float = 60) -> dict | None:
        """Wait until an event has arrived (None after the timeout or an ended stream)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(type_, index)
            if found or self.greenlet.dead or time.monotonic() > deadline:
                return found
            self.changed.clear()
            self.changed.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))


# --- the players and the host ---------------------------------------------------------------


def some_answer(data: dict, rng: random.Random):
    """A random well-formed answer to a question as players see it (right or wrong)."""
    qtype, view = data["type"], data["view"]
    if qtype == "single_choice":
        return rng.choice(view["options"])["id"]
    if qtype == "multiple_choice":
        ids = [o["id"] for o in view["options"]]
        return sorted(rng.sample(ids, rng.randint(1, len(ids))))
    if qtype == "true_false":
        return rng.random() < 0.5
    if qtype == "fact_or_opinion":
        return rng.choice(view["choices"])
    return rng.choice([32, 31, "32"])


class Player:
    """One phone: joins, listens, answers."""

    def __init__(self, n: int, base: str):
        self.n = n
        self.base = base
        self.headers = {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}
        self.client = Client(base, self.headers)
        self.nickname = f"Spieler {n}"
        self.stream: Stream | None = None
        self.answers: dict[int, dict] = {}
        self.failed = 0

    def join(self, pin: str) -> None:
        """Join through the real pages."""
        status, page = self.client.request("GET", f"/join/{pin}")
        token = csrf(page)
        status, _ = self.client.request(
            "POST",
            f"/join/{pin}",
            form={"csrf_token": token, "nickname": self.nickname, "code": ""},
        )
        if status != 302:
            raise RuntimeError(f"player {self.n} could not join: {status}")
        # As the phone's script sends it (the answer checks the Origin, not the token).
        self.client.headers.update(
            {"X-CSRFToken": token, "Accept": "application/json", "Origin": self.base}
        )

    def listen(self, live_id: int) -> None:
        """Open the event stream."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        headers = {**self.headers, "Cookie": cookie, "Accept": "text/event-stream"}
        self.stream = Stream(self.base, f"/live/{live_id}/events?after=0", headers)

    def play(self, live_id: int, questions: int, window_s: float, rng: random.Random) -> None:
        """Answer every question at a random moment within the window after it arrives."""
        for index in range(questions):
            event = self.stream.wait("question", index, timeout=300)
            if event is None:
                return
            # The answer goes out at a random moment, counted from the options' opening
            # (after the preview, on the server's clock: the same machine's).
            opens_in = event["data"]["options_ms"] / 1000 - time.time()
            gevent.sleep(max(0.0, opens_in) + rng.uniform(0.0, window_s))
            answer = some_answer(event["data"], rng)
            start = time.perf_counter()
            try:
                status, body = self.client.request(
                    "POST", f"/live/{live_id}/answer", {"index": index, "answer": answer}
                )
            except Exception:  # noqa: BLE001 (a lost answer)
                status, body = 0, {}
            self.answers[index] = {
                "sent": start,
                "ms": (time.perf_counter() - start) * 1000,
                "status": status,
                "code": body.get("code") if isinstance(body, dict) else None,
            }


class Host:
    """The teacher: creates the game and presses "next"."""

    def __init__(self, base: str):
        self.client = Client(base)
        status, page = self.client.request("GET", "/login")
        self.client.request(
            "POST",
            "/login",
            form={"csrf_token": csrf(page), "email": "host@example.org", "password": PASSWORD},
        )

    def create(self, bank_id: int, limit_s: int, preview_s: int) -> tuple[int, str]:
        """Create the game; return its id and PIN."""
        page = self.client.request("GET", "/live/host")[1]
        status, _ = self.client.request(
            "POST",
            "/live/host",
            form={
                "csrf_token": csrf(page),
                "bank": str(bank_id),
                "scoring": "speed",
                "streak_bonus": "y",
                "time_limit_s": str(limit_s),
                "preview_s": str(preview_s),
            },
        )
        if status != 302:
            raise RuntimeError(f"creating the game failed: {status}")
        page = self.client.request("GET", "/live/host")[1]
        live_id = int(re.search(r'href="/live/(\d+)/host"', page).group(1))
        host_page = self.client.request("GET", f"/live/{live_id}/host")[1]
        self.token = csrf(host_page)
        pin = re.search(r'class="pin">(\d{6})<', host_page).group(1)
        return live_id, pin

    def next(self, live_id: int, seq: int) -> None:
        """Press "next" on the state with version `seq`."""
        self.client.request(
            "POST",
            f"/live/{live_id}/control",
            form={"csrf_token": self.token, "action": "next", "seq": str(seq)},
            headers={"Accept": "application/json"},
        )


# --- checks after the game ------------------------------------------------------------------


def verify(app, live_id: int, players: list[Player]) -> tuple[int, int, int]:
    """Return (lost answers, score mismatches, missed events) from the database's view."""
    from sqlalchemy import select

    from quizapp import grading
    from quizapp.extensions import db
    from quizapp.models import LiveAnswer, LiveEvent, LiveSession, QuestionVersion
    from quizapp.models import Player as PlayerRow
    from quizapp.services.live.scoring import points, streak_bonus

    with app.app_context():
        live = db.session.get(LiveSession, live_id)
        versions = {v.id: v for v in db.session.scalars(select(QuestionVersion))}
        rows = {p.nickname: p for p in db.session.scalars(select(PlayerRow))}
        stored: dict[int, dict[int, LiveAnswer]] = {}
        for a in db.session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live_id)):
            stored.setdefault(a.player_id, {})[a.question_index] = a
        logged = [
            e.seq
            for e in db.session.scalars(select(LiveEvent).where(LiveEvent.session_id == live_id))
        ]
        lost = mismatches = missed = 0
        for player in players:
            row = rows[player.nickname]
            mine = stored.get(row.id, {})
            for index, sent in player.answers.items():
                if sent["status"] == 200 and index not in mine:
                    lost += 1
                elif sent["status"] not in (200, 409):
                    lost += 1
            # Recompute the score from the stored answers with the published formula.
            expected, streak = 0, 0
            for index in range(len(live.version_ids)):
                answer = mine.get(index)
                if answer is None:
                    streak = 0
                    continue
                version = versions[live.version_ids[index]]
                result = grading.grade(version.type, version.payload, answer.answer)
                score = result.score or 0.0
                streak = streak + 1 if result.correct else 0
                limit_ms = live.time_limit_s * 1000
                expected += points(
                    score, answer.elapsed_ms, limit_ms, live.base_points, live.scoring
                )
                if result.correct and live.streak_bonus:
                    expected += streak_bonus(streak)
            final = player.stream.find("podium") if player.stream else None
            told = final["data"]["me"]["score"] if final and final["data"].get("me") else None
            if expected != row.score or told != row.score:
                mismatches += 1
            received = {e["id"] for e in player.stream.events if e["id"] is not None}
            missed += len(set(logged) - received)
        db.session.remove()
    return lost, mismatches, missed


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--limit", type=int, default=10, help="seconds per question")
    parser.add_argument(
        "--preview",
        type=int,
        default=0,
        help="seconds a question is shown before its options open (the host form's default: 3)",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", help="py-spy the workers during the game into PATH.<pid>.txt")
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "")
    url, drop = scratch_database()
    shared = url.startswith("postgres") and redis_url
    workers = args.workers or (2 if shared else 1)
    if workers > 1 and not shared:
        raise SystemExit("several workers need PostgreSQL and REDIS_URL (one broker for all)")
    app = setup_database(url)
    with app.app_context():
        from sqlalchemy import select

        from quizapp.extensions import db
        from quizapp.models import Bank

        bank_id = db.session.scalar(select(Bank.id))
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url if shared else "",
        "SECRET_KEY": secrets.token_hex(32),
        "TRUST_PROXY": "1",
        "QUIZAPP_WORKER_HEADER": "1",
    }
    rng = random.Random(args.seed)
    questions = len(LIVE_TYPES)
    peak = [0.0]
    try:
        with gunicorn(env, workers=workers) as server:
            base = server.url

            def sample() -> None:
                while True:
                    peak[0] = max(peak[0], server.rss_mb())
                    gevent.sleep(0.5)

            sampler = gevent.spawn(sample)
            host = Host(base)
            live_id, pin = host.create(bank_id, args.limit, args.preview)
            players = [Player(n, base) for n in range(args.players)]

            # Joining: 100 at a time, as a class scanning the QR code together.
            pool = gevent.pool.Pool(100)
            meter = CpuMeter(server)
            start = time.perf_counter()
            pool.map(lambda p: p.join(pin), players)
            join_seconds = time.perf_counter() - start
            join_cpu = meter.read()
            for player in players:
                player.listen(live_id)
            connected_by = time.monotonic() + 60
            while time.monotonic() < connected_by and not all(
                p.stream.worker or p.stream.error for p in players
            ):
                gevent.sleep(0.1)

            window = args.limit * 0.8
            playing = [
                gevent.spawn(p.play, live_id, questions, window, random.Random(rng.random()))
                for p in players
            ]
            host_stream = Stream(
                base,
                f"/live/{live_id}/events?after=0",
                {"Cookie": "; ".join(f"{k}={v}" for k, v in host.client.cookies.items())},
            )
            next_at: dict[int, float] = {}
            seq = 0
            profiler = start_profiler(server, args.profile)
            game_meter = CpuMeter(server)
            # CPU per phase: a question (its fan-out, the answers, the reveal's fan-out) and
            # a leaderboard (nothing but the fan-out of one ranked event to every stream).
            question_cpu, board_cpu, boards_delivered = [], [], 0
            for index in range(questions):
                next_at[index] = time.perf_counter()
                meter.start()
                host.next(live_id, seq)
                seq += 1
                # Everyone answers, so the question closes early (or at the deadline).
                reveal = host_stream.wait("reveal", index, timeout=args.preview + args.limit + 30)
                seq = reveal["id"] if reveal else seq + 1
                for player in players:
                    player.stream.wait("reveal", index, timeout=10)
                question_cpu.append(meter.read())
                if index + 1 < questions:
                    meter.start()
                    host.next(live_id, seq)  # leaderboard
                    board = host_stream.wait("leaderboard", index, timeout=30)
                    seq = board["id"] if board else seq + 1
                    for player in players:
                        player.stream.wait("leaderboard", index, timeout=10)
                    board_cpu.append(meter.read())
                    boards_delivered += 1 + sum(
                        1 for p in players if p.stream.find("leaderboard", index)
                    )
            host.next(live_id, seq)  # podium
            gevent.joinall(playing, timeout=60)
            for player in players:
                player.stream.wait("podium", timeout=30)
            host_stream.wait("podium", timeout=30)
            game_cpu = game_meter.read()
            stop_profiler(profiler)
            sampler.kill()
            peak[0] = max(peak[0], server.rss_mb())

            answer_ms = [a["ms"] for p in players for a in p.answers.values()]
            # Answers sent in the first second after their question's options opened (without
            # a preview they compete with the question's fan-out) and those sent later.
            early_ms, later_ms = [], []
            for player in players:
                for index, answer in player.answers.items():
                    early = answer["sent"] - next_at[index] - args.preview < 1.0
                    (early_ms if early else later_ms).append(answer["ms"])
            fanout_ms = []
            for player in players:
                for index, sent_at in next_at.items():
                    event = player.stream.find("question", index)
                    if event:
                        fanout_ms.append((event["at"] - sent_at) * 1000)
            # Sent within the time, refused as late: after the deadline ("late") or after the
            # question closed at its deadline while the answer waited in a queue ("closed").
            late = sum(
                1 for p in players for a in p.answers.values() if a["code"] in ("late", "closed")
            )
            served_by = sorted({p.stream.worker for p in players if p.stream.worker})
            # Streams that failed (refused, reset, timed out) or never got an answer: their
            # players' events count as missed and their final score as a mismatch.
            broken = [p.stream.error for p in players if p.stream.error or not p.stream.worker]
        lost, mismatches, missed = verify(app, live_id, players)
    finally:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
        drop()

    print(
        json.dumps(
            {
                "players": args.players,
                "limit_s": args.limit,
                "preview_s": args.preview,
                "workers": workers,
                "database": "postgresql" if url.startswith("postgres") else "sqlite",
                "broker": "redis" if shared else "in-process",
                "questions": questions,
                "join_rps": round(args.players / join_seconds, 1),
                "answers": len(answer_ms),
                "answer_p50_ms": round(percentile(answer_ms, 0.5), 1),
                "answer_p95_ms": round(percentile(answer_ms, 0.95), 1),
                "answer_p95_ms_first_second": round(percentile(early_ms, 0.95), 1),
                "answer_p95_ms_later": round(percentile(later_ms, 0.95), 1),
                "answers_first_second": len(early_ms),
                "fanout_p50_ms": round(percentile(fanout_ms, 0.5), 1),
                "fanout_p95_ms": round(percentile(fanout_ms, 0.95), 1),
                "lost_answers": lost,
                "late_answers": late,
                "score_mismatches": mismatches,
                "missed_events": missed,
                "failed_streams": len(broken),
                "stream_errors": sorted({repr(e)[:120] for e in broken if e})[:3],
                "streams_per_worker": {
                    w: sum(p.stream.worker == w for p in players) for w in served_by
                },
                "peak_rss_mb": round(peak[0], 1),
                **server_costs(
                    args.players, join_cpu, question_cpu, board_cpu, boards_delivered, answer_ms
                ),
                "cpu_game": cpu_report(game_cpu),
            }
        )
    )


def server_costs(
    players: int, join_cpu: dict, question_cpu: list, board_cpu: list, delivered: int, answer_ms
) -> dict:
    """Server CPU milliseconds per join, per delivered event and per answer.

    Per event: a leaderboard phase does nothing but send one ranked event to every stream.
    Per answer: a question phase's CPU less its two fan-outs (question and reveal) at the
    per-event cost, over the answers (`cpu_ms_per_answer_gross` keeps the fan-outs in).
    """
    streams = delivered / max(1, len(board_cpu))
    per_event = sum(c["server_s"] for c in board_cpu) / max(1, delivered)
    question_s = sum(c["server_s"] for c in question_cpu)
    fanouts = 2 * streams * per_event * len(question_cpu)
    answers = max(1, len(answer_ms))
    return {
        "cpu_ms_per_join": round(1000 * join_cpu["server_s"] / max(1, players), 3),
        "cpu_ms_per_event": round(1000 * per_event, 3),
        "cpu_ms_per_answer": round(1000 * max(0.0, question_s - fanouts) / answers, 3),
        "cpu_ms_per_answer_gross": round(1000 * question_s / answers, 3),
        "cpu_join": cpu_report(join_cpu),
    }


def start_profiler(server, path: str | None):
    """Start py-spy on every worker (with --profile PATH); return the processes."""
    if not path:
        return []
    import subprocess

    found = []
    for pid in server.worker_pids():
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)]
        command += [
            "--rate",
            "100",
            "--format",
            "raw",
            "--output",
            f"{path}.{pid}.txt",
            "--nonblocking",
        ]
        found.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
    return found


def stop_profiler(processes) -> None:
    """Stop py-spy (it writes its file on SIGINT)."""
    import signal

    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
