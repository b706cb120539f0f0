"""Parts of pages rendered once per process for what they show: a list's rows, a board's
cards and columns' titles, the filters, the header's navigation and the footer's languages.

A board renders 56 cards and a list 20 rows, and each costs Jinja tens of microseconds (an
escape and a Markup per value, a call through the template context per function): more than
the statements that read them. The same card shows on every leader's board until someone
votes on it or moves it, and the filters and the header are the same for everyone who chose
alike, so `fragment(name, *args)` keeps the HTML the macro `name` made, keyed on its
arguments, the page's language and where the app is mounted.

This is not a cache of data: every row still comes from the database on every request, and a
changed count, title or status is a different key, so a fragment cannot show an old number.
It holds only because such a macro reads nothing but its arguments and names that depend on
the page's language (its gettext, the kind and status badges) or root path (url_for);
tests/views/test_fragments.py checks each macro's template for that. Time-dependent text (an
item's age) is worked out before the call and passed in; so is anything about the reader.
What differs per reader or per request (a name, a CSRF token, words typed into the search)
stays in the page around the fragments.
"""
from collections.abc import Callable

from flask import Flask, url_for
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .i18n import age_text, template_context
from .models import utcnow

MAX_FRAGMENTS = 5_000  # the memo starts over when full: at most about 25 MB (a filter form is 5 KB)
MAX_TEXT = 1_000  # arguments are rows, ids and short texts; a longer text is not kept

# The macros rendered through fragment(), by name, and the templates that hold them; the names
# from the page that they may read: each is the same for every page in one language.
MACROS = {"board_card": "board/_card.html", "idea_row": "ideas/_row.html",
          "site_nav": "_macros/chrome.html", "header_links": "_macros/chrome.html",
          "language_choice": "_macros/chrome.html", "list_filters": "_macros/filters.html",
          "board_filters": "_macros/filters.html", "move_dialog": "board/_dialog.html",
          "column_title": "board/_column.html", "show_all": "board/_column.html",
          "new_comment_field": "ideas/_comment.html", "waiting_panel": "ideas/_waiting.html"}
IMPORTED = ("_macros/choices.html", "_macros/forms.html")  # imported by the templates above: held to the same rule
MACRO_TEMPLATES = tuple(sorted(set(MACROS.values()) | set(IMPORTED)))
PAGE_NAMES = frozenset({"_", "gettext", "ngettext", "url_for", "current_locale", "KIND_BADGES", "STATUS_BADGES",
                        "KIND_LABELS", "STATUS_LABELS", "Kind", "Status", "LANGUAGE_NAMES",
                        "blank_comment_body"})


def for_page(app: Flask, locale: str, root_path: str) -> Callable[..., Markup]:
    """`fragment(name, *args)` for one page: the HTML of the macro `name` (see MACROS)."""
    if app.jinja_env.auto_reload:  # templates may change while the app runs (development)
        return _render

    memo = app.extensions.setdefault("nebenan.fragments", {})
    macros = app.extensions.setdefault("nebenan.fragment_macros", {})

    @pass_context
    def fragment(context: Context, name: str, *args) -> Markup:
        key = (name, locale, root_path, *args)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # an argument that cannot be part of a key
            return _macro(app, macros, context, name, locale)(*args)
        html = _macro(app, macros, context, name, locale)(*args)
        # Markup("<b>") and "<b>" are equal keys that render differently: only plain values.
        if not any(type(arg) is Markup or (type(arg) is str and len(arg) > MAX_TEXT) for arg in args):
            if len(memo) >= MAX_FRAGMENTS:
                memo.clear()
            memo[key] = html
        return html

    return fragment


def _macro(app: Flask, macros: dict, context: Context, name: str, locale: str):
    """The macro from its template made into a module once per process and language, with the
    page's names for that language (PAGE_NAMES): a `{% from … import … with context %}` would
    make the module again on every page. url_for is Flask's own, which reads the request it is
    called in, not the first page's."""
    try:
        return macros[name, locale]
    except KeyError:
        module = _module(app, context, name, template_context(locale, per_page=False))
        macro = macros[name, locale] = getattr(module, name)
        return macro


def _module(app: Flask, context: Context, name: str, language: dict | None = None):
    """`language`: the names for the page's language to use instead of the page's own."""
    names = {key: context[key] for key in PAGE_NAMES if key in context}
    names.update({key: value for key, value in (language or {}).items() if key in PAGE_NAMES})
    names["url_for"] = url_for
    return app.jinja_env.get_template(MACROS[name]).make_module(names)


@pass_context
def _render(context: Context, name: str, *args) -> Markup:
    from flask import current_app

    return getattr(_module(current_app, context, name), name)(*args)


def chosen(value, choices):
    """`value` if it is the id of one of `choices` (teams or categories), else None: what a
    filter's select shows as chosen, and the key of the kept filters. A made-up id in the query
    would otherwise keep one more copy of the same form."""
    return value if value is not None and any(choice.id == value for choice in choices) else None


@pass_context
def board_cards(context: Context, column, back: str) -> Markup:
    """A board column's cards (triage.Column), as `{% for idea in column.cards %}{{ fragment(
    "board_card", idea, column.targets, idea.id in column.waiting, idea.id in column.movable,
    idea.created_at|age, back) }}{% endfor %}` writes them, without Jinja's work around each of
    the 56 cards of a board (the loop, a call through the context, the filter): ~6 % of a board.
    The cards are joined as the Markup each already is: Markup.join passes each through
    escape() once more (a method call and a copy of its HTML per card, 3 % of a board)."""
    fragment, locale, now = context["fragment"], context["current_locale"], utcnow()
    return Markup("".join(
        fragment(context, "board_card", card, column.targets, card.id in column.waiting, card.id in column.movable,
                 age_text(card.created_at, locale, now), back)
        for card in column.cards))


@pass_context
def idea_rows(context: Context, ideas) -> Markup:
    """The list's rows (cards.Card), as `{% for idea in ideas %}{{ fragment("idea_row", idea,
    idea.created_at|age) }}{% endfor %}` writes them, without Jinja's work around each row."""
    fragment, locale, now = context["fragment"], context["current_locale"], utcnow()
    return Markup("\n".join(fragment(context, "idea_row", idea, age_text(idea.created_at, locale, now))
                             for idea in ideas))


@pass_context
def waiting_panel(context: Context, waiting, days: int, everyone: bool) -> Markup:
    """The leaders' waiting panel (services.list_ideas: pagination.waiting) as `fragment(
    "waiting_panel", ...)` renders it, with each item's age worked out here (the clock)."""
    fragment, locale, now = context["fragment"], context["current_locale"], utcnow()
    oldest = tuple((card, age_text(card.created_at, locale, now)) for card in waiting.oldest)
    return fragment(context, "waiting_panel", waiting.total, oldest, days, everyone)
