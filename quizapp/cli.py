"""Command-line interface: `flask --app quizapp users …`, `quiz …`, `setup-link`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from quizapp.auth import service as accounts
from quizapp.models.users import ROLES

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.password_option(help="Password (asked for if not given).")
def create_user(email: str, display_name: str, role: str, password: str) -> None:
    """Create an account with a role."""
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    try:
        user = accounts.register(email, display_name, password, role=role)
    except accounts.AccountError as error:
        raise click.ClickException(f"{email}: {error}") from None
    click.echo(f"created {role} {user.email} (id {user.id})")


@click.command("setup-link")
@with_appcontext
def setup_link() -> None:
    """Print a one-time link to create the admin account, if there is no admin yet."""
    token = accounts.issue_setup_token()
    if token is None:
        click.echo("An admin account exists; no setup link needed.")
        return
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:8000"
    bar = "=" * 72
    click.echo(f"{bar}\nNo admin account yet. Create it once with this link:\n")
    click.echo(f"    {base}/setup/{token}\n\nThe link works once.\n{bar}")


quiz_cli = AppGroup("quiz", help="Question banks and articles.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users_cli)
    app.cli.add_command(setup_link)
    app.cli.add_command(quiz_cli)
