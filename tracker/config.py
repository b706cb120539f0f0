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

    # The language for whoever has not chosen one and whose browser asks for neither: visitors,
    # and emails to people who have not logged in yet (say, accounts from the command line).
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LANGUAGE", "en")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Berlin")
    LANGUAGES = ("de", "en")

    # Rate limits (Flask-Limiter syntax). Shared between processes when the storage is Redis.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_LOGIN_PER_IP = os.environ.get("RATELIMIT_LOGIN_PER_IP", "50 per 15 minutes")
    RATELIMIT_PASSWORD_RESET = os.environ.get("RATELIMIT_PASSWORD_RESET", "5 per hour")
    RATELIMIT_SUBMIT = os.environ.get("RATELIMIT_SUBMIT", "20 per hour")
    RATELIMIT_COMMENT = os.environ.get("RATELIMIT_COMMENT", "30 per 10 minutes")
    # How many proxies (load balancers) stand in front of the app and set X-Forwarded-For.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    IDEAS_PER_PAGE = 20
    BOARD_CARDS_PER_COLUMN = 8
    RESPONSE_DAYS = int(os.environ.get("RESPONSE_DAYS", "14"))

    # Email. Without MAIL_SERVER, notifications stay in the app only.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_FROM", "Nebenan <nebenan@localhost>")
    MAIL_SUPPRESS_SEND = False
    # Where links in emails point, e.g. https://nebenan.firma.de
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    MAX_EMAIL_ATTEMPTS = 5
