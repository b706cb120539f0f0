"""Locale selection, the translated names of the workflow's codes, and the templates'
translations and number, hour and age formats."""
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, g, has_request_context, request, session
from flask_babel import force_locale, format_date, format_datetime, get_locale, get_timezone, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup, escape

from .models import utcnow
from .workflow import Kind, Role, Status

KIND_LABELS = {
    Kind.PAIN_POINT: _l("Pain point"),
    Kind.IDEA: _l("Improvement idea"),
}

STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.REVIEW: _l("Under review"),
    Status.PLANNED: _l("Planned"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.IMPLEMENTED: _l("Implemented"),
    Status.DECLINED: _l("Declined"),
    Status.DUPLICATE: _l("Duplicate"),
}

ROLE_LABELS = {
    Role.EMPLOYEE: _l("Employee"),
    Role.LEADER: _l("Leader"),
    Role.ADMIN: _l("Admin"),
}

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def select_locale() -> str | None:
    """The user's own setting, then the session's choice, then Accept-Language."""
    if not has_request_context():
        return None  # the default locale, e.g. for the command line
    languages = current_app.config["LANGUAGES"]
    if not g.get("database_unavailable") and current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages)


# --- templates ---------------------------------------------------------------------------
# flask-babel's template gettext looks the request's catalog up again for every string
# (five context-local lookups each); a page of cards says a few hundred strings. Bound once
# per rendered page to the catalog itself, a string costs a dictionary lookup.

def _fill(text: str, variables: dict, autoescape: bool) -> str:
    """`text % variables` as Jinja's newstyle gettext does it: with autoescaping, the values
    are escaped and the result is Markup. (markupsafe's Markup % wraps every value in a helper
    object; numbers need no escaping, and a page of cards fills a few hundred counts.)"""
    if not autoescape:
        return text % variables
    return Markup(text % {name: value if isinstance(value, (int, float, Decimal)) else escape(value)
                          for name, value in variables.items()})


def _key(variables: dict) -> tuple | None:
    """The variables as part of a key, or None when a value is not a string or a whole
    number (equal values of other types can print differently: Decimal 1.5 and 1.50)."""
    key = []
    for name, value in variables.items():
        if type(value) not in _PLAIN:
            return None
        key += (name, type(value), value)  # "<b>" as text and as Markup print differently
    return tuple(key)


_PLAIN = frozenset({str, int, Markup})


# Strings without variables, translated and escaped, per language: the templates' own texts,
# the same few hundred on every page (a board says 45). Bounded in case a text ever came from
# elsewhere.
_TEXTS: dict[str, dict] = {}
MAX_TEXTS = 5_000


def _newstyle_gettext(translate, per_page: bool = True, texts: dict | None = None):
    """Jinja's "newstyle" gettext (autoescaping, %(name)s variables) over `translate`. Each
    string with the same variables is done once per page: a board repeats its labels and
    its "1.5 h/week lost" on many cards. (per_page=False: kept for the life of the process,
    so nothing is remembered; see template_context.) `texts`: the language's strings without
    variables, done once per process."""
    done = {} if per_page else None
    texts = {} if texts is None else texts

    @pass_eval_context  # not the context: Jinja copies that for each call inside a loop
    def gettext(eval_ctx, string, /, **variables):
        autoescape = eval_ctx.autoescape
        if not variables:
            try:
                return texts[string, autoescape]
            except KeyError:
                text = _fill(translate(string), variables, autoescape)
                if len(texts) < MAX_TEXTS:
                    texts[string, autoescape] = text
                return text
        values = _key(variables)
        key = (string, autoescape, values)
        if values is not None and done is not None and key in done:
            return done[key]
        text = _fill(translate(string), variables, autoescape)
        if values is not None and done is not None:
            done[key] = text
        return text

    return gettext


def _newstyle_ngettext(translate, per_page: bool = True):
    """As _newstyle_gettext, for a count: "1 vote", "2 votes" on many cards."""
    done = {} if per_page else None

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, /, **variables):
        autoescape = eval_ctx.autoescape
        values = (_key(variables) if variables else ()) if type(num) is int else None
        key = (singular, plural, num, autoescape, values)
        if values is not None and done is not None and key in done:
            return done[key]
        text = _fill(translate(singular, plural, num), {"num": num, **variables}, autoescape)
        if values is not None and done is not None:
            done[key] = text
        return text

    return ngettext


