"""Nebenan: the internal tracker for bureaucracy pain points and the ideas that remove them."""
import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask, g, session
from flask_babel import format_timedelta, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Engine

from . import cli, services
from .config import Config
from .errors import register_error_handlers
from .extensions import (NO_TRANSACTION, READS_ONLY, babel, csrf, db, limiter, login_manager, mail, migrate,
                         needs_no_transaction)

ROOT = Path(__file__).resolve().parent.parent


class _Flask(Flask):
    """Flask, asking once per view or hook whether it is async: ensure_sync runs for every
    hook and the view on every request (15 times for an empty page: 2 % of it), and each time
    asked inspect. The app's views and hooks are a fixed set. A function made per request
    (after_this_request, a class-based view's bound method: the app has neither) would be
    remembered too, so the memo stops growing at MEMO_LIMIT. (A weak memo costs as much as
    asking inspect.)"""

    MEMO_LIMIT = 1_000

    def ensure_sync(self, func):
        synced = self.__dict__.setdefault("_synced", {})
        try:
            return synced[func]
        except (KeyError, TypeError):  # TypeError: not hashable
            answer = super().ensure_sync(func)
        if len(synced) < self.MEMO_LIMIT and getattr(func, "__hash__", None) is not None:
            synced[func] = answer
        return answer


def create_app(overrides: dict | None = None) -> Flask:
    app = _Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["BABEL_DEFAULT_LOCALE"] not in app.config["LANGUAGES"]:
        raise RuntimeError(f"DEFAULT_LANGUAGE must be one of {', '.join(app.config['LANGUAGES'])}, "
                           f"not {app.config['BABEL_DEFAULT_LOCALE']!r}")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'nebenan.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # The ping finds connections a database server dropped (a restart, a failover).
        # A SQLite file has no server: its connections never go away underneath.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    db.init_app(app)
    app.teardown_appcontext(_end_db_session)  # runs before Flask-SQLAlchemy's own (reverse order)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    _init_login(app)
    _init_i18n(app)

    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .board.routes import bp as board_bp
    from .ideas.routes import bp as ideas_bp
    from .notices.routes import bp as notifications_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")

    register_error_handlers(app)
    cli.register(app)
    # first, before any other hook can open the request's connection (Flask-WTF's, the limiter's)
    app.before_request_funcs.setdefault(None, []).insert(0, _mark_request)
    app.before_request_funcs[None].insert(0, _limit_form_fields)  # before anything parses the form
    app.after_request(_security_headers)
    return app


def _end_db_session(_exc) -> None:
    """Ends the request's session. When the connection died after the page was ready (a
    database restart or failover), the closing ROLLBACK fails; the server has rolled back
    already, so the connection is dropped quietly instead of turning the page into a 500."""
    try:
        db.session.remove()
    except DBAPIError as error:
        logging.getLogger(__name__).warning("database connection lost at the end of a request: %s", error.orig)
        db.session().invalidate()  # drop the connection instead of returning it to the pool
        db.session.remove()


def _instance_secret_key(instance: Path) -> str:
    """A key generated once per installation and kept in the instance folder."""
    path = instance / "secret_key"
    if not path.exists():
        # Written whole under a temporary name, then linked into place: a second process
        # starting at the same moment either wins the link or reads the finished file.
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.localize_callback = _login_message


def _load_user(user_id: str):
    """services.load_user; a session that named someone and no longer holds (the password
    changed, a logout on another device, an admin's change) is remembered for the message."""
    user = services.load_user(user_id)
    if user is None:
        g.session_ended = True
        # Said once: the session (and a remember-me cookie) stop naming them, as logout_user does.
        session.pop("_user_id", None)
        session["_remember"] = "clear"
    return user


def _login_message(message) -> str:
    """Flask-Login's "please log in", or why the session someone had has ended."""
    if g.get("session_ended"):
        return gettext("You were logged out: your password was changed, you logged out on another device, or an "
                       "admin changed your account. Please log in again.")
    return str(message)


