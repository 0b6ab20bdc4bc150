"""Command-line interface: `flask --app quizapp users …`, `quiz …`, `setup-link`."""

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from quizapp.errors import ServiceError
from quizapp.models.users import ROLES
from quizapp.services import accounts

users_cli = AppGroup("users", help="Manage accounts.")
# How the CLI words the account service's refusals (it speaks English, like its help).
CLI_REFUSALS = {"email_taken": "email taken", "unknown_role": "unknown role"}


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
    except ServiceError as error:
        raise click.ClickException(f"{email}: {CLI_REFUSALS.get(error.code, error.code)}") from None
    click.echo(f"created {role} {user.email} (id {user.id})")


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
def set_role(email: str, role: str) -> None:
    """Change an existing account's role (the last admin stays admin)."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"{email}: no such account")
    try:
        accounts.set_role(user, role)
    except ServiceError as error:
        if error.code == "last_admin":
            raise click.ClickException(f"{email} is the last admin and stays admin") from None
        raise click.ClickException(f"{email}: {CLI_REFUSALS.get(error.code, error.code)}") from None
    click.echo(f"{user.email} is now {role}")


def _served_at() -> str:
    """Return where `make run` serves on this computer: HOST (all networks: 127.0.0.1), PORT."""
    port = os.environ.get("PORT", "").strip() or "8000"
    host = os.environ.get("HOST", "").strip()
    # Compares, binds nothing: "all networks" is reached here at 127.0.0.1.
    if host in ("", "0.0.0.0", "::"):  # nosec
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@click.command("setup-link")
@with_appcontext
def setup_link() -> None:
    """Print a one-time link to create the admin account, if there is no admin yet."""
    token = accounts.issue_setup_token()
    if token is None:
        click.echo("An admin account exists; no setup link needed.")
        return
    base = current_app.config.get("PUBLIC_URL") or _served_at()
    bar = "=" * 72
    click.echo(f"{bar}\nNo admin account yet. Create it once with this link:\n")
    click.echo(f"    {base}/setup/{token}\n\nThe link works once.\n{bar}")


quiz_cli = AppGroup("quiz", help="Question banks and articles.")

_EXISTING = click.Path(exists=True, path_type=Path)


@quiz_cli.command("import-article")
@click.argument("paths", nargs=-1, required=True, type=_EXISTING)
@click.option("--language", type=click.Choice(["de", "en"]), help="The article's language.")
@click.option(
    "--draft-questions",
    "draft_bank",
    metavar="BANK",
    help="Also propose draft questions into the review queue of bank BANK (created if new).",
)
def import_article(paths: tuple[Path, ...], language: str | None, draft_bank: str | None) -> None:
    """Import seed articles (FILE.txt or folders of them); importing again changes nothing."""
    from quizapp.banks import articles

    if draft_bank:
        from quizapp.cli_drafts import import_with_drafts

        sys.exit(import_with_drafts(articles.seed_files(list(paths)), draft_bank, language))
    failed = False
    for path in articles.seed_files(list(paths)):
        try:
            result = articles.import_article(path, language)
        except articles.ArticleError as error:
            click.echo(str(error))
            failed = True
            continue
        click.echo(f"{result.slug}: {result.action}")
    if failed:
        sys.exit(1)


def _loaded_words(path: Path | None) -> list[str]:
    """Read the loaded-words list given, or the configured one."""
    from quizapp.banks import loaded_words_file, validate

    return validate.read_loaded_words(path or loaded_words_file())


_LOADED_WORDS = click.option(
    "--loaded-words",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Loaded-word stems, one per line (default: questions/loaded_words.txt).",
)


@quiz_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=_EXISTING)
@_LOADED_WORDS
@click.option("--strict", is_flag=True, help="Refuse editorial warnings too (exit 1).")
def validate_banks(paths: tuple[Path, ...], loaded_words: Path | None, strict: bool) -> None:
    """Check bank files (FILE.yaml or folders); exit 1 and list every error if any."""
    from quizapp.banks import articles, seeds_dir, validate

    files = validate.bank_files(paths)
    banks, errors = validate.validate_paths(
        files,
        lambda slug: articles.article_text_or_seed(slug, seeds_dir()),
        _loaded_words(loaded_words),
    )
    for error in errors:
        click.echo(str(error))
    warnings = [warning for bank in banks for warning in bank.warnings]
    for warning in warnings:
        click.echo(f"warning: {warning}")
    if errors:
        bad = len({error.file for error in errors})
        click.echo(f"{len(errors)} error(s) in {bad} of {len(files)} file(s)")
        sys.exit(1)
    if warnings:
        click.echo(f"{len(warnings)} editorial warning(s)")
        if strict:
            sys.exit(1)
    click.echo(f"{len(banks)} bank(s) valid")


@quiz_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=_EXISTING)
@_LOADED_WORDS
def import_banks(paths: tuple[Path, ...], loaded_words: Path | None) -> None:
    """Import bank files (FILE.yaml or folders); a bank with any error imports nothing."""
    from quizapp.banks import importer

    results = importer.import_paths(list(paths), _loaded_words(loaded_words))
    if not results:
        click.echo("no bank files found")
    failed = False
    for result in results:
        if isinstance(result, importer.BankImportError):
            failed = True
            for error in result.errors:
                click.echo(str(error))
            click.echo(f"{result.errors[0].file}: not imported ({len(result.errors)} error(s))")
        else:
            click.echo(str(result))
    if failed:
        sys.exit(1)


@quiz_cli.command("export")
@click.argument("bank")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "gift", "moodle-xml"]),
    default="yaml",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
def export_bank(bank: str, fmt: str, output: Path | None) -> None:
    """Export a bank by slug: yaml is the bank file (import it again: nothing changes);
    gift and moodle-xml carry the published questions to Moodle."""
    from quizapp.banks import exporter

    try:
        text = exporter.export(bank, fmt)
    except exporter.ExportError as error:
        raise click.ClickException(str(error)) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@quiz_cli.command("import-questions")
@click.argument("bank")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gift", "moodle-xml", "yaml", "tsv"]),
    required=True,
    help="The file's format.",
)
@click.option(
    "--tsv-as",
    type=click.Choice(["matching", "single_choice"]),
    default="matching",
    show_default=True,
    help="What tab-separated term/definition lines become.",
)
def import_questions(bank: str, file: Path, fmt: str, tsv_as: str) -> None:
    """Add the questions of a GIFT, Moodle XML, bank YAML or TSV file to BANK as drafts;
    a file with any error imports nothing."""
    from flask_babel import force_locale

    from quizapp.banks.import_messages import describe, describe_error
    from quizapp.errors import ServiceError
    from quizapp.services import bank_import

    with force_locale("en"):
        try:
            target = bank_import.bank_by_slug(bank)
            report = bank_import.import_questions(
                target, str(file), file.read_bytes(), fmt, tsv_as=tsv_as
            )
        except ServiceError as error:
            click.echo(describe_error(error))
            click.echo(f"{file}: nothing imported")
            sys.exit(1)
        for question in report.questions:
            click.echo(f"{report.file}:{question.line}: {question.key} ({question.type})")
            for note in question.notes:
                click.echo(f"    not carried: {describe(note.code, note.params)}")
        for skipped in report.skipped:
            click.echo(
                f"{report.file}:{skipped.line}: skipped: "
                + describe(skipped.note.code, skipped.note.params)
            )
        click.echo(f"{len(report.questions)} question(s) imported into {report.bank} as drafts")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users_cli)
    app.cli.add_command(setup_link)
    app.cli.add_command(quiz_cli)
