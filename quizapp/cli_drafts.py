"""`flask quiz import-article FILE --draft-questions BANK`: import, propose, print a summary.

The command line speaks English, like the rest of `flask quiz`; the review pages word the same
refusal codes in German and English (quizapp/drafts/messages.py).
"""

from pathlib import Path

import click

from quizapp.banks.articles import ArticleError
from quizapp.errors import ServiceError
from quizapp.services import drafts as service

ERRORS = {
    "empty": "the file is empty: there is no text to import",
    "binary": "this is not a text file (UTF-8); save the article as plain text",
    "too_long": "the text has {size} characters; an article may have at most {limit}",
    "unreadable": "the file cannot be read ({reason})",
    "not_german": (
        "draft questions are offered only for German texts; the article is imported, so "
        "questions can still be written for it by hand"
    ),
    "bank_slug": "'{slug}' is not a valid bank name: use a-z, 0-9 and single hyphens",
    "bank_other_article": "the bank '{slug}' belongs to another article; choose another name",
    "busy": "drafts are being proposed for this bank right now; try again",
}


def describe(error: ServiceError) -> str:
    """Word a drafts refusal for the command line."""
    return ERRORS.get(error.code, error.code).format(**error.params)


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
            click.echo(f"{path}: {describe(error)}")
            failed = True
            continue
        click.echo(f"{article.slug}: {article.action}")
        click.echo(
            f"{result.bank.slug}: {result.created} draft(s) proposed over {result.sentences} "
            f"sentence(s), {result.skipped} proposed before (not again); "
            f"{result.pending} waiting for review at /drafts/{result.bank.slug}"
        )
    return 1 if failed else 0
