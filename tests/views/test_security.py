"""Headers, cookies and sessions as a browser and an attacker see them."""
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD


def test_strict_security_headers_on_every_page(client, employee):
    for response in (client.get("/login"), login(client, employee), client.get("/"), client.get("/nope")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_and_secure_cookies_over_https(app, client, employee):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post("/login", data={"email": employee.email, "password": PASSWORD},
                               base_url="https://nebenan.example")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_no_inline_scripts_or_styles_in_pages(login_as, employee):
    from tests.factories import make_idea

    idea = make_idea(employee)
    client = login_as(employee)
    for url in ("/", f"/ideas/{idea.id}", "/ideas/new", "/board", "/implemented", "/notifications", "/settings"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
        assert "onclick=" not in html and "onsubmit=" not in html, url


def test_logout_invalidates_the_session_cookie(client, employee):
    login(client, employee)
    stolen = client.get_cookie("session").value
    thief = client.application.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 200  # a copied cookie works while the session lives
    client.post("/logout")
    assert thief.get("/").status_code == 302  # to the login page: the copied cookie is worthless


def test_deactivation_ends_every_session(app, client, admin, employee):
    from tracker.extensions import db

    login(client, employee)
    other = app.test_client()
    login(other, admin)
    prefix = f"u{employee.id}-"
    other.post(f"/admin/users/{employee.id}", data={prefix + "role": "employee", prefix + "team_id": 0})
    db.session.refresh(employee)
    assert employee.active is False
    assert client.get("/").status_code == 302
    told = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "You were logged out: your password was changed, you logged out on another device, or an admin " \
           "changed your account." in told
    assert "Please log in to see this page." in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_a_database_outage_shows_a_clear_503(app, client, employee, monkeypatch):
    """Even when loading the logged-in user is what fails, the page says what happened."""
    from sqlalchemy.exc import OperationalError

    def gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    login(client, employee)
    with monkeypatch.context() as patch:
        patch.setattr(app.login_manager, "_user_callback", gone)
        response = client.get("/")
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "Nebenan is briefly unavailable" in page and "Traceback" not in page
        assert client.get("/", headers={"Accept": "application/json"}).json["status"] == 503
        posted = client.post("/ideas/1/comments", data={"body": "Mein langer Kommentar"},
                             headers={"Origin": "http://localhost"})
        assert posted.status_code == 503
        assert "Mein langer Kommentar</textarea>" in posted.get_data(as_text=True)  # to copy, not lost
    assert client.get("/").status_code == 200  # and back without a restart


def test_a_comment_sent_after_the_session_ended_is_shown_back_to_copy(app, client, csrf, employee, colleague):
    """Logged out in another tab while typing: the refused form's text is on the error page,
    escaped, and nothing is saved; a form posted from another site gets no such page."""
    from tests.factories import make_idea

    idea = make_idea(colleague)
    login(client, employee, csrf_token=csrf_token(client.get("/login").get_data(as_text=True)))
    token = csrf_token(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})  # the other tab
    typed = "Zwei Absätze <b>Text</b>,\nan denen ich lange saß."
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": typed, "csrf_token": token},
                           headers={"Origin": "http://localhost"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You were logged out before this was sent. Please log in and send it again." in page
    assert "What you typed" in page
    assert "Zwei Absätze &lt;b&gt;Text&lt;/b&gt;,\nan denen ich lange saß.</textarea>" in page
    assert idea.comment_count == 0 and not idea.comments

    elsewhere = client.post(f"/ideas/{idea.id}/comments", data={"body": typed, "csrf_token": token},
                            headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 400 and "What you typed" not in elsewhere.get_data(as_text=True)


def test_pages_are_not_kept_by_the_browser(client, employee):
    """Back after logging out must not show the people list or notifications from the cache."""
    login(client, employee)
    for path in ("/", "/notifications", "/settings"):
        assert client.get(path).headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_a_form_of_very_many_fields_is_refused_before_anyone_parses_it(client, csrf, employee):
    crowd = client.post("/login", data="a=&" * 1000, content_type="application/x-www-form-urlencoded")
    assert crowd.status_code == 413 and "That is too much text" in crowd.get_data(as_text=True)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert login(client, employee, csrf_token=token).status_code == 302
