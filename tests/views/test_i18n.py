"""Both languages render, the locale follows the user's setting, then Accept-Language."""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login
from tests.factories import PASSWORD, make_idea
from tracker.extensions import db

TRANSLATIONS = Path(__file__).resolve().parents[2] / "tracker" / "translations"


def test_the_german_catalog_is_complete():
    with open(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))
                                                  or m.fuzzy)]
    assert len(list(catalog)) > 150
    assert missing == []


def test_the_catalog_covers_every_string_in_the_code():
    """A string wrapped for translation but never extracted would stay English in German."""
    from babel.messages.extract import extract_from_dir

    with open(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    root = Path(__file__).resolve().parents[2]
    method_map = [("tracker/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    found = {msg if isinstance(msg, str) else msg[0]
             for _file, _line, msg, _comments, _context in extract_from_dir(
                 root, method_map, directory_filter=lambda path: not Path(path).name.startswith("."), keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                                             "lazy_gettext": None})}
    assert found - known == set(), "run `make update-messages` and translate"


@pytest.mark.parametrize("header,expected,unexpected", [
    ("de-DE,de;q=0.9,en;q=0.5", "Verlorene Stunden pro Woche", "Hours lost per week"),
    ("en-US,en;q=0.9", "Hours lost per week", "Verlorene Stunden pro Woche"),
])
def test_accept_language_picks_the_language(client, employee, header, expected, unexpected):
    """The browser's language at the login, kept for someone who chose none."""
    make_idea(employee)
    client.post("/login", data={"email": employee.email, "password": PASSWORD}, headers={"Accept-Language": header})
    for url in ("/", "/ideas/1"):
        page = client.get(url, headers={"Accept-Language": header}).get_data(as_text=True)
        assert expected in page and unexpected not in page


def test_the_users_setting_wins_over_the_browser(client, employee):
    login(client, employee)
    saved = client.post("/settings", data={"locale": "de", "email_preference": "immediate"}, follow_redirects=True)
    # The confirmation speaks the language just chosen, like the page around it.
    assert "Ihre Einstellungen wurden gespeichert." in saved.get_data(as_text=True)
    db.session.refresh(employee)
    assert employee.locale == "de"
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in page
    back = client.post("/settings", data={"locale": "en", "email_preference": "immediate"}, follow_redirects=True)
    assert "Your settings are saved." in back.get_data(as_text=True)


def test_logging_out_keeps_the_language_of_the_account(client, employee):
    employee.locale = "de"
    db.session.commit()
    login(client, employee)
    out = client.post("/logout", headers={"Accept-Language": "en"}, follow_redirects=True)
    page = out.get_data(as_text=True)
    assert '<html lang="de">' in page and "Sie sind abgemeldet." in page


def test_the_language_of_the_login_is_kept_for_the_emails(client, employee, colleague):
    """Without a language of their own, people read their emails in the one they use the app in."""
    assert employee.locale is None
    client.post("/login", data={"email": employee.email, "password": PASSWORD},
                headers={"Accept-Language": "de-DE,de;q=0.9"})
    db.session.refresh(employee)
    assert employee.locale == "de"
    colleague.locale = "en"
    db.session.commit()
    client.post("/logout")
    client.post("/login", data={"email": colleague.email, "password": PASSWORD},
                headers={"Accept-Language": "de"})  # a saved language stays as it is
    db.session.refresh(colleague)
    assert colleague.locale == "en"


def test_the_language_switch_works_before_login(client):
    client.post("/language", data={"locale": "de", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in page and "Anmelden" in page


def test_the_language_switch_after_a_refused_form_returns_to_its_page(client, employee, colleague):
    idea = make_idea(employee)
    login(client, colleague)
    refused = client.post(f"/ideas/{idea.id}/comments", data={"body": ""})
    assert refused.status_code == 422
    # The refused form's page has the address it was posted to, which only takes posts; the
    # browser's referrer is that address too.
    for refused_at in (f"/ideas/{idea.id}/comments", f"/ideas/{idea.id}/vote"):
        response = client.post("/language", data={"locale": "de", "next": refused_at},
                               headers={"Referer": f"http://localhost{refused_at}"})
        assert response.status_code == 302 and response.location == f"/ideas/{idea.id}"
    assert '<html lang="de">' in client.get(response.location).get_data(as_text=True)
    ordinary = client.post("/language", data={"locale": "en", "next": "/?sort=newest"})
    assert ordinary.location == "/?sort=newest"
    # Without `next`: the referrer, on this site only.
    referred = client.post("/language", data={"locale": "en"}, headers={"Referer": "http://localhost/board?team="})
    assert referred.location == "/board?team="
    elsewhere = client.post("/language", data={"locale": "en"}, headers={"Referer": "https://evil.example/board"})
    assert elsewhere.location == "/"
    outside = client.post("/language", data={"locale": "en", "next": "https://evil.example/ideas/1"})
    assert outside.location == "/"


def test_dates_and_numbers_are_localised(client, employee, colleague):
    from tracker import services

    idea = make_idea(employee, minutes_per_week=75)
    services.cast_vote(idea, colleague, 0)
    login(client, colleague)
    client.post("/language", data={"locale": "de"})
    german = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    english = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "data-hours-lost>1,3<" in german and "data-hours-lost>1.3<" in english
    year = str(idea.created_at.year)
    assert year in german and year in english
