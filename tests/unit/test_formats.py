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
