"""Locale selection and the translation catalogues (German first, English complete).

Message ids are English. Each area of the app (the core, and every package of
quizapp/ that has a translations/ folder) keeps its own catalogue, so work on
one area never touches another's files. An area owns its package's Python
files and templates/<package>/; the core owns everything else.
"""

import os
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, current_app, g, request, session

from quizapp.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "quizapp"
TEMPLATES = ROOT / "templates"
LOCALES = ("de", "en")
# N_ marks a message where it is defined (grading.py) without translating it there.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}


def areas() -> dict[str, Path]:
    """Return each area's name and its translations folder."""
    found = {"core": PACKAGE / "translations"}
    for path in sorted(PACKAGE.glob("*/translations")):
        found[path.parent.name] = path
    return found


def area_sources(area: str) -> list[tuple[Path, str]]:
    """Return the (file, method) pairs whose messages belong to an area."""
    others = [name for name in areas() if name != "core"]
    files: list[tuple[Path, str]] = []
    if area == "core":
        for path in PACKAGE.rglob("*.py"):
            if path.relative_to(PACKAGE).parts[0] not in others:
                files.append((path, "python"))
        for path in TEMPLATES.rglob("*.html"):
            if path.relative_to(TEMPLATES).parts[0] not in others:
                files.append((path, "jinja2"))
    else:
        files += [(p, "python") for p in (PACKAGE / area).rglob("*.py")]
        files += [(p, "jinja2") for p in (TEMPLATES / area).rglob("*.html")]
    return sorted(files)


def extract(area: str) -> Catalog:
    """Extract the messages of one area into a fresh catalogue."""
    catalog = Catalog()
    for path, method in area_sources(area):
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            location = (str(path.relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def po_path(area: str, locale: str) -> Path:
    """Return the .po file of an area and locale."""
    return areas()[area] / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str) -> Catalog:
    """Read a .po file, or return an empty catalogue if there is none yet."""
    if not path.exists():
        return Catalog(locale=locale)
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def missing(area: str) -> dict[str, list[str]]:
    """Return, per locale, the message ids of an area that have no translation."""
    template = extract(area)
    result = {}
    for locale in LOCALES:
        catalog = read_catalog(po_path(area, locale), locale)
        gaps = []
        for message in template:
            if not message.id:
                continue
            have = catalog.get(message.id, context=message.context)
            strings = have.string if have else None
            if not have or not strings or (isinstance(strings, tuple) and not all(strings)):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        result[locale] = gaps
    return result


def update(area: str) -> None:
    """Bring an area's catalogues up to date with its sources; English copies the ids."""
    template = extract(area)
    for locale in LOCALES:
        path = po_path(area, locale)
        catalog = read_catalog(path, locale)
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":
            for message in catalog:
                if isinstance(message.id, str) and not message.string:
                    message.string = message.id
                elif message.id and not all(message.string):
                    message.string = tuple(message.id)
        # Drop what the sources no longer use, so the files stay readable.
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, sort_output=True)


def select_locale() -> str:
    """Pick the language: explicit choice, then the account's, then Accept-Language, then German."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Only a user already loaded: loading one here could ask for the locale again.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(languages) or languages[0]


def compile_catalogues() -> list[Path]:
    """Compile every .po file to .mo where the .mo is missing or older; return those written."""
    written = []
    for directory in areas().values():
        for po in directory.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as f:
                catalog = read_po(f)
            tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            tmp.replace(mo)
            written.append(mo)
    return written


@click.group("i18n")
def i18n_cli() -> None:
    """Translation catalogues."""


@i18n_cli.command("update")
@click.argument("area_names", nargs=-1)
def update_command(area_names: tuple[str, ...]) -> None:
    """Extract messages and update the de/en catalogues of the given areas (default: all)."""
    for area in area_names or areas():
        update(area)
        gaps = missing(area)["de"]
        click.echo(f"{area}: {len(gaps)} German translation(s) missing")
        for gap in gaps:
            click.echo(f"  - {gap}")


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile the catalogues."""
    for path in compile_catalogues():
        click.echo(f"compiled {path.relative_to(ROOT)}")


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with every area's catalogue folder."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in areas().values())
    compile_catalogues()
    babel.init_app(app, locale_selector=select_locale)
    app.cli.add_command(i18n_cli)
