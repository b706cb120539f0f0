import pytest

from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import User


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in to Nebenan" in response.data


def test_login_then_the_list(client, employee):
    response = login(client, employee)
    assert response.location == "/"
    assert b"Erika Mustermann" in client.get("/").data


@pytest.mark.parametrize("email,password", [
    ("erika@example.com", "wrong-password"),
    ("nobody@example.com", PASSWORD),
])
def test_login_errors_do_not_reveal_which_accounts_exist(client, employee, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert b"Email or password is wrong." in response.data
    assert email.encode() in response.data  # what was typed stays


def test_deactivated_user_cannot_log_in_and_is_logged_out(client, employee):
    login(client, employee)
    employee.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    wrong = client.post("/login", data={"email": employee.email, "password": "wrong-password"})
    assert b"Email or password is wrong." in wrong.data
    response = client.post("/login", data={"email": employee.email, "password": PASSWORD})
    assert b"This account is deactivated. Please ask an admin of Nebenan." in response.data
    assert client.get("/").status_code == 302  # and still logged out


@pytest.mark.parametrize("target,expected", [
    ("/ideas/new", "/ideas/new"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_next_redirect_stays_on_the_site(client, employee, target, expected):
    response = client.post("/login", data={"email": employee.email, "password": PASSWORD, "next": target})
    assert response.location == expected


def test_a_form_posted_after_the_session_ended_comes_back_to_its_page(client, employee, colleague):
    """Logged out elsewhere, a vote or comment asks for the login with next=/ideas/7/vote, an
    address that takes only posts: after the login, the item's page, not a 405."""
    from tests.factories import make_idea

    idea = make_idea(colleague)
    for action in ("vote", "comments"):
        asked = client.post(f"/ideas/{idea.id}/{action}", data={"body": "Same here"})
        assert asked.status_code == 302 and asked.location.startswith("/login?next=")
        response = client.post("/login", data={"email": employee.email, "password": PASSWORD,
                                               "next": f"/ideas/{idea.id}/{action}"})
        assert response.location == f"/ideas/{idea.id}"
        assert client.get(response.location).status_code == 200
        client.post("/logout")


def test_pages_ask_for_login_and_come_back(client, employee):
    response = client.get("/ideas/new")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    page = client.get(response.location)
    assert b'value="/ideas/new"' in page.data


def test_remember_me_sets_a_cookie(client, employee):
    login(client, employee, remember="y")
    assert client.get_cookie("remember_token") is not None


def test_session_cookie_is_httponly_and_samesite(client, employee):
    response = login(client, employee)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_is_a_post_and_ends_the_session(client, employee):
    login(client, employee)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_register_creates_an_employee_and_logs_in(client, team):
    response = client.post("/register", data={
        "name": "Neu Ling", "email": "Neu@Example.com", "team_id": team.id,
        "password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "neu@example.com"))
    assert (user.role, user.team_id) == ("employee", team.id)
    assert user.password_hash != "a-long-password"


def test_register_errors_keep_what_was_typed(client, team):
    response = client.post("/register", data={
        "name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
        "password": "short", "confirm": "other"})
    assert response.status_code == 200
    assert b'value="Neu Ling"' in response.data
    assert b"The passwords differ." in response.data
    assert db.session.scalar(db.select(User).where(User.email == "neu@example.com")) is None


def test_register_respects_allowed_domains(app, client, team):
    app.config["ALLOWED_EMAIL_DOMAINS"] = ["firma.example"]
    try:
        response = client.post("/register", data={
            "name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
            "password": "a-long-password", "confirm": "a-long-password"})
    finally:
        app.config["ALLOWED_EMAIL_DOMAINS"] = []
    assert b"Please register with your company email address." in response.data


def test_login_form_needs_a_csrf_token(client, employee, csrf):
    response = client.post("/login", data={"email": employee.email, "password": PASSWORD})
    assert response.status_code == 400
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": employee.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_login_starts_a_new_session(client, employee, csrf):
    client.get("/login")
    before = client.get_cookie("session").value
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": employee.email, "password": PASSWORD, "csrf_token": token})
    after = client.get_cookie("session").value
    assert before != after
    # the pre-login CSRF token belongs to the old session and no longer works
    assert client.post("/logout", data={"csrf_token": token}).status_code == 400


def test_the_language_chosen_before_login_stays(client, employee):
    client.post("/language", data={"locale": "de", "next": "/login"})
    login(client, employee)
    assert '<html lang="de">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_an_unexpected_error_shows_a_friendly_page(app, client, employee, monkeypatch):
    from tracker import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    login(client, employee)
    monkeypatch.setattr(services, "list_ideas", broken)
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "secret internals" not in page and "Traceback" not in page
