"""Configuration read from the environment; nothing else happens here."""
import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # DATABASE_URL and SECRET_KEY may be None here; create_app fills in the
    # instance-folder defaults (SQLite file, generated key).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    ALLOWED_EMAIL_DOMAINS = [
        d.strip().lower().lstrip("@")
        for d in os.environ.get("ALLOWED_EMAIL_DOMAINS", "").split(",")
        if d.strip()
    ]

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Berlin")
    LANGUAGES = ("de", "en")

    IDEAS_PER_PAGE = 20
