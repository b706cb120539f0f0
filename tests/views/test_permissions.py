"""Every route, for every role, answers as the rules say. Generated from app.url_map,
so a new route without an entry here fails the first test."""
import re

import pytest

from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_idea
from tracker import services
from tracker.extensions import db
from tracker.models import Notification

PUBLIC, MEMBER, ADMIN = "public", "member", "admin"

# endpoint -> (who may use it, methods checked here)
RULES = {
    "static": (PUBLIC, None),
    "auth.login": (PUBLIC, None),
    "auth.register": (PUBLIC, None),
    "auth.confirm": (PUBLIC, None),
    "auth.forgot_password": (PUBLIC, None),
    "auth.reset_password": (PUBLIC, None),
    "auth.language": (PUBLIC, None),
    "auth.logout": (PUBLIC, None),
    "auth.settings": (MEMBER, None),
    "auth.change_password": (MEMBER, None),
    "auth.change_email": (MEMBER, None),
    "auth.confirm_email_change": (MEMBER, None),  # and only for the account the link was sent for
    "ideas.index": (MEMBER, None),
    "ideas.new": (MEMBER, None),
    "ideas.detail": (MEMBER, None),
    "ideas.edit": ("author", None),
    "ideas.vote": (MEMBER, None),
    "ideas.unvote": (MEMBER, None),
    "ideas.comment": (MEMBER, None),
    "ideas.delete_comment": ("comment author or admin", None),
    "board.index": (MEMBER, None),
    "board.implemented": (MEMBER, None),
    "board.move": ("leader of the owning team or admin", None),
    "board.hand_over": ("leader of the owning team or admin", None),
    "notifications.index": (MEMBER, None),
    "notifications.read_all": (MEMBER, None),
    "notifications.open_one": ("the notification's reader", None),
    "admin.users": (ADMIN, None),
    "admin.update_user": (ADMIN, None),
    "admin.teams": (ADMIN, None),
    "admin.edit_team": (ADMIN, None),
    "admin.categories": (ADMIN, None),
    "admin.edit_category": (ADMIN, None),
}

ROLES = ["visitor", "employee", "leader of another team", "leader", "admin"]


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(RULES), "add the new route to RULES with who may use it"


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture
def world(employee, colleague, leader, admin):
    """An item of the colleague's in the leader's team, a comment of the colleague's,
    and a notification for the colleague (about the employee's comment)."""
    idea = make_idea(colleague)
    comment = services.add_comment(idea, colleague, "A comment")
    services.add_comment(idea, employee, "Me too")
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == colleague.id)).all()
    return {"idea_id": idea.id, "comment_id": comment.id, "user_id": colleague.id,
            "team_id": colleague.team_id, "category_id": idea.category_id, "notification_id": notification.id,
            "token": "not-a-confirmation-link"}


def _url(rule, world):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(world[m.group(1)]), rule.rule)


def _expected(audience, role, method):
    """What each audience rule means for a role: allowed, or the status code of the refusal."""
    if audience == PUBLIC:
        return "allowed"
    if role == "visitor":
        return 302  # to the login page
    if audience == MEMBER:
        return "allowed"
    if audience == ADMIN:
        return "allowed" if role == "admin" else 403
    if audience == "author":  # the comment and idea in `world` belong to the colleague, not to these roles
        return 403
    if audience == "comment author or admin":
        return "allowed" if role == "admin" else 403
    if audience == "leader of the owning team or admin":
        return "allowed" if role in ("leader", "admin") else 403
    if audience == "the notification's reader":  # it belongs to the colleague, none of these roles
        return 404
    raise AssertionError(audience)


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_the_rules_say(app, client, world, role, employee, leader, other_leader,
                                                      admin):
    user = {"employee": employee, "leader": leader, "leader of another team": other_leader, "admin": admin}.get(role)
    checked = 0
    for rule, method in _routes(app):
        if user is not None:
            login(client, user)
        response = client.open(_url(rule, world), method=method)
        expected = _expected(RULES[rule.endpoint][0], role, method)
        if expected == "allowed":
            assert response.status_code not in (401, 403, 500), (rule.rule, method, response.status_code)
            assert not (response.status_code == 302 and response.location.startswith("/login")
                        and rule.endpoint not in ("auth.logout", "auth.confirm")), (rule.rule, method)
        else:
            assert response.status_code == expected, (rule.rule, method, response.status_code)
            if expected == 302:
                assert response.location.startswith("/login")
        checked += 1
    assert checked >= len(RULES) - 1


def test_every_state_change_needs_a_csrf_token(app, client, world, admin, csrf):
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": admin.email, "password": "correct-horse-battery", "csrf_token": token})
    posts = [(rule, m) for rule, m in _routes(app) if m not in ("GET",)]
    assert posts
    for rule, method in posts:
        response = client.open(_url(rule, world), method=method, data={})
        assert response.status_code == 400, (rule.rule, method, response.status_code)
        assert b"Please reload the page and try again." in response.data


def test_a_refused_form_leads_back_to_its_page(app, client, employee, colleague, monkeypatch):
    """A form sent with an expired token (the session ended in another tab): the page says so
    and offers the page the form was on, where it can be reloaded."""
    idea = make_idea(colleague)
    login(client, employee)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production, from here on
    response = client.post(f"/ideas/{idea.id}/vote", data={"minutes_per_week": "15", "csrf_token": "expired"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="/ideas/{idea.id}">' in page and ">Back to the page</a>" in page
    lost = client.post("/language", data={"locale": "de"}).get_data(as_text=True)  # a form on every page
    assert ">Back to the page</a>" not in lost and ">Back to all items</a>" in lost
