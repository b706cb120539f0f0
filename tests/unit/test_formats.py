"""What templates print for numbers, hours, ages and translated strings, in both languages."""
from datetime import timedelta

import pytest
from flask import render_template_string

from tracker.models import utcnow

PAGE = """{{ 12345|number }} | {{ 90|hours }} | {{ 2400|hours }} | {{ 0|hours }} | {{ then|age }} | {{ soon|age }}
| {{ just_now|age }} | {{ _("Show all %(num)s", num=3) }} | {{ _("Show all %(num)s", num=4) }}
| {{ _("Notifications") }} | {{ _("Notifications") }}
| {{ ngettext("%(num)d vote", "%(num)d votes", 1) }} | {{ ngettext("%(num)d vote", "%(num)d votes", 2) }}
| {{ STATUS_LABELS["review"] }} | {{ _("Hello %(name)s,", name="<b>Ann</b>") }}"""


@pytest.mark.parametrize("language, expected", [
    ("en", "12,345 | 1.5 | 40 | 0 | 3 days ago | in 5 minutes | 1 minute ago | Show all 3 | Show all 4"
           " | Notifications | Notifications"
           " | 1 vote | 2 votes | Under review | Hello &lt;b&gt;Ann&lt;/b&gt;,"),
    ("de", "12.345 | 1,5 | 40 | 0 | vor 3 Tagen | in 5 Minuten | vor 1 Minute | Alle 3 anzeigen | Alle 4 anzeigen"
           " | Benachrichtigungen | Benachrichtigungen"
           " | 1 Stimme | 2 Stimmen | In Prüfung | Hallo &lt;b&gt;Ann&lt;/b&gt;,"),
])
def test_formats_and_translations_in_each_language(app, language, expected):
    now = utcnow()
    with app.test_request_context(headers={"Accept-Language": language}):
        html = render_template_string(PAGE, then=now - timedelta(days=3, minutes=2),
                                      soon=now + timedelta(minutes=5, seconds=10), just_now=now - timedelta(seconds=10))
    assert " ".join(html.split()) == expected


def test_hours_round_half_up(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 3|hours }} {{ 9|hours }} {{ 57|hours }}") == "0.1 0.2 1"


def test_plain_text_templates_are_not_escaped(app):
    """Emails are .txt templates without autoescaping; the same holds for a string translated twice."""
    text = ('{% autoescape false %}{{ _("Hello %(name)s,", name=who) }} {{ _("Notifications") }} '
            '{{ _("Notifications") }} {{ ngettext("%(num)d vote", "%(num)d votes", 2) }}{% endautoescape %}')
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template_string(text, who="Ann & <Bob>") == \
            "Hallo Ann & <Bob>, Benachrichtigungen Benachrichtigungen 2 Stimmen"


def test_variables_are_escaped_once_and_counts_repeat_correctly(app):
    """Text is escaped, markup passes as it is, numbers as numbers; a count said again on the
    same page (a board says "1 vote" on many cards) gives the same answer each time."""
    page = ('{{ _("Hello %(name)s,", name=text) }} {{ _("Hello %(name)s,", name=markup) }} '
            '{{ _("Hello %(name)s,", name=1.5) }} {{ ngettext("%(num)d vote", "%(num)d votes", 1) }} '
            '{{ ngettext("%(num)d vote", "%(num)d votes", 2) }} {{ ngettext("%(num)d vote", "%(num)d votes", 1) }} '
            '{{ ngettext("vote", "votes", 3) }} {{ ngettext("%(num)s vote", "%(num)s votes", 2, num="<2>") }}')
    from markupsafe import Markup
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string(page, text="<b>Ann</b> & Co", markup=Markup("<em>Ann</em>"))
    assert html == ("Hello &lt;b&gt;Ann&lt;/b&gt; &amp; Co, Hello <em>Ann</em>, Hello 1.5, 1 vote 2 votes 1 vote "
                    "votes &lt;2&gt; votes")


def test_dates_in_the_readers_language_and_the_companys_time_zone(app):
    """Stored times are UTC; pages show them in the configured time zone (Europe/Berlin by
    default). The same moment is formatted once per language and time zone and kept: asking
    again in the other language gives that language, not the first answer."""
    from datetime import datetime

    page = '{{ moment|date("long") }} | {{ moment|date("medium") }} | {{ moment|datetime("short") }}'
    moment = datetime(2026, 3, 28, 23, 30)  # UTC: already the 29th in Berlin (winter time, +1)
    results = {}
    for language in ("en", "de", "en"):  # each a request of its own, as in the app (not one shared `g`)
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            results.setdefault(language, set()).add(render_template_string(page, moment=moment))
    assert results == {"en": {"March 29, 2026 | Mar 29, 2026 | 3/29/26, 12:30\u202fAM"},
                       "de": {"29. März 2026 | 29.03.2026 | 29.03.26, 00:30"}}


@pytest.mark.parametrize("language, expected", [
    ("en", '<span class="badge kind-pain_point">Pain point</span> <span class="badge status-review">Under review</span>'),
    ("de", '<span class="badge kind-pain_point">Ärgernis</span> <span class="badge status-review">In Prüfung</span>'),
])
def test_badges_name_the_kind_and_status_in_the_readers_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string('{{ KIND_BADGES["pain_point"] }} {{ STATUS_BADGES["review"] }}') == expected
