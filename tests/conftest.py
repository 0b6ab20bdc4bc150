"""The one place that builds the test app: fixtures for app, client, runner and auth."""

import os
import re
import tempfile

import pytest
from sqlalchemy import delete, text, update

from quizapp import create_app
from quizapp.extensions import db, limiter
from quizapp.models import Question

PASSWORD = "correct horse battery"


def _database_url() -> str:
    """Use DATABASE_URL when set (CI's PostgreSQL pass), else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    folder = tempfile.mkdtemp(prefix="quizapp-test-")
    return "sqlite:///" + os.path.join(folder, "test.sqlite")


@pytest.fixture(scope="session")
def app():
    """The app with an empty schema; tables are made with create_all only here, in tests."""
    os.environ["DATABASE_URL"] = _database_url()
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's request context around each test: it would share `g` (and
    with it the cached user and locale) across all requests of a test, unlike a browser."""
    yield


@pytest.fixture
def client(app):
    """A test client that, like a browser, keeps no request context between requests."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Give every test empty tables and fresh rate limits."""
    yield
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # question ↔ question_version point at each other: cut that link first.
            db.session.execute(update(Question).values(current_version_id=None))
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
        db.session.commit()
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield


def csrf_token(response) -> str:
    """Return the CSRF token embedded in a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Register, log in and log out through the real forms."""

    def __init__(self, client, app):
        self._client = client
        self._app = app

    def register(self, email="ada@example.org", name="Ada", password=PASSWORD, **extra):
        """Register through the form; when it is accepted, log in as the page then asks.
        Returns the registration's response."""
        response = self._register(email, name, password, **extra)
        if response.status_code == 302:
            self.login(email=email, password=password)
        return response

    def _register(self, email, name, password, **extra):
        page = self._client.get("/register")
        data = {
            "csrf_token": csrf_token(page),
            "email": email,
            "display_name": name,
            "password": password,
            "confirm": password,
        }
        data.update(extra)
        return self._client.post("/register", data=data)

    def login(self, email="ada@example.org", password=PASSWORD):
        page = self._client.get("/login")
        data = {"csrf_token": csrf_token(page), "email": email, "password": password}
        return self._client.post("/login", data=data)

    def logout(self):
        page = self._client.get("/")
        return self._client.post("/logout", data={"csrf_token": csrf_token(page)})

    def create_user(self, email="ada@example.org", name="Ada", role="learner", password=PASSWORD):
        """Create an account directly (no form), e.g. a teacher."""
        from quizapp.services import accounts as service

        with self._app.app_context():
            user = service.register(email, name, password, role=role)
            return user.id


@pytest.fixture
def auth(client, app):
    """Account actions through the real forms."""
    return AuthActions(client, app)
