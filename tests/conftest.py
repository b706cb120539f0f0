"""Fixtures: one database per test session, built by the migrations; emptied after each test.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (the whole suite runs on both).
"""
import os
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from tests.factories import PASSWORD, make_team, make_user
from tracker import create_app
from tracker.extensions import db as _db
from tracker.extensions import limiter
from tracker.models import Category
from tracker.workflow import DEFAULT_CATEGORIES, Role


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(app) -> None:
    """An empty database, then every migration, exactly as `flask db upgrade` builds production."""
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, a request would reuse the test's context: its `g` (where
    Flask-Login and Flask-Babel cache the user and the locale) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "TEMPLATES_AUTO_RELOAD": False,  # as in production: rows and cards kept (tracker/fragments.py)
    })
    app.test_client_class = IsolatedClient
    _reset_schema(app)
    yield app


@pytest.fixture(autouse=True)
def db(app):
    """Every test starts with an empty company that has only the default categories."""
    with app.app_context():
        yield _db
        wait_for_mail()  # nothing of this test's may still write while the tables are emptied
        _db.session.remove()
        _empty_tables()
        limiter.reset()


def _empty_tables() -> None:
    # catalog_version keeps its row: the triggers move its number as teams and categories go.
    tables = [t.name for t in reversed(_db.metadata.sorted_tables) if t.name != "catalog_version"]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(Category.__table__.insert(), [
            {"code": code, "name_en": en, "name_de": de, "position": (i + 1) * 10, "active": True}
            for i, (code, en, de) in enumerate(DEFAULT_CATEGORIES)
        ])


@pytest.fixture
def csrf(app):
    """CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def team(db):
    return make_team("Einkauf")


@pytest.fixture
def other_team(db):
    return make_team("Vertrieb")


@pytest.fixture
def employee(db, team):
    return make_user("erika@example.com", "Erika Mustermann", team=team)


@pytest.fixture
def colleague(db, team):
    return make_user("max@example.com", "Max Muster", team=team)


@pytest.fixture
def leader(db, team):
    return make_user("lena@example.com", "Lena Leiterin", role=Role.LEADER, team=team, leads=[team])


@pytest.fixture
def other_leader(db, other_team):
    return make_user("otto@example.com", "Otto Other", role=Role.LEADER, team=other_team, leads=[other_team])


@pytest.fixture
def admin(db, team):
    return make_user("ada@example.com", "Ada Admin", role=Role.ADMIN, team=team)


def login(client, user, password=PASSWORD, **extra):
    response = client.post("/login", data={"email": user.email, "password": password, **extra})
    assert response.status_code == 302, "login failed"
    return response


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class _Inbox:
    """What a real SMTP server on localhost received (aiosmtpd, through _MailHandler). Reading
    it waits for the emails the app sends beside its requests (notifications.in_background)."""

    def __init__(self):
        self._messages = []
        self.raw = []  # the bytes as they arrived, for what a strict reader sees
        self.gone = set()  # addresses whose mailbox no longer exists: refused with 550
        self.hold = None  # a threading.Event: each email waits for it (at most 10 s) before it is taken

    @property
    def messages(self):
        wait_for_mail()
        return self._messages

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


class _MailHandler:
    """aiosmtpd's handler, filling an _Inbox (kept apart: aiosmtpd reads every attribute of
    its handler, and reading the inbox waits for mail)."""

    def __init__(self, inbox: _Inbox):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.inbox.gone:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes
        from email.policy import default

        if self.inbox.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.inbox.hold.wait, 10)
        self.inbox.raw.append(envelope.content)
        self.inbox._messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


def wait_for_mail() -> None:
    """Waits for the emails the app sends beside its requests (notifications.in_background)."""
    from tracker.notifications import wait_until_sent

    wait_until_sent()


def _point_mail_at(app, host, port):
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    state = app.extensions["mail"]
    state.server, state.port = host, port


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free local port; the app sends its email there."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(_MailHandler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    _point_mail_at(app, "127.0.0.1", port)
    yield inbox
    controller.stop()
    _point_mail_at(app, None, 25)


@pytest.fixture
def dead_smtp(app):
    """A mail server address where nothing listens: every send fails at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _point_mail_at(app, "127.0.0.1", port)
    yield port
    _point_mail_at(app, None, 25)
