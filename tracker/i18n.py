"""Locale selection and the translated names of the workflow's codes."""
from flask import current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .workflow import Kind, Role, Status

KIND_LABELS = {
    Kind.PAIN_POINT: _l("Pain point"),
    Kind.IDEA: _l("Improvement idea"),
}

STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.REVIEW: _l("Under review"),
    Status.PLANNED: _l("Planned"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.IMPLEMENTED: _l("Implemented"),
    Status.DECLINED: _l("Declined"),
    Status.DUPLICATE: _l("Duplicate"),
}

ROLE_LABELS = {
    Role.EMPLOYEE: _l("Employee"),
    Role.LEADER: _l("Leader"),
    Role.ADMIN: _l("Admin"),
}

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def select_locale() -> str | None:
    """The user's own setting, then the session's choice, then Accept-Language."""
    if not has_request_context():
        return None  # the default locale, e.g. for the command line
    languages = current_app.config["LANGUAGES"]
    if not g.get("database_unavailable") and current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages)
