"""Whatever anyone types into any form is stored or refused with a message, rendered
escaped, and never answered with a 500 (property-based, with hypothesis)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.factories import category, make_idea

PAYLOADS = [
    '<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "[x](javascript:alert(1))",
    "' OR 1=1 --", "Robert'); DROP TABLE ideas;--", "\x00\x01\x1b[31m", "\u202e\u200b\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 漢字",
    "%s%n%x", "{{ 7*7 }}", "${7*7}", "a" * 5000,
]
texts = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=300),
                  st.text(alphabet=st.characters(max_codepoint=0x20), max_size=20))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _form_posts(idea, comment_id, team, leader_id):
    cat = category().id
    return {
        "/ideas/new": lambda t: {"kind": "pain_point", "title": t, "description": t, "category_id": cat,
                                 "team_id": team.id, "minutes_per_week": t},
        f"/ideas/{idea.id}/edit": lambda t: {"kind": t, "title": t, "description": t, "category_id": t,
                                             "team_id": team.id, "minutes_per_week": "10"},
        f"/ideas/{idea.id}/comments": lambda t: {"body": t},
        f"/ideas/{idea.id}/vote": lambda t: {"minutes_per_week": t},
        f"/ideas/{idea.id}/move": lambda t: {"to_status": t, "note": t, "saving_hours": t, "duplicate_of": t},
        "/settings": lambda t: {"locale": t, "email_preference": t},
        "/settings/password": lambda t: {"current": t, "password": t, "confirm": t},
        "/language": lambda t: {"locale": t, "next": t},
        "/admin/categories": lambda t: {"name_en": t, "name_de": t, "position": t},
        "/admin/teams": lambda t: {"name": t, "leader_ids": [t, str(leader_id)]},
        f"/comments/{comment_id}/delete": lambda t: {"x": t},
        "/register": lambda t: {"name": t, "email": t, "team_id": t, "password": t, "confirm": t},
        "/login": lambda t: {"email": t, "password": t, "next": t},
        "/password/forgot": lambda t: {"email": t},
    }


@pytest.fixture
def admin_client(app, admin, employee, leader):
    idea = make_idea(admin, title="Admin's own item")
    from tracker import services

    comment = services.add_comment(idea, admin, "A comment")
    client = app.test_client()
    login(client, admin)
    return client, _form_posts(idea, comment.id, admin.team, leader.id)


@SETTINGS
@given(text=texts, which=st.integers(min_value=0, max_value=13))
def test_any_text_in_any_form_is_handled(admin_client, text, which):
    client, posts = admin_client
    url, build = list(posts.items())[which]
    if url in ("/register", "/login", "/password/forgot"):
        response = client.application.test_client().post(url, data=build(text))
    else:
        response = client.post(url, data=build(text))
    assert response.status_code < 500, (url, text, response.status_code)
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")


@SETTINGS
@given(text=st.sampled_from(PAYLOADS))
def test_stored_hostile_text_is_shown_escaped_everywhere(app, admin_client, text):
    from tracker.extensions import db
    from tracker.models import Team

    client, _posts = admin_client
    team_id = db.session.scalar(db.select(Team.id).limit(1))
    response = client.post("/ideas/new", data={"kind": "idea", "title": text[:160], "description": text,
                                               "category_id": category().id, "team_id": team_id})
    assert response.status_code in (302, 422)
    if text.startswith("<script>"):
        assert response.status_code == 302  # stored as typed...
        assert "&lt;script&gt;alert" in client.get("/?sort=newest").get_data(as_text=True)  # ...shown as text
    for url in ("/", "/board?team=", "/notifications", "/implemented"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_broken_utf8_and_huge_bodies(app, admin_client):
    client, _posts = admin_client
    response = client.post("/ideas/new", data=b"title=%FF%FE%00&description=%C3%28", content_type=
                           "application/x-www-form-urlencoded")
    assert response.status_code == 422
    response = client.post("/ideas/new", data={"title": "x", "description": "y" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and "That is too much text" in response.get_data(as_text=True)


def test_nul_characters_never_reach_the_database(app, client, employee):
    """PostgreSQL refuses NUL in text; the forms refuse it first, with a message."""
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 200
    assert "Please remove the invisible control characters." in response.get_data(as_text=True)
    login(client, employee)
    assert client.get("/?q=%00abc").status_code == 200
