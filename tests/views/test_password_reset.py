"""A forgotten password: a link emailed to the address (a real local SMTP server) sets a new one."""
import re
import threading
from unittest import mock

from tests.conftest import login
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.services import accounts

NEW = "a-brand-new-password"


def _ask(client, email, **kw):
    return client.post("/password/forgot", data={"email": email}, **kw)


def _reset_link(smtp, email) -> str:
    [message] = smtp.to(email)
    return re.search(r"http://[^/\s]+(/password/reset/\S+)", smtp.body(message)).group(1)


def _log_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_a_forgotten_password_is_set_anew_with_the_emailed_link(app, client, smtp, employee):
    elsewhere = app.test_client()
    login(elsewhere, employee)  # a session on another device
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot">Forgot your password?</a>' in login_page
    asked = _ask(client, "  " + employee.email.upper())
    assert asked.status_code == 302 and asked.location == "/login"
    said = client.get("/login").get_data(as_text=True)
    assert f"If {employee.email} has an account here, a link to set a new password is on its way there." in said
    [message] = smtp.to(employee.email)
    assert message["Subject"] == "Nebenan: set a new password"
    assert f"Hello {employee.name}," in smtp.body(message) and "it works for 2 hours, once" in smtp.body(message)
    link = _reset_link(smtp, employee.email)

    form = client.get(link).get_data(as_text=True)
    assert "Set a new password" in form and f"For {employee.email}." in form
    differ = client.post(link, data={"password": NEW, "confirm": NEW + "x"})
    assert differ.status_code == 200 and "The passwords differ." in differ.get_data(as_text=True)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert "Field must be between 10 and 200 characters long." in short.get_data(as_text=True)

    saved = client.post(link, data={"password": NEW, "confirm": NEW})
    assert saved.status_code == 302 and saved.location == "/"
    assert f"Your new password is saved. Welcome back, {employee.name}!" in client.get("/").get_data(as_text=True)
    assert elsewhere.get("/").status_code == 302  # the other session has ended
    client.post("/logout")
    assert _log_in(client, employee.email, PASSWORD).status_code == 200  # refused
    assert _log_in(client, employee.email, NEW).status_code == 302
    client.post("/logout")
    used = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "This link is not valid any more" in used and "Forgot your password?" in used
    again = client.post(link, data={"password": "yet-another-password", "confirm": "yet-another-password"})
    assert again.status_code == 302 and again.location == "/password/forgot"
    db.session.refresh(employee)
    assert employee.check_password(NEW)


def test_an_address_without_an_account_hears_the_same_and_gets_nothing(client, smtp, employee):
    asked = _ask(client, "nobody@example.com")
    assert asked.status_code == 302
    assert "a link to set a new password is on its way there" in client.get("/login").get_data(as_text=True)
    not_an_address = _ask(client, "not an address")
    assert not_an_address.status_code == 200 and "Invalid email address." in not_an_address.get_data(as_text=True)
    employee.active = False  # a deactivated account gets no link either
    db.session.commit()
    _ask(client, employee.email)
    assert smtp.messages == []


def test_an_old_broken_or_foreign_link_sets_nothing(app, client, smtp, employee, colleague):
    _ask(client, employee.email)
    link = _reset_link(smtp, employee.email)
    with mock.patch.object(accounts, "RESET_HOURS", -1):
        old = client.post(link, data={"password": NEW, "confirm": NEW}, follow_redirects=True)
        assert "This link is not valid any more" in old.get_data(as_text=True)
    broken = client.get(link[:-4] + "abcd", follow_redirects=True).get_data(as_text=True)
    assert "This link is not valid any more" in broken
    # Signed for the colleague, but with the employee's password fingerprint: refused.
    token = link.rsplit("/", 1)[1]
    claims = accounts._password_resets().loads(token)
    forged = accounts._password_resets().dumps({**claims, "id": colleague.id})
    refused = client.post(f"/password/reset/{forged}", data={"password": NEW, "confirm": NEW})
    assert refused.status_code == 302 and refused.location == "/password/forgot"
    db.session.refresh(employee)
    db.session.refresh(colleague)
    assert employee.check_password(PASSWORD) and colleague.check_password(PASSWORD)


def test_without_a_mail_server_the_page_says_whom_to_ask(client, employee):
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "This Nebenan sends no email, so it cannot send you a link." in page and 'name="email"' not in page
    assert _ask(client, employee.email).status_code == 200


