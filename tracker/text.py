"""Markdown rendered safely: markdown-it-py (CommonMark) for the syntax, nh3 to keep only
harmless HTML.

CommonMark's parsers are written against its specification's "pathological" inputs, text made
to be slow: any text up to the length limits renders in a fraction of a second here (0.14 s at
worst, tests/unit/test_text.py). python-markdown, used before, took 40 seconds for a
description of 19,000 "[" and so held a server process past its timeout on every view."""
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "hr", "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# Line breaks are kept as typed; ~~struck out~~ as on most sites. HTML typed into a text is
# shown as typed: as HTML, an unclosed "<!--" or "<?" would hide the rest of the text.
_MARKDOWN = MarkdownIt("commonmark", {"breaks": True, "html": False}).enable("strikethrough")


def _image_as_link(renderer, tokens, idx, options, env) -> str:
    """An image as a link to it, named by its description (a page of colleagues' texts loads
    nothing from elsewhere); inside a link, its description alone (a link holds no link)."""
    token = tokens[idx]
    source = token.attrGet("src") or ""
    text = escapeHtml(renderer.renderInlineAsText(token.children or [], options, env) or source)
    links = [t.type for t in tokens[:idx] if t.type in ("link_open", "link_close")]
    inside_link = links.count("link_open") > links.count("link_close")
    return text if inside_link else f'<a href="{escapeHtml(source)}">{text}</a>'


_MARKDOWN.add_render_rule("image", _image_as_link)


CACHED_LENGTH = 5000  # texts up to this long are kept once rendered: most descriptions and comments


def render_markdown(source: str) -> Markup:
    """Safe HTML for a text. A pure function of the text, so the result is kept for the 512
    texts most recently shown (a popular item's description and comments are converted once,
    not on every view; an edited text is a different key); long texts are converted each time,
    which bounds the memory this takes to a few megabytes per process."""
    source = source or ""
    return _render_kept(source) if len(source) <= CACHED_LENGTH else _render(source)


@lru_cache(maxsize=512)
def _render_kept(source: str) -> Markup:
    return _render(source)


def _render(source: str) -> Markup:
    html = _MARKDOWN.render(source)
    # Headings from users start at h3 so they never outrank the page's own.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def markdown_text(source: str) -> str:
    """A text's words without its Markdown marks, on one line: for an excerpt, where the text
    shows inside a sentence or is cut short ("**Danke**" reads "Danke")."""
    words = nh3.clean(str(render_markdown(source)), tags=set())
    return " ".join(Markup(words).unescape().split())


def plain_text(html) -> str:
    """What a macro written for pages made, as plain text for an email: &amp;, &lt; and &#39;
    back to the characters that were typed. (The macro escapes what it shows because its
    template is HTML; called from a text template it returns that HTML as a plain str.)"""
    return Markup(html).unescape()
