"""DomainError, raised by services with a message a user can read, and the error pages."""
import logging

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. `message` is shown to the user as is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    pass


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(error: HTTPException, message=None):
    if _wants_json():
        return jsonify(error=str(message or error.name), status=error.code), error.code
    return render_template("errors/error.html", error=error, message=message), error.code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.info("CSRF check failed on %s: %s", request.path, error.description)
        return _render(error, _l("Your form expired or came from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _render(error)

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.error("database error: %s", error)
        from .extensions import db

        db.session.rollback()
        return _render(ServiceUnavailable())

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError())