def _init_i18n(app: Flask) -> None:
    from . import fragments, i18n, permissions, triage, urls, workflow
    from .text import markdown_text, plain_text, render_markdown
    from .ideas.forms import blank_comment_body

    babel.init_app(app, locale_selector=i18n.select_locale)
    app.jinja_env.filters.update(
        markdown=render_markdown,
        markdown_text=markdown_text,
        date=i18n.date_filter,
        datetime=i18n.datetime_filter,
        number=i18n.number_filter,
        age=i18n.age_filter,
        # To the minute: an answer within minutes is not "1 hour".
        duration=lambda delta: format_timedelta(delta, granularity="minute", threshold=1.5),
        hours=i18n.hours_filter,
        plain=plain_text,
    )
    app.jinja_env.globals.update(
        KIND_LABELS=i18n.KIND_LABELS,
        STATUS_LABELS=i18n.STATUS_LABELS,
        ROLE_LABELS=i18n.ROLE_LABELS,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        Kind=workflow.Kind,
        MAX_MINUTES_PER_WEEK=workflow.MAX_MINUTES_PER_WEEK,
        MAX_SAVING_HOURS_PER_WEEK=workflow.MAX_SAVING_HOURS_PER_WEEK,
        Status=workflow.Status,
        can_see_author=permissions.can_see_author,
        can_edit_idea=permissions.can_edit_idea,
        can_vote=permissions.can_vote,
        waits_for_others_votes=permissions.waits_for_others_votes,
        can_delete_comment=permissions.can_delete_comment,
        can_move_idea=permissions.can_move_idea,
        allowed_targets=workflow.allowed_targets,
        NOTE_REQUIRED=workflow.NOTE_REQUIRED,
        SAVING_REQUIRED=workflow.SAVING_REQUIRED,
        TARGET_REQUIRED=workflow.TARGET_REQUIRED,
        is_waiting=triage.is_waiting,
        is_author=permissions.is_author,
        is_anonymous_author=permissions.is_anonymous_author,
        board_cards=fragments.board_cards,
        blank_comment_body=blank_comment_body,
        idea_rows=fragments.idea_rows,
        waiting_panel=fragments.waiting_panel,
        chosen=fragments.chosen,
    )

    @app.context_processor
    def page_context():
        """Once per rendered page: the language, its catalog and the workflow's names in it,
        and the reader's unread notifications for the bell."""
        from flask import request
        from flask_babel import get_locale

        locale = str(get_locale() or "en")
        return {"current_locale": locale, "unread": _unread_count(), "url_for": urls.for_request(app, request),
                "fragment": fragments.for_page(app, locale, request.root_path), **i18n.template_context(locale)}


def _unread_count() -> int:
    """Loaded with the signed-in user (no statement here); counted only for a user loaded otherwise."""
    from flask import g
    from flask_login import current_user

    from . import notifications

    if g.get("database_unavailable") or not current_user or not current_user.is_authenticated:
        return 0
    if current_user.unread_count is not None:
        return current_user.unread_count
    if "unread_count" not in g:
        g.unread_count = notifications.unread_count(current_user)
    return g.unread_count


# Each connection's own page cache holds 2 MB; a search at 10,000 items reads more than that
# (the full-text index and the matching rows), so every search copied pages back in from the
# operating system's file cache (12 % of its time). Mapped, the pages are read where they lie in
# that cache, shared by every connection and worker. Writes go through the WAL as before.
SQLITE_MMAP_SIZE = 256 * 1024 * 1024
# How long a write waits for another one to finish before it gives up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait (SQLITE_BUSY_TIMEOUT_MS) instead
    of 'database is locked', and read the file through a memory map (SQLITE_MMAP_SIZE)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_SIZE}")
        cursor.close()


def _limit_form_fields() -> None:
    """Werkzeug refuses a multipart form of more than MAX_FORM_PARTS parts, but parses a
    url-encoded one whole: 690,000 empty fields ("a=&a=&…", within the 2 MB a request may
    carry) took a worker a second, before the CSRF check could refuse them. The same limit
    for both, counted on the raw body (kept for the form parser, which reads it from there)."""
    from flask import abort, current_app, request

    if request.mimetype == "application/x-www-form-urlencoded" and \
            request.get_data(cache=True).count(b"&") >= current_app.config["MAX_FORM_PARTS"]:
        abort(413)


def _mark_request() -> None:
    """A GET or HEAD request changes nothing (every change is a POST with its CSRF token); a
    view marked writes_in_one_statement changes one thing in one statement. Neither needs a
    transaction around its statements."""
    from flask import current_app, request

    if request.method in ("GET", "HEAD"):
        request.environ[READS_ONLY] = request.environ[NO_TRANSACTION] = True
    elif getattr(current_app.view_functions.get(request.endpoint), "writes_in_one_statement", False):
        request.environ[NO_TRANSACTION] = True


@event.listens_for(Engine, "engine_connect")
def _autocommit_where_no_transaction(connection) -> None:
    """PostgreSQL: the statements of a request that needs no transaction (see _mark_request) run
    without one. Under READ COMMITTED each statement sees the latest commits either way, but
    psycopg forgets its prepared statements at every ROLLBACK, and every request ended with
    one: each page planned each of its statements anew (the item page 4-5 ms of planning).
    Without the transaction, statements a connection runs often stay prepared. The pool
    restores the usual isolation when the connection is returned. Only requests that came in
    as GET or HEAD are marked (not the request context the mail jobs make up, which writes),
    and those of views whose one change is one statement (a vote: 4 round trips instead of 7)."""
    if connection.dialect.name == "postgresql" and needs_no_transaction():
        connection.execution_options(isolation_level="AUTOCOMMIT")


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    from flask import request

    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Pages hold what one person may see (names, addresses, notifications): not kept by the
    # browser, so that Back after logging out shows none of it. Static files set their own.
    response.headers.setdefault("Cache-Control", "no-store")
    return response
