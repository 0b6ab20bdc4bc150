"""Settings read from the environment, plus the configuration used by tests."""

import os
import secrets
from pathlib import Path


def _database_url(instance_path: str) -> str:
    """Return DATABASE_URL, defaulting to SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "quizapp.sqlite")
    # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key(instance_path: str) -> str:
    """Return SECRET_KEY, or a random key kept in instance/ so restarts keep sessions."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _engine_options(database_url: str) -> dict:
    """The connection pool: SQLAlchemy's own for SQLite; stated for a database server."""
    if database_url.startswith("sqlite"):
        return {}
    return {
        # No "pre-ping" on every checkout: it was a round trip on every request, 10 % of a
        # live game's server CPU on PostgreSQL. After a database restart a pooled connection
        # fails once (that request gets an error and nothing is stored; SQLAlchemy then
        # replaces the pool's connections).
        "pool_pre_ping": False,
        # At most 15 connections per worker, kept open: with SQLAlchemy's default (5 kept, 10
        # more opened and closed again), a busy game opened and closed a PostgreSQL backend
        # process every few requests. A request beyond the 15 waits up to 30 s for one. Two
        # workers stay far below PostgreSQL's 100 connections, and the transactions in flight
        # below the live game's RECOUNT_MARGIN (200).
        "pool_size": 15,
        "max_overflow": 0,
        "pool_timeout": 30,
    }


def from_environment(instance_path: str) -> dict:
    """Build the app configuration from environment variables."""
    redis_url = os.environ.get("REDIS_URL", "").strip() or None
    database_url = _database_url(instance_path)
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "de",
        "LANGUAGES": ["de", "en"],
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    }


def for_tests(instance_path: str) -> dict:
    """Configuration for the test suite: fresh database, same security as production."""
    config = from_environment(instance_path)
    config.update({"TESTING": True, "SECRET_KEY": "test-secret"})  # tests only  # nosec
    return config
