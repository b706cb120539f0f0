"""Rate limits: a friendly 429 before brute force or floods get far."""
import os
import uuid

import pytest

from tests.conftest import login
from tests.factories import PASSWORD, make_idea


@pytest.fixture
def limits(app):
    saved = {k: app.config[k] for k in ("RATELIMIT_LOGIN_PER_ACCOUNT", "RATELIMIT_LOGIN_PER_IP",
                                        "RATELIMIT_SUBMIT", "RATELIMIT_COMMENT", "RATELIMIT_PASSWORD_RESET")}
    app.config.update(RATELIMIT_LOGIN_PER_ACCOUNT="3 per 15 minutes", RATELIMIT_LOGIN_PER_IP="5 per 15 minutes",
                      RATELIMIT_SUBMIT="2 per hour", RATELIMIT_COMMENT="2 per 10 minutes",
                      RATELIMIT_PASSWORD_RESET="2 per hour")
    yield
    app.config.update(saved)


def _fail(client, email, ip="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": "wrong-password"},
                       environ_base={"REMOTE_ADDR": ip})


def test_failed_logins_per_account_are_limited(client, employee, limits):
    for _ in range(3):
        assert _fail(client, employee.email).status_code == 200
    blocked = _fail(client, employee.email, ip="10.0.0.2")  # another address does not help
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Too many attempts" in page and "Please wait a few minutes" in page
    right = client.post("/login", data={"email": employee.email, "password": PASSWORD})
    assert right.status_code == 429  # not even the right password while the account is locked


def test_failed_logins_per_address_are_limited(client, employee, limits):
    for n in range(5):
        assert _fail(client, f"guess{n}@example.com").status_code == 200
    assert _fail(client, "guess-more@example.com").status_code == 429
    assert _fail(client, "guess-more@example.com", ip="10.0.0.9").status_code == 200


def test_successful_logins_do_not_count(client, employee, limits):
    for _ in range(6):
        login(client, employee)
        client.post("/logout")


def test_registering_one_address_again_and_again_is_limited(client, smtp, limits):
    """Each registration of an unconfirmed address emails a link to it."""
    data = {"name": "Neu Ling", "email": "neu@example.com", "team_id": 0,
            "password": "a-long-password", "confirm": "a-long-password"}
    assert [client.post("/register", data=data).status_code for _ in range(4)] == [302, 302, 302, 429]
    assert len(smtp.to("neu@example.com")) == 3
    assert client.post("/register", data={**data, "email": "other@example.com"}).status_code == 302


def test_registrations_from_one_address_are_limited(client, smtp, limits):
    """Address after address, from one machine: each would send mail to whoever owns it."""
    def register(n, ip="10.0.0.1"):
        return client.post("/register", data={"name": "Flood", "email": f"flood{n}@example.com", "team_id": 0,
                                              "password": "a-long-password", "confirm": "a-long-password"},
                           environ_base={"REMOTE_ADDR": ip}).status_code

    assert [register(n) for n in range(6)] == [302] * 5 + [429]
    assert len(smtp.messages) == 5
    assert register(6, ip="10.0.0.2") == 302


def test_submissions_and_comments_per_user_are_limited(login_as, employee, colleague, team, limits):
    from tests.factories import category

    client = login_as(employee)
    data = {"kind": "idea", "title": "T", "description": "D", "category_id": category().id, "team_id": team.id}
    assert [client.post("/ideas/new", data=data).status_code for _ in range(3)] == [302, 302, 429]
    idea = make_idea(colleague)
    codes = [client.post(f"/ideas/{idea.id}/comments", data={"body": "x"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_refused_submissions_and_comments_do_not_count(login_as, employee, colleague, team, limits):
    """Someone who forgets the title five times can still send the item when it is right."""
    from tests.factories import category

    client = login_as(employee)
    data = {"kind": "idea", "title": "T", "description": "D", "category_id": category().id, "team_id": team.id}
    assert [client.post("/ideas/new", data={**data, "title": ""}).status_code for _ in range(5)] == [422] * 5
    assert [client.post("/ideas/new", data=data).status_code for _ in range(3)] == [302, 302, 429]
    idea = make_idea(colleague)
    refused = [client.post(f"/ideas/{idea.id}/comments", data={"body": " "}).status_code for _ in range(3)]
    assert refused == [422] * 3
    codes = [client.post(f"/ideas/{idea.id}/comments", data={"body": "x"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_links_for_a_new_password_are_limited_per_address(client, smtp, employee, limits):
    """Each request emails the address: its owner's inbox is not to be flooded."""
    codes = [client.post("/password/forgot", data={"email": employee.email}).status_code for _ in range(3)]
    assert codes == [302, 302, 429] and len(smtp.to(employee.email)) == 2
    assert client.post("/password/forgot", data={"email": "other@example.com"}).status_code == 302


def test_links_for_a_new_email_address_are_limited_per_person(login_as, employee, smtp, limits):
    """Each one goes to an address the person chose: nobody's inbox is to be flooded from here."""
    client = login_as(employee)
    codes = [client.post("/settings/email", data={"new-email-email": f"neu{n}@example.com",
                                                  "new-email-current": PASSWORD}).status_code for n in range(3)]
    assert codes == [302, 302, 429] and len(smtp.messages) == 2


def test_guessing_the_current_password_in_the_settings_is_limited(login_as, employee, limits):
    client = login_as(employee)
    wrong = {"current": "a-guess-at-it", "password": "a-brand-new-one", "confirm": "a-brand-new-one"}
    assert [client.post("/settings/password", data=wrong).status_code for _ in range(4)] == [422, 422, 422, 429]
    right = client.post("/settings/password", data={**wrong, "current": PASSWORD})
    assert right.status_code == 429  # not even the right one while it is locked


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {url} for the shared rate-limit storage test")
        pytest.skip(f"no Redis at {url}; the shared rate-limit storage is tested in CI")
    return url


def test_two_processes_share_limits_through_redis(app, redis_url):
    """Two app processes behind one load balancer count the same attempts."""
    import requests

    from tests.servers import gunicorn

    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_LOGIN_PER_ACCOUNT": "2 per 15 minutes"}
    email = f"nobody-{uuid.uuid4().hex}@example.com"  # a fresh key, whatever Redis holds from earlier runs
    with gunicorn(2, env) as urls:
        codes = []
        for n in range(3):
            session = requests.Session()
            page = session.get(urls[n % 2] + "/login", timeout=10).text
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            response = session.post(urls[n % 2] + "/login", timeout=10,
                                    data={"email": email, "password": "wrong", "csrf_token": token})
            codes.append(response.status_code)
    assert codes == [200, 200, 429]
