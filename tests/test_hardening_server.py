"""The probe's attacks against the app as `make run` serves it (gunicorn, gevent), over HTTP.

One server on a free port of 127.0.0.1 with a scratch SQLite database and
SESSION_COOKIE_SECURE=1 (as behind HTTPS; the test sends the cookie itself, since a client
keeps secure cookies away from plain http).
"""

import re
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD
from tests.servers import Server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path):
    """gunicorn with a gevent worker, as `make run` starts it, on a prepared database."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services import accounts as service
    from tests.factories import make_bank

    url = "sqlite:///" + str(tmp_path / "served.sqlite")
    prepared = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with prepared.app_context():
        db.create_all()
        make_bank(types=["true_false"])
        service.register("ada@example.org", "Ada", PASSWORD)
        db.session.remove()
        db.engine.dispose()
    env = {"DATABASE_URL": url, "SESSION_COOKIE_SECURE": "1"}
    server = Server(env, tmp_path / "gunicorn.log").start()
    yield server.base
    server.stop()


def _cookie(response, old: str = "") -> str:
    """The session cookie the response sets (else the one sent)."""
    header = response.headers.get("Set-Cookie")
    return header.split(";", 1)[0] if header else old


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_probes_attacks_against_the_served_app(server):
    plain = {"allow_redirects": False, "timeout": 10}
    start = requests.get(server + "/", **plain)
    # HTTPS deployment: browsers are told to stay on HTTPS.
    assert start.headers["Strict-Transport-Security"].startswith("max-age=")

    # Open redirect: the exact URL of the probe.
    page = requests.get(server + "/login?next=/%09/evil.example", **plain)
    cookie = _cookie(page)
    login = requests.post(
        server + "/login?next=/%09/evil.example",
        data={"csrf_token": _token(page.text), "email": "ada@example.org", "password": PASSWORD},
        headers={"Cookie": cookie},
        **plain,
    )
    assert login.status_code == 302 and login.headers["Location"] == "/"
    cookie = _cookie(login)

    # The language switch with a newline in `next`.
    page = requests.get(server + "/", headers={"Cookie": cookie}, **plain)
    cookie = _cookie(page, cookie)
    switched = requests.post(
        server + "/lang/en",
        data={"csrf_token": _token(page.text), "next": "/\n/x"},
        headers={"Cookie": cookie},
        **plain,
    )
    assert switched.status_code == 302 and switched.headers["Location"] == "/"

    # 100,000 nested brackets to the answer API: a clear 400.
    api = requests.get(server + "/api/v1/csrf", headers={"Cookie": cookie}, **plain)
    cookie = _cookie(api, cookie)
    nested = '{"version_id": 1, "answer": ' + "[" * 100_000 + "]" * 100_000 + "}"
    sent = requests.post(
        server + "/api/v1/attempts/1/answers",
        data=nested,
        headers={
            "Cookie": cookie,
            "X-CSRFToken": api.json()["csrf_token"],
            "Content-Type": "application/json",
        },
        **plain,
    )
    assert sent.status_code == 400 and sent.json()["message"]

    # Ids beyond 2^63, anonymously.
    assert requests.get(server + f"/live/{2**64}/host", **plain).status_code == 404
    assert requests.get(server + f"/classes/{2**64}", **plain).status_code == 404
