"""Markdown from users: the same safe HTML whether the text is short (kept once rendered)
or long (rendered each time), and an edited text is rendered anew."""
from tracker.text import CACHED_LENGTH, render_markdown

HOSTILE = '**bold** <script>alert(1)</script> [link](javascript:alert(1)) [ok](https://example.org)\n# Big'


def test_short_and_long_texts_render_the_same_safe_html():
    short = render_markdown(HOSTILE)
    assert "<strong>bold</strong>" in short and "<script>" not in short and "javascript:" not in short
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in short
    assert "<h3>Big</h3>" in short and "<h1>" not in short
    assert render_markdown(HOSTILE) == short  # again, from the kept results
    padding = "x" * CACHED_LENGTH + "\n\n"
    long = render_markdown(padding + HOSTILE)
    assert len(padding + HOSTILE) > CACHED_LENGTH
    assert long == f"<p>{'x' * CACHED_LENGTH}</p>\n{short}"


def test_an_edited_text_is_rendered_anew():
    assert "<em>one</em>" in render_markdown("*one*")
    assert "<em>two</em>" in render_markdown("*two*") and "one" not in render_markdown("*two*")
    assert render_markdown(None) == ""
