import re
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import User
from tracker.services import accounts


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
    ("/board\r\nX-Injected: 1", "/"),
    ("/ide\nas/new", "/"),
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


def _register(client, email="neu@example.com", name="Neu Ling", password="a-long-password", team_id=0):
    return client.post("/register", data={"name": name, "email": email, "team_id": team_id,
                                          "password": password, "confirm": password})


def _log_in(client, email="neu@example.com", password="a-long-password", confirm=""):
    return client.post("/login", data={"email": email, "password": password, "confirm": confirm})


def _link(smtp, email="neu@example.com") -> str:
    body = smtp.body(smtp.to(email)[-1])
    return re.search(r"http://[^/\s]+(/confirm/\S+)", body).group(1)


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_with_a_mail_server_a_new_account_opens_with_the_emailed_link_and_its_password(client, team, smtp):
    response = _register(client, team_id=team.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "we sent a link to neu@example.com. Open it and enter your password" in page
    [email] = smtp.to("neu@example.com")
    assert "confirm your email address" in email["Subject"]
    # Not greeted by the name typed at registration: to an address that has not said yes yet,
    # no words of whoever registered it (such as "your initial password is …").
    assert smtp.body(email).startswith("Hello,\r\n") and "Neu Ling" not in smtp.body(email)
    # Not before the link is opened: the right password alone sends a new link instead.
    refused = _log_in(client)
    assert refused.status_code == 200 and "We sent a new link to neu@example.com" in refused.get_data(as_text=True)
    assert len(smtp.to("neu@example.com")) == 2
    link = _link(smtp)
    form = client.get(link).get_data(as_text=True)
    assert "Enter your password to confirm your email address" in form
    assert 'value="neu@example.com"' in form and f'value="{_token(link)}"' in form
    assert _log_in(client, password="a-wrong-password", confirm=_token(link)).status_code == 200
    user = db.session.scalar(db.select(User).where(User.email == "neu@example.com"))
    assert user.email_confirmed_at is None  # the link alone confirms nothing
    assert _log_in(client, confirm=_token(link)).status_code == 302
    assert "Your email address is confirmed. Welcome to Nebenan, Neu Ling!" in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    client.post("/logout")
    assert "confirmed already" in client.get(link, follow_redirects=True).get_data(as_text=True)
    assert _log_in(client).status_code == 302  # from now on, as everyone logs in


def test_the_confirmation_speaks_the_language_registered_in(client, smtp):
    client.post("/language", data={"locale": "de", "next": "/register"})  # the footer's switch
    _register(client)
    [email] = smtp.to("neu@example.com")
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in email["Subject"]
    assert "Öffnen Sie diesen Link" in smtp.body(email)
    link = _link(smtp)
    form = client.get(link).get_data(as_text=True)
    assert "Geben Sie Ihr Passwort ein" in form
    # The password field waits for the cursor; a refused password keeps the link for the language switch.
    assert re.search(r'<input[^>]*autofocus[^>]*name="password"|<input[^>]*name="password"[^>]*autofocus', form)
    refused = _log_in(client, password="a-wrong-password", confirm=_token(link)).get_data(as_text=True)
    assert f'name="next" value="/confirm/{_token(link)}"' in refused


def test_a_broken_stale_or_foreign_confirmation_link_opens_nothing(app, client, employee, smtp):
    _register(client)
    link = _link(smtp)
    broken = client.get(link[:-3] + "xyz", follow_redirects=True).get_data(as_text=True)
    assert "This link is not valid" in broken
    user = db.session.scalar(db.select(User).where(User.email == "neu@example.com"))
    sign = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="nebenan-confirm-email").dumps
    moved = sign({"id": user.id, "email": "someone.else@example.com"})
    assert "This link is not valid" in client.get(f"/confirm/{moved}", follow_redirects=True).get_data(as_text=True)
    # Another account's link does not confirm this one, even with this one's password.
    theirs = sign({"id": employee.id, "email": employee.email})
    assert _log_in(client, confirm=theirs).status_code == 200
    with mock.patch.object(accounts, "CONFIRM_DAYS", -1):
        assert "This link is too old" in client.get(link, follow_redirects=True).get_data(as_text=True)
        assert _log_in(client, confirm=_token(link)).status_code == 200
    db.session.refresh(user)
    assert user.email_confirmed_at is None


