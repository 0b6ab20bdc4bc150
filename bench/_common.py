"""Shared pieces of the HTTP benchmarks: the server as `make run` starts it, CPU counters,
a lean client, percentiles."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf(html: str) -> str:
    """Return the CSRF token of a page's form."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` (0..1) of the values lie (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(share * len(ordered) + 0.999999)))
    return ordered[rank - 1]


class Server:
    """A running gunicorn: its URL and what its processes use (CPU seconds, memory)."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])

    def processes(self) -> list[psutil.Process]:
        """Return the master and its workers."""
        master = psutil.Process(self.process.pid)
        return [master, *master.children(recursive=True)]

    def worker_pids(self) -> list[int]:
        """Return the pids of the workers (for a profiler)."""
        return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]

    def cpu_seconds(self) -> float:
        """Return the CPU seconds (user + system) the master and workers have used so far."""
        total = 0.0
        for process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss_mb(self) -> float:
        """Return the resident memory of the master and workers, in MB."""
        total = 0
        for process in self.processes():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total / 2**20


class CpuMeter:
    """CPU seconds over a stretch of a run: the server's, this load client's, everyone else's.

    Read from the processes' own counters, so a busy machine (other programs on the same
    cores) shows as `other_s` instead of as server time.
    """

    def __init__(self, server: Server):
        self.server = server
        self.me = psutil.Process()
        self.start()

    def _now(self) -> tuple[float, float, float, float, dict]:
        own = self.me.cpu_times()
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        services = services_cpu()
        return time.perf_counter(), self.server.cpu_seconds(), own.user + own.system, busy, services

    def start(self) -> None:
        """Start (again) from now."""
        self._start = self._now()

    def read(self) -> dict:
        """Return wall, server, client, services and other CPU seconds since the start.

        services_s: PostgreSQL's and Redis's processes (a backend that ended meanwhile is
        missing from it); other_s: everything else, services excluded.
        """
        now = self._now()
        wall, server, client, busy = (b - a for a, b in zip(self._start[:4], now[:4], strict=True))
        before, after = self._start[4], now[4]
        services = sum(t - before.get(pid, 0.0) for pid, t in after.items())
        return {
            "wall_s": wall,
            "server_s": server,
            "client_s": client,
            "services_s": services,
            "other_s": max(0.0, busy - server - client - services),
        }


def services_cpu() -> dict:
    """Return the CPU seconds so far of each PostgreSQL and Redis process, by pid."""
    found = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        name = process.info["name"] or ""
        times = process.info["cpu_times"]
        if times is not None and (name.startswith("postgres") or name.startswith("redis")):
            found[process.pid] = times.user + times.system
    return found


def cpu_report(parts: dict) -> dict:
    """Round a CpuMeter reading; add the client's share of the CPU it and the server used."""
    used = parts["server_s"] + parts["client_s"]
    return {
        **{k: round(v, 2) for k, v in parts.items()},
        "client_share": round(parts["client_s"] / used, 3) if used else 0.0,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


@contextmanager
def gunicorn(env: dict, *, workers: int | None = None):
    """Serve the app as `make run` does (`gunicorn -c gunicorn.conf.py wsgi:app`); yield a Server.

    On a free port of 127.0.0.1 with extra environment; `workers` sets WORKERS (None: the
    config's default, one worker without REDIS_URL, two with it). The access log is off, as
    in `make run` (ACCESS_LOG turns it on). Waits until /healthz answers; stops the server
    (and only it) on exit.
    """
    port = free_port()
    extra = {"HOST": "127.0.0.1", "PORT": str(port)}
    # BENCH_WORKERS, BENCH_ACCESS_LOG and BENCH_SERVER_CPUS are for experiments.
    if os.environ.get("BENCH_WORKERS") or workers:
        extra["WORKERS"] = os.environ.get("BENCH_WORKERS") or str(workers)
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"]
    if os.environ.get("BENCH_ACCESS_LOG"):
        # Server-side time per request (microseconds), to tell queueing from work.
        command += ["--access-logfile", os.environ["BENCH_ACCESS_LOG"]]
        command += ["--access-logformat", "%(m)s %(U)s %(s)s %(D)s %(p)s"]
    command.append("wsgi:app")
    if os.environ.get("BENCH_SERVER_CPUS"):
        # Pin the server (master and workers) to these cores, e.g. "0", to keep the load
        # client (run under `taskset -c 1`) off them: what a dedicated core gives.
        command = ["taskset", "-c", os.environ["BENCH_SERVER_CPUS"], *command]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env, **extra}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                client = Client(url)
                if client.request("GET", "/healthz")[0] == 200:
                    client.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield Server(process, url)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """A lean HTTP/1.1 client with a tiny cookie jar: little overhead per request.

    By default every request uses a new connection, as requests from many browsers behind a
    proxy arrive: with a few long-lived keep-alive connections opened at once, one gunicorn
    worker may accept all of them and the others idle (measured: 50 of 50 on one worker).
    """

    def __init__(self, base_url: str, headers: dict | None = None, keep_alive: bool = False):
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port or 80), timeout=60)
        self.headers = dict(headers or {})
        if not keep_alive:
            self.headers["Connection"] = "close"
        self.keep_alive = keep_alive
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers: dict | None = None, form=None):
        """Send a request (JSON body or form fields if given); return (status, JSON or text)."""
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            # The server closed an idle keep-alive connection: open a new one once.
            self.connection.close()
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
        raw = response.read()
        if not self.keep_alive:
            self.connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(raw)
        return response.status, raw.decode("utf-8", "replace")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def run_together(count: int, work) -> float:
    """Run work(n, barrier) in `count` threads that start their timed part together.

    Each worker prepares, calls barrier.wait(), then does the timed part. Returns the wall
    time in seconds from the barrier until the last worker finished.
    """
    barrier = threading.Barrier(count + 1)
    errors = []

    def run(n: int) -> None:
        try:
            work(n, barrier)
        except Exception as error:  # noqa: BLE001 (reported below, the run goes on)
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def scratch_database() -> tuple[str, callable]:
    """Return a database URL for the run and a function that removes it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"qa_live_bench_{uuid.uuid4().hex[:8]}"
        admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name)), drop
    folder = tempfile.mkdtemp(prefix="quizapp-bench-")
    return "sqlite:///" + os.path.join(folder, "bench.sqlite"), lambda: None
