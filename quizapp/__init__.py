"""quizapp: source-grounded quizzes for political education."""

import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp import config as settings
from quizapp import inputs
from quizapp.extensions import csrf, db, limiter, login, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → errors → CLI."""
    app = Flask(
        __name__,
        instance_path=os.path.join(ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    inputs.init_app(app)
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if os.environ.get("TRUST_PROXY") == "1":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from quizapp import i18n, markdown, media, models, navigation, security  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    navigation.init_app(app)
    markdown.init_app(app)
    media.init_app(app)

    from quizapp import (
        api,
        auth,
        author,
        classes,
        content,
        drafts,
        learn,
        live,
        main,
        progress,
        teach,
    )

    for area in (main, auth, content, learn, progress, classes, live, drafts, api, teach, author):
        app.register_blueprint(area.bp)
    main.routes.register_errors(app)

    from quizapp import cli

    cli.init_app(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Open SQLite in WAL mode with a busy timeout and foreign keys enforced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