def test_registering_an_unconfirmed_address_again_lets_its_owner_take_it_over(client, smtp):
    """Someone registered a colleague's address; the colleague registers it too. Only the
    password of the last registration, with a link from that inbox, opens the account."""
    _register(client, name="Someone Else", password="not-the-owners-pw")
    _register(client, name="The Owner", password="the-owners-password")
    assert len(smtp.to("neu@example.com")) == 2
    token = _token(_link(smtp))
    assert _log_in(client, password="not-the-owners-pw", confirm=token).status_code == 200
    assert _log_in(client, password="the-owners-password", confirm=token).status_code == 302
    assert db.session.scalar(db.select(User.name).where(User.email == "neu@example.com")) == "The Owner"
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_registering_a_taken_address_tells_its_owner_and_nobody_else(client, employee, smtp):
    """The page answers as it answers any registration (it does not tell who has an account);
    the account's owner hears of it by email, with the way back in if they forgot their password."""
    response = _register(client, email=employee.email.upper(), name="Someone Else", password="not-the-owners")
    assert response.status_code == 302 and response.location == "/login"
    said = client.get("/login").get_data(as_text=True)
    assert f"Almost done: we sent a link to {employee.email}." in said and "already exists" not in said
    [email] = smtp.to(employee.email)
    assert email["Subject"] == "Nebenan: you have an account already"
    assert f"Hello {employee.name}," in smtp.body(email) and "/password/forgot" in smtp.body(email)
    db.session.refresh(employee)
    assert employee.name != "Someone Else" and employee.check_password(PASSWORD)
    assert _log_in(client, email=employee.email, password="not-the-owners").status_code == 200


def test_a_taken_address_takes_the_work_of_a_new_account(client, employee, smtp, monkeypatch):
    """The same answer, in the same time: the password is hashed for a taken address too, as
    for a new account (without it, a taken address answered in a tenth of the time)."""
    from tracker.services import accounts

    hashed, real = [], accounts.generate_password_hash
    monkeypatch.setattr(accounts, "generate_password_hash", lambda password: hashed.append(password) or real(password))
    assert _register(client, email=employee.email, password="not-the-owners").status_code == 302
    assert hashed == ["not-the-owners"]


def test_without_a_mail_server_a_taken_address_is_said_to_be_taken(client, employee):
    """Accounts open at once there: the registration would log in, so there is nothing to keep secret."""
    response = _register(client, email=employee.email)
    assert "An account with this email address already exists." in response.get_data(as_text=True)


def test_when_the_confirmation_email_fails_the_person_is_told_and_can_try_again(client, dead_smtp, caplog):
    assert _register(client).status_code == 302
    assert "could not send the confirmation email" in client.get("/login").get_data(as_text=True)
    assert "failed" in caplog.text
    refused = _log_in(client)
    assert refused.status_code == 200 and "could not send the confirmation email" in refused.get_data(as_text=True)


def test_register_errors_keep_what_was_typed(client, team):
    response = client.post("/register", data={
        "name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
        "password": "short", "confirm": "other"})
    assert response.status_code == 200
    assert b'value="Neu Ling"' in response.data
    assert b"The passwords differ." in response.data
    assert db.session.scalar(db.select(User).where(User.email == "neu@example.com")) is None


def test_an_address_email_cannot_reach_is_refused_at_registration(client, team):
    response = client.post("/register", data={
        "name": "Jörg Müller", "email": "jörg.müller@example.com", "team_id": team.id,
        "password": "a-long-password", "confirm": "a-long-password"})
    page = response.get_data(as_text=True)
    assert "Please use an address without umlauts or accents before the @" in page
    assert 'value="jörg.müller@example.com"' in page and 'value="Jörg Müller"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


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