def test_the_link_also_confirms_an_address_not_confirmed_yet(client, smtp, team):
    client.post("/register", data={"name": "Neu Ling", "email": "neu@example.com", "team_id": team.id,
                                   "password": "forgotten-at-once", "confirm": "forgotten-at-once"})
    smtp.messages.clear()  # the confirmation email, never opened
    _ask(client, "neu@example.com")
    [message] = smtp.to("neu@example.com")
    assert smtp.body(message).startswith("Hello,\r\n")  # not by the name whoever registered chose
    link = _reset_link(smtp, "neu@example.com")
    assert client.post(link, data={"password": NEW, "confirm": NEW}).location == "/"
    client.post("/logout")
    assert _log_in(client, "neu@example.com", NEW).status_code == 302


def test_the_link_comes_in_the_readers_language(client, smtp, employee):
    employee.locale = "de"
    db.session.commit()
    _ask(client, employee.email)
    [message] = smtp.to(employee.email)
    assert message["Subject"] == "Nebenan: neues Passwort festlegen"
    assert "Öffnen Sie diesen Link, um ein neues Passwort für Nebenan festzulegen" in smtp.body(message)


def test_a_password_is_changed_in_the_settings_with_the_current_one(app, client, employee):
    elsewhere = app.test_client()
    login(elsewhere, employee)
    login(client, employee)
    page = client.get("/settings").get_data(as_text=True)
    assert "Change your password" in page and 'autocomplete="current-password"' in page
    wrong = client.post("/settings/password", data={"current": "not-my-password", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 422 and "That is not your current password." in wrong.get_data(as_text=True)
    differ = client.post("/settings/password", data={"current": PASSWORD, "password": NEW, "confirm": "other"})
    assert differ.status_code == 422 and "The passwords differ." in differ.get_data(as_text=True)
    db.session.refresh(employee)
    assert employee.check_password(PASSWORD)
    changed = client.post("/settings/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert changed.status_code == 302 and changed.location == "/settings"
    assert "Your new password is saved. You are logged out everywhere else." in \
        client.get("/settings").get_data(as_text=True)  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the other one has ended
    client.post("/logout")
    assert _log_in(client, employee.email, NEW).status_code == 302


def test_someone_without_a_language_gets_the_link_in_the_language_they_asked_in(client, smtp, employee):
    assert employee.locale is None
    _ask(client, employee.email, headers={"Accept-Language": "de-CH"})
    [message] = smtp.to(employee.email)
    assert message["Subject"] == "Nebenan: neues Passwort festlegen"


def test_a_link_opened_while_logged_in_says_why_nothing_happens(client, smtp, employee, admin):
    _ask(client, employee.email)
    link = _reset_link(smtp, employee.email)
    login(client, admin)
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert f"You are logged in as {admin.email}. To use a link that sets a new password, log out first." in page


def test_a_change_keeps_remember_me_on_this_device(client, employee):
    client.post("/login", data={"email": employee.email, "password": PASSWORD, "remember": "y"})
    client.post("/settings/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    client.delete_cookie("session")  # the browser was closed; the remember-me cookie stays
    assert client.get("/").status_code == 200


def test_the_address_of_a_refused_change_leads_back_to_the_settings(login_as, employee):
    client = login_as(employee)
    response = client.get("/settings/password")
    assert response.status_code == 302 and response.location == "/settings#change-password"


def test_the_page_does_not_wait_for_the_mail_server(client, smtp, employee):
    """It would take longer for an address that has an account than for one that has none,
    and so tell them apart: the link goes out beside the request."""
    smtp.hold = threading.Event()  # the mail server takes the email only when told
    response = client.post("/password/forgot", data={"email": employee.email})
    assert response.status_code == 302 and smtp.raw == []  # answered while the email still waits
    smtp.hold.set()
    assert len(smtp.to(employee.email)) == 1


def _change_email(client, email, current=PASSWORD):
    return client.post("/settings/email", data={"new-email-email": email, "new-email-current": current})


def _email_change_link(smtp, address) -> str:
    return re.search(r"http://[^/\s]+(/settings/email/\S+)", smtp.body(smtp.to(address)[-1])).group(1)


def test_a_new_email_address_counts_once_its_link_is_opened(app, client, smtp, employee):
    old = employee.email
    _ask(client, old)  # a link for a new password, to the address the account is leaving
    reset_link = _reset_link(smtp, old)
    login(client, employee)
    assert "Change your email address" in client.get("/settings").get_data(as_text=True)
    wrong = _change_email(client, "erika.neu@example.com", current="not-my-password")
    assert wrong.status_code == 422 and "That is not your current password." in wrong.get_data(as_text=True)
    assert 'value="erika.neu@example.com"' in wrong.get_data(as_text=True)  # what was typed stays
    asked = _change_email(client, "  Erika.Neu@Example.com ")
    assert asked.status_code == 302
    assert "We sent a link to erika.neu@example.com. Your address changes when you open it" in \
        client.get("/settings").get_data(as_text=True)
    db.session.refresh(employee)
    assert employee.email == old  # not before the new inbox said yes
    [message] = smtp.to("erika.neu@example.com")
    body = smtp.body(message)
    assert message["Subject"] == "Nebenan: confirm your new email address"
    assert body.startswith("Hello,\r\n") and employee.name not in body
    link = _email_change_link(smtp, "erika.neu@example.com")
    client.post("/logout")  # and in again later, where the new inbox is read: the link still works
    login(client, employee)
    elsewhere = app.test_client()
    login(elsewhere, employee)  # a session on another device

    page = client.get(link).get_data(as_text=True)  # opening it asks; nothing changes on a GET
    assert "From now on you log in with erika.neu@example.com" in page
    db.session.refresh(employee)
    assert employee.email == old
    assert client.post(link).location == "/settings"
    assert "Your email address is now erika.neu@example.com. You are logged out everywhere else." in \
        client.get("/settings").get_data(as_text=True)  # this session goes on
    db.session.refresh(employee)
    assert employee.email == "erika.neu@example.com" and employee.email_confirmed_at is not None
    assert elsewhere.get("/").status_code == 302  # the other one has ended
    [notice] = smtp.to(old)[1:]
    assert "is now erika.neu@example.com" in smtp.body(notice)
    used = client.post(link, follow_redirects=True).get_data(as_text=True)
    assert "your address or your password has changed since" in used
    client.post("/logout")
    # Whoever reads the old address now cannot use the link for a new password sent there.
    refused = client.post(reset_link, data={"password": NEW, "confirm": NEW})
    assert refused.status_code == 302 and refused.location == "/password/forgot"
    assert _log_in(client, "erika.neu@example.com", PASSWORD).status_code == 302


def test_an_address_with_an_account_is_neither_told_nor_taken(client, smtp, employee, colleague):
    """The answer is the one any address gets (nobody learns whose address has an account); the
    link goes to that address, and opened by the asker it is refused."""
    login(client, employee)
    assert _change_email(client, colleague.email).status_code == 302
    assert f"We sent a link to {colleague.email}." in client.get("/settings").get_data(as_text=True)
    link = _email_change_link(smtp, colleague.email)
    opened = client.get(link, follow_redirects=True).get_data(as_text=True)  # refused before it asks
    assert "An account with this email address already exists." in opened and "From now on" not in opened
    client.post(link)
    db.session.refresh(employee)
    assert employee.email == "erika@example.com"


def test_a_link_for_a_new_address_works_only_for_its_own_account(app, client, smtp, employee, colleague):
    login(client, employee)
    _change_email(client, "erika.neu@example.com")
    link = _email_change_link(smtp, "erika.neu@example.com")
    other = app.test_client()
    login(other, colleague)
    page = other.get(link, follow_redirects=True).get_data(as_text=True)
    assert "This link belongs to another account." in page
    other.post(link)
    db.session.refresh(colleague)
    assert colleague.email == "max@example.com"
    broken = client.get(link[:-3] + "abc", follow_redirects=True).get_data(as_text=True)
    assert "This link is not valid. Please use the whole link from the email." in broken
    db.session.refresh(employee)
    assert employee.email == "erika@example.com"


def test_without_a_mail_server_the_address_changes_at_once(client, employee, colleague):
    login(client, employee)
    assert "We email a link" not in client.get("/settings").get_data(as_text=True)
    taken = _change_email(client, colleague.email)  # as registering it would say, without a mail server
    assert taken.status_code == 422 and "An account with this email address already exists." in \
        taken.get_data(as_text=True)
    assert _change_email(client, "erika.neu@example.com").status_code == 302
    assert "Your email address is now erika.neu@example.com." in client.get("/settings").get_data(as_text=True)
    db.session.refresh(employee)
    assert employee.email == "erika.neu@example.com"
