"""Import source articles from the raw seed format (`date YYYY-MM-DD`, an optional
`origin …` line, then the text as written)."""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from quizapp.banks.quotes import find_quote
from quizapp.extensions import db
from quizapp.models import Article

_DATE_LINE = re.compile(r"\s*date[ \t]+(\S+)(?:[ \t]*\n|[ \t]+|[ \t]*$)")
# An optional line after the date: what is known of the article's origin (author, outlet).
_ORIGIN_LINE = re.compile(r"[ \t]*origin[ \t]+([^\n]*\S)[ \t]*(?:\n|$)")
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s|$)")
TITLE_LENGTH = 300


class ArticleError(Exception):
    """A seed file that cannot be imported; str() names the file and line."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(frozen=True)
class SeedArticle:
    """An article as parsed from a seed file."""

    slug: str
    published_on: date
    title: str
    text: str
    origin: str | None = None


@dataclass(frozen=True)
class ArticleResult:
    """What importing one seed file did: created, updated or unchanged."""

    slug: str
    action: str


def first_sentence(text: str) -> str:
    """Return the first sentence of a text (at most its first line), without a final period."""
    line = text.strip().split("\n", 1)[0].strip()
    match = _SENTENCE_END.search(line)
    sentence = line[: match.end()] if match else line
    sentence = sentence.removesuffix(".").strip()
    if len(sentence) > TITLE_LENGTH:
        sentence = sentence[: TITLE_LENGTH - 1].rstrip() + "…"
    return sentence


def parse_seed(raw: str, file: str, slug: str) -> SeedArticle:
    """Parse a seed file's content; the text is kept as written except line endings and the
    whitespace around it (tolerates leading blanks and text on the date line)."""
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    match = _DATE_LINE.match(raw)
    if not match:
        line = raw[: len(raw) - len(raw.lstrip())].count("\n") + 1
        raise ArticleError(file, line, "the first line must be `date YYYY-MM-DD`")
    line = raw[: match.start(1)].count("\n") + 1
    try:
        published_on = date.fromisoformat(match.group(1))
    except ValueError:
        raise ArticleError(
            file, line, f"`{match.group(1)}` is not a date of the form YYYY-MM-DD"
        ) from None
    rest = raw[match.end() :]
    origin = _ORIGIN_LINE.match(rest) if match.group(0).endswith("\n") else None
    if origin:
        rest = rest[origin.end() :]
    text = rest.lstrip().rstrip("\n")
    if not text:
        raise ArticleError(file, line + 1, "the article has no text after the date")
    return SeedArticle(
        slug, published_on, first_sentence(text), text, origin.group(1) if origin else None
    )


def read_seed(path: Path) -> SeedArticle:
    """Read and parse one seed file; the slug is the file name without .txt."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ArticleError(str(path), 1, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ArticleError(str(path), 1, f"cannot read the file ({error.strerror})") from None
    return parse_seed(raw, str(path), path.stem)


def seed_files(paths: list[Path]) -> list[Path]:
    """Expand folders to their *.txt files (sorted); keep files as given."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.txt")) if path.is_dir() else [path])
    return found


def import_article(path: Path, language: str | None = None) -> ArticleResult:
    """Create or update the article of a seed file in one transaction.

    A changed text is accepted only when every existing claim's quote still occurs in it;
    the claims' offsets then follow the new text.
    """
    seed = read_seed(path)
    try:
        result = _store(seed, str(path), language)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _store(seed: SeedArticle, file: str, language: str | None) -> ArticleResult:
    """Write the parsed article (no commit)."""
    article = db.session.scalar(select(Article).where(Article.slug == seed.slug))
    if article is None:
        article = Article(
            slug=seed.slug,
            title=seed.title,
            language=language or "de",
            published_on=seed.published_on,
            text=seed.text,
            origin=seed.origin,
        )
        db.session.add(article)
        db.session.flush()
        return ArticleResult(seed.slug, "created")
    wanted = {
        "title": seed.title,
        "published_on": seed.published_on,
        "text": seed.text,
        "origin": seed.origin,
    }
    if language:
        wanted["language"] = language
    changes = {k: v for k, v in wanted.items() if getattr(article, k) != v}
    if not changes:
        return ArticleResult(seed.slug, "unchanged")
    if "text" in changes:
        offsets = {}
        lost = []
        for claim in article.claims:
            found = find_quote(seed.text, claim.quote)
            if found is None:
                lost.append(claim.key)
            offsets[claim.key] = found
        if lost:
            raise ArticleError(
                file,
                1,
                f"the new text of article '{seed.slug}' no longer contains the quote of "
                f"claim(s) {', '.join(lost)}; fix the text or the bank first",
            )
        for claim in article.claims:
            claim.start, claim.end = offsets[claim.key]
    for name, value in changes.items():
        setattr(article, name, value)
    db.session.flush()
    return ArticleResult(seed.slug, "updated")


def article_by_slug(slug: str) -> Article | None:
    """Return the stored article with this slug, if any."""
    return db.session.scalar(select(Article).where(Article.slug == slug))


def article_text_or_seed(slug: str, seeds_dir: Path) -> str | None:
    """Return an article's text from the database, else from seeds/<slug>.txt (for `validate`
    before anything is imported), else None."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        article = article_by_slug(slug)
    except SQLAlchemyError:
        # No tables yet (fresh clone): the seed file is the article.
        db.session.rollback()
        article = None
    if article is not None:
        return article.text
    path = seeds_dir / f"{slug}.txt"
    if not path.is_file():
        return None
    try:
        return read_seed(path).text
    except ArticleError:
        return None
