"""The Alembic migrations build exactly the schema the models describe."""

import os
import tempfile

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine

from quizapp import create_app
from quizapp.extensions import db


def test_migrations_match_the_models():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "migrated.sqlite")
    else:
        # A separate schema would need its own database; SQLite keeps this test self-contained.
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "migrated.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
