"""The Alembic migrations build exactly the schema the models describe, on SQLite and,
in CI's second pass, on PostgreSQL (in a scratch database next to the test database)."""

import os
import secrets
import tempfile
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from quizapp import create_app
from quizapp.extensions import db


@contextmanager
def scratch_postgres(url: str):
    """A new, empty PostgreSQL database on the server of `url`, dropped afterwards."""
    url = make_url(url).set(drivername="postgresql+psycopg")
    name = f"{url.database}_mig_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_sqlite():
    yield "sqlite:///" + os.path.join(tempfile.mkdtemp(), "migrated.sqlite")


def databases():
    yield "sqlite"
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield "postgresql"


@pytest.mark.parametrize("dialect", list(databases()))
def test_migrations_match_the_models_and_downgrade_cleanly(dialect):
    if dialect == "sqlite":
        scratch = scratch_sqlite()
    else:
        scratch = scratch_postgres(os.environ["DATABASE_URL"])
    with scratch as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade()
            engine = create_engine(url)
            with engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
                assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
                keys = inspect(connection).get_foreign_keys("question")
                assert {"question_version"} <= {k["referred_table"] for k in keys}
            downgrade(revision="base")
            with engine.connect() as connection:
                assert inspect(connection).get_table_names() == ["alembic_version"]
            upgrade()
            engine.dispose()
            db.engine.dispose()
