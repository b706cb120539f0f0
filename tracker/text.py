"""Markdown rendered safely: python-markdown for the syntax, nh3 to keep only harmless HTML."""
import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "hr", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(source: str) -> Markup:
    html = markdown.markdown(source or "", extensions=["sane_lists", "nl2br"], output_format="html")
    # Headings from users start at h3 so they never outrank the page's own.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
