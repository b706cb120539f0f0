"""DomainError, raised by services with a message a user can read, and the error pages."""
import logging

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, InternalServerError

from .extensions import db
from .urls import page_for

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. `message` is shown to the user as is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    pass


class Refused(Forbidden):
    """A 403 that says why (the rule's own words), with the page to go back to."""

    def __init__(self, message, back: str | None = None):
        super().__init__()
        self.message, self.back = message, back


class DomainErrors(DomainError):
    """Several rules said no at once, each about its own field: a form marks them all together."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(" ".join(str(error.message) for error in errors), field=errors[0].field)
        self.errors = errors


# SQLSTATE classes of a database that answered but could not finish now: 40 transaction rollback
# (deadlock, serialization failure), 55P03 lock not available, 57014 statement cancelled (timeout).
_BUSY_SQLSTATES = ("40", "55P03", "57014")


def _database_busy(error: OperationalError | PoolTimeout) -> bool:
    if isinstance(error, PoolTimeout):  # every pooled connection in use, for longer than the pool waits
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    if sqlstate.startswith(_BUSY_SQLSTATES):
        return True
    return "database is locked" in str(error.orig) or "database table is locked" in str(error.orig)  # SQLite


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# The long texts a form may carry, by field name. When a form cannot be saved for a reason
# that is not the text's (the session ended, too many attempts, the database did not answer),
# the error page shows them again, so that nothing typed at length is lost.
_TYPED_FIELDS = {"title": _l("Title"), "description": _l("Description"), "body": _l("Comment"), "note": _l("Note")}


def _from_our_page() -> bool:
    """Whether the browser says the request came from one of our own pages (Origin)."""
    return request.headers.get("Origin") == request.host_url.rstrip("/")


def _typed_text(error: HTTPException | None = None) -> list[tuple[str, str]]:
    """(label, text) of what the failed request's form carried, for a page of our own only:
    shown to whoever sent it from one of our pages, never for a form posted from another site."""
    if request.method != "POST" or (error is not None and error.code == 413):  # 413: the body stays unread
        return []
    if not _from_our_page():
        return []
    return [(label, text) for name, label in _TYPED_FIELDS.items() if (text := request.form.get(name, "")).strip()]


def _render(error: HTTPException, message=None, back: str | None = None):
    """The error page (JSON for a client that asks for it); `back`: the page to go back to."""
    if _wants_json():
        return jsonify(error=str(message or error.name), status=error.code), error.code
    return render_template("errors/error.html", error=error, message=message, back=back,
                           typed=_typed_text(error)), error.code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.info("CSRF check failed on %s: %s", request.path, error.description)
        message = _l("Your form expired or came from elsewhere. Please reload the page and try again.")
        if _from_our_page() and not current_user.is_authenticated:  # logged out in another tab, say
            message = _l("You were logged out before this was sent. Please log in and send it again.")
        # back to the page the form belongs to (/ideas/7 for /ideas/7/vote), to reload it there
        return _render(error, message, back=page_for(request.path))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if isinstance(error, Refused):
            return _render(error, error.message, back=error.back)
        return _render(error)

    @app.errorhandler(DataError)
    def data_error(error):
        """Text the database cannot store (PostgreSQL refuses NUL characters): the user's input, not our fault."""
        log.info("database refused a value on %s: %s", request.path, error.orig)
        db.session.rollback()
        return _render(BadRequest(), _l("Something you entered contains characters that cannot be saved."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """The database went away (restart, failover, network) or was too busy to finish (a lock
        waited for too long, a deadlock): a clear 503 either way, and the change was not saved.
        The pool's pre-ping replaces dead connections, so the next request works again by itself."""
        busy = _database_busy(error)
        log.log(logging.WARNING if busy else logging.ERROR, "database %s on %s %s: %s",
                "busy" if busy else "unavailable", request.method, request.path, error)
        g.database_unavailable = True
        if "_login_user" not in g:  # Flask-Login would try to load the user from the database
            from .extensions import login_manager

            g._login_user = login_manager.anonymous_user()
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone for good; the pool drops it
            log.warning("rollback after a database error failed too", exc_info=True)
        if _wants_json():
            message = _l("The database did not answer. Please try again in a moment.")
            if busy:
                message = _l("Too much happened at once and your change was not saved. Please try again.") \
                    if request.method == "POST" else _l("Too much happened at once. Please try again in a moment.")
            return jsonify(error=str(message), status=503), 503
        return render_template("errors/unavailable.html", busy=busy, typed=_typed_text()), 503

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:  # a failed flush leaves the session unusable, and the page reads the user from it
            db.session.rollback()
        except Exception:
            log.warning("rollback after an unhandled error failed too", exc_info=True)
        return _render(InternalServerError())
