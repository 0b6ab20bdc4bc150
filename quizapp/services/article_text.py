"""Turn a pasted or uploaded article into the stored text: one line per heading or paragraph.

Markdown is read with markdown-it-py and HTML with Beautiful Soup; both are reduced to
headings and paragraphs (lists become one paragraph per item). The article view tells a
heading from a paragraph as the seed format does: a short line without a final period.
"""

import re

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

FORMATS = ("txt", "md", "html")
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "dd", "dt")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def _line(text: str) -> str:
    """Collapse the whitespace of a block into single spaces."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def from_plain(raw: str) -> str:
    """Normalise line endings; keep the text as written, blank lines between paragraphs."""
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in raw.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def from_markdown(raw: str) -> str:
    """Reduce Markdown to its headings and paragraphs, as plain text lines."""
    tokens = MarkdownIt("commonmark", {"html": False}).parse(from_plain(raw))
    lines = []
    for token in tokens:
        if token.type == "inline":
            text = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or []
            )
            if _line(text):
                lines.append(_line(text))
        elif token.type in ("code_block", "fence") and _line(token.content):
            lines.append(_line(token.content))
    return "\n\n".join(lines)


def from_html(raw: str) -> str:
    """Reduce HTML to its headings and paragraphs (scripts, styles and navigation dropped)."""
    soup = BeautifulSoup(raw.removeprefix("\ufeff"), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    lines = []
    for tag in soup.find_all(_BLOCKS):
        if tag.find(_BLOCKS):
            continue  # the inner blocks are taken on their own
        text = _line(tag.get_text(""))
        if text:
            lines.append(text)
    if not lines:
        text = _line(soup.get_text(" "))
        lines = [text] if text else []
    return "\n\n".join(lines)


def article_text(raw: str, fmt: str) -> str:
    """Return the stored text of an article given as plain text, Markdown or HTML."""
    if fmt == "md":
        return from_markdown(raw)
    if fmt == "html":
        return from_html(raw)
    return from_plain(raw)
