"""Markdown from users: the same safe HTML whether the text is short (kept once rendered)
or long (rendered each time), and an edited text is rendered anew."""
import re
import time

import pytest

from tracker.text import CACHED_LENGTH, markdown_text, render_markdown

HOSTILE = '**bold** <script>alert(1)</script> [link](javascript:alert(1)) [ok](https://example.org)\n# Big'


def test_short_and_long_texts_render_the_same_safe_html():
    short = render_markdown(HOSTILE)
    assert "<strong>bold</strong>" in short and "<script>" not in short
    assert not re.search(r"href=[\"']?\s*javascript", short, re.I)
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


def test_markdown_is_rendered_as_commonmark_with_line_breaks_and_images_as_links():
    html = render_markdown("one\ntwo\n- a list\n- of two\n\n~~struck~~ ![a chart](https://example.org/c.png)")
    assert html == ('<p>one<br>\ntwo</p>\n<ul>\n<li>a list</li>\n<li>of two</li>\n</ul>\n<p><s>struck</s> '
                    '<a href="https://example.org/c.png" rel="noopener noreferrer nofollow">a chart</a></p>\n')
    linked = render_markdown("[![the plan](https://example.org/p.png)](https://example.org/plan) and ![x](javascript:y)")
    assert linked == ('<p><a href="https://example.org/plan" rel="noopener noreferrer nofollow">the plan</a> and '
                      '![x](javascript:y)</p>\n')


def test_an_excerpt_keeps_the_words_without_the_marks():
    text = "## Warum?\n\n**Danke** für [den Link](https://x.example) & `code`\n\n- eins\n- <b>zwei</b>"
    assert markdown_text(text) == "Warum? Danke für den Link & code eins <b>zwei</b>"
    assert markdown_text("") == ""


@pytest.mark.parametrize("unit", ["[", "![", "[a](", "*a", "_a", "\\", "[![", "~~a", "<a"])
def test_text_made_to_be_slow_renders_in_a_moment(unit):
    """A description at the length limit made of what makes Markdown parsers backtrack (the
    earlier parser took 40 s for 19,000 "[", past the server's timeout on every view). The
    bound is a hundred times what it takes, so it only fails for a parser that backtracks."""
    text = unit * (20_000 // len(unit))
    started = time.perf_counter()
    render_markdown(text)
    assert time.perf_counter() - started < 5
