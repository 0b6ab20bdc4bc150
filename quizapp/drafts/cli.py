"""`flask quiz import-article FILE --draft-questions BANK`: import, propose, print a summary."""

from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from quizapp.banks.articles import ArticleError
from quizapp.drafts.messages import message
from quizapp.errors import ServiceError
from quizapp.services import drafts as service


def import_with_drafts(paths: list[Path], bank_slug: str, language: str | None = None) -> int:
    """Import each file and propose drafts into the bank; return the exit status."""
    failed = False
    for path in paths:
        try:
            article, result = service.import_file(path, bank_slug, language)
        except ArticleError as error:
            click.echo(str(error))
            failed = True
            continue
        except ServiceError as error:
            # The command line speaks English, like the rest of `flask quiz`.
            with current_app.test_request_context(), force_locale("en"):
                click.echo(f"{path}: {message(error)}")
            failed = True
            continue
        click.echo(f"{article.slug}: {article.action}")
        click.echo(
            f"{result.bank.slug}: {result.created} draft(s) proposed over {result.sentences} "
            f"sentence(s), {result.skipped} proposed before (not again); "
            f"{result.pending} waiting for review at /drafts/{result.bank.slug}"
        )
    return 1 if failed else 0
