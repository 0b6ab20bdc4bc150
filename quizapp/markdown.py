"""Markdown in prompts and explanations: rendered by markdown-it-py, cleaned by nh3.

Raw HTML in the source is not passed through (it shows as text), and the sanitiser
removes whatever still looks dangerous: scripts, event handlers, javascript: links, iframes.
"""

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
BLOCK_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
INLINE_TAGS = {"br", "strong", "em", "code", "a"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _clean(html: str, tags: set[str]) -> Markup:
    """Keep only the allowed tags and safe links."""
    # nh3 has just removed every tag, attribute and scheme outside the lists above.
    return Markup(  # nosec B704
        nh3.clean(
            html,
            tags=tags,
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        ).strip()
    )


def render(text: str | None) -> Markup:
    """Render Markdown blocks (paragraphs, lists, emphasis, links) to safe HTML."""
    return _clean(_md.render(text or ""), BLOCK_TAGS)


def render_inline(text: str | None) -> Markup:
    """Render one line of Markdown (emphasis, code, links) to safe HTML, without paragraphs."""
    return _clean(_md.renderInline(text or ""), INLINE_TAGS)


def init_app(app: Flask) -> None:
    """Offer the filters `markdown` (blocks) and `markdown_inline` to templates."""
    app.add_template_filter(render, "markdown")
    app.add_template_filter(render_inline, "markdown_inline")
