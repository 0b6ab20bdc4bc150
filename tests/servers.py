"""The app served as `make run` serves it, for the tests that talk to it over HTTP.

The command line is read from the Makefile's run target, so these tests and `make run` cannot
drift apart; settings (WORKERS, REDIS_URL, DATABASE_URL, …) go in through the environment, as
a user would set them.
"""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
# What the server may see of the test's environment: each test sets the rest itself.
SETTINGS = ("HOST", "PORT", "WORKERS", "PUBLIC_URL", "REDIS_URL", "DATABASE_URL", "SECRET_KEY")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_run_command() -> list[str]:
    """Return the command line of the Makefile's run target, with $(BIN) filled in."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    line = next(line.strip() for line in recipe.splitlines() if "gunicorn" in line)
    return shlex.split(line.replace("$(BIN)", str(Path(sys.executable).parent)))


def with_database(url: str, name: str) -> str:
    """Return a database URL naming another database on the same server."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def admin(sql: str) -> None:
    """Run one statement on the PostgreSQL server of DATABASE_URL (create or drop a database)."""
    import psycopg

    url = with_database(os.environ["DATABASE_URL"], "postgres")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(sql)


class Server:
    """A gunicorn started with the `make run` command line; its console kept in a file."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        self.env = {**clean, "PORT": str(self.port), "SECRET_KEY": "make-run-test", **env}
        self.process = None

    def start(self) -> "Server":
        """Start it and wait until /healthz answers."""
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                make_run_command(), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or still booting
                pass
            assert self.process.poll() is None, self.console()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)

    def console(self) -> str:
        """What the server printed so far."""
        return self.log.read_text()

    def stop(self) -> None:
        """Stop it (and wait for it)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