@lru_cache(maxsize=8)
def _labels(locale: str) -> dict:
    """The workflow's names in one language, as plain strings, and the badges that show a
    kind or a status (the same few per language, on every row of a list and every card)."""
    with force_locale(locale):
        names = {name: {code: str(label) for code, label in labels.items()}
                 for name, labels in (("KIND_LABELS", KIND_LABELS), ("STATUS_LABELS", STATUS_LABELS),
                                      ("ROLE_LABELS", ROLE_LABELS))}
    badge = Markup('<span class="badge {}-{}">{}</span>')
    return {**names,
            "KIND_BADGES": {code: badge.format("kind", code, label) for code, label in names["KIND_LABELS"].items()},
            "STATUS_BADGES": {code: badge.format("status", code, label)
                              for code, label in names["STATUS_LABELS"].items()}}


def template_context(locale: str, per_page: bool = True) -> dict:
    """gettext, ngettext and the workflow's names for one rendered page, in its language (the
    request's). per_page=False: for macros kept for the life of the process (fragments), whose
    gettext must not remember every count it ever filled in."""
    translations = get_translations()
    gettext = _newstyle_gettext(translations.gettext, per_page, _TEXTS.setdefault(locale, {}))
    # `_` too: Jinja's own `_` looks `gettext` up again and calls it, a second call per string.
    return {"gettext": gettext, "_": gettext, "ngettext": _newstyle_ngettext(translations.ngettext, per_page),
            **_labels(locale)}


# --- numbers and times in the reader's format ------------------------------------------
# The same few values (vote counts, minutes, ages in whole minutes, an item's dates) recur
# on every page and every view of it; Babel formats each in tens of microseconds, a
# dictionary returns it in one.

def _locale_of(context) -> str:
    return context.get("current_locale") or str(get_locale() or "en")


@lru_cache(maxsize=4096)
def _number(value, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


@lru_cache(maxsize=4096)
def _hours(minutes: int, locale: str) -> str:
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return babel_numbers.format_decimal(hours, format="#,##0.#", locale=locale)


@lru_cache(maxsize=8192)
def _age(minutes: int, locale: str) -> str:
    return babel_dates.format_timedelta(timedelta(minutes=minutes), add_direction=True, granularity="minute",
                                        locale=locale)


@lru_cache(maxsize=4096)
def _moment(formatter, moment: datetime, format: str | None, locale: str, timezone: str) -> str:
    with force_locale(locale):  # the request's time zone, the key's too
        return formatter(moment, format)


@pass_context
def date_filter(context, moment: datetime, format: str | None = None) -> str:
    """flask-babel's format_date: the day, in the reader's language and the company's time zone."""
    return _moment(format_date, moment, format, _locale_of(context), str(get_timezone()))


@pass_context
def datetime_filter(context, moment: datetime, format: str | None = None) -> str:
    """flask-babel's format_datetime: day and time, as date_filter."""
    return _moment(format_datetime, moment, format, _locale_of(context), str(get_timezone()))


@pass_context
def number_filter(context, value) -> str:
    return _number(value, _locale_of(context))


@pass_context
def hours_filter(context, minutes) -> str:
    """Minutes as hours with at most one decimal, rounded half up."""
    return _hours(int(minutes or 0), _locale_of(context))


@pass_context
def age_filter(context, moment: datetime) -> str:
    """How long ago (or from now), to the minute: "3 days ago", "vor 5 Minuten"."""
    return age_text(moment, _locale_of(context), utcnow())


def age_text(moment: datetime, locale: str, now: datetime) -> str:
    """The age filter's text, seen at `now`."""
    seconds = (moment - now).total_seconds()
    minutes = round(seconds / 60) or (1 if seconds > 0 else -1)  # "1 minute ago", never "in 0 minutes"
    return _age(minutes, locale)
