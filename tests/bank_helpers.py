"""Helpers for the bank and article tests: fixture paths, the seed article, database dumps."""

from pathlib import Path

from sqlalchemy import select

from quizapp.banks import articles, validate
from quizapp.banks.importer import import_file
from quizapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "seeds" / "nato-2025-12-04.txt"
MINI = DATA / "banks" / "nato-mini.yaml"
SMALL = DATA / "banks" / "small.yaml"
BROKEN = DATA / "broken"
LOADED_WORDS = validate.read_loaded_words(ROOT / "questions" / "loaded_words.txt")


def seed_text() -> str:
    """Return the seed article's text as the importer stores it."""
    return articles.read_seed(SEED).text


def seed_lookup(slug: str) -> str | None:
    """Article lookup for validating without a database: only the seed article exists."""
    return seed_text() if slug == SEED.stem else None


def import_seed():
    """Import the seed article and return its result."""
    return articles.import_article(SEED)


def import_bank(path: Path):
    """Import one bank file with the project's loaded words."""
    return import_file(path, LOADED_WORDS)


def dump_database() -> dict[str, list[tuple]]:
    """Return every row of every table, ordered by primary key, to compare states exactly."""
    db.session.expire_all()
    dump = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        dump[table.name] = [tuple(row) for row in rows]
    return dump
