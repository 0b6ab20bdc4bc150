"""Flask extensions, created unbound here and bound to the app in create_app()."""

from collections.abc import Callable

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


def client_address() -> str:
    """Return the client's address (the proxy in front sets X-Forwarded-For via ProxyFix)."""
    return request.remote_addr or "unknown"


class Base(DeclarativeBase):
    """Declarative base with named constraints, so Alembic can alter them on SQLite."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address)


def unlimited(view: Callable) -> Callable:
    """Exempt a view from every rate limit, and spare its requests the limiter's look.

    `limiter.exempt` alone still resolves the app's limits on each request and only then drops
    them (3.7 % of a learner's answer request in py-spy); the request filter below stops the
    limiter before that. The views so marked are the busiest: answers, event streams, /healthz.
    """
    view = limiter.exempt(view)
    view.unlimited = True
    return view


@limiter.request_filter
def _is_unlimited() -> bool:
    """Whether this request's view is marked `unlimited` (the limiter then skips it)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "unlimited", False)
