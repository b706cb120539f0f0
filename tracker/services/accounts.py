"""People's own accounts: registering, signing in, sessions and settings."""
import secrets
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, bindparam, cast, func, select, update
from sqlalchemy.orm import with_expression
from werkzeug.security import check_password_hash, generate_password_hash

from .. import notifications
from ..errors import DomainError
from ..extensions import db
from ..models import MAX_ID, CatalogVersion, Notification, Team, User, team_leaders, utcnow
from ..workflow import EmailPreference, Role
from .common import commit_or_conflict


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_domain_allowed(email: str) -> bool:
    allowed = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    return not allowed or email.rsplit("@", 1)[-1] in allowed


def new_session_token() -> str:
    return secrets.token_hex(16)


def add_user(email: str, name: str, password: str, role: str, team: Team | None) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_l("An account with this email address already exists."), field="email")
    user = User(email=email, name=name.strip(), role=role, team=team, session_token=new_session_token())
    user.set_password(password)
    db.session.add(user)
    return user


def register_user(email: str, name: str, password: str, team: Team | None) -> User:
    email = normalise_email(email)
    if not email_domain_allowed(email):
        raise DomainError(_l("Please register with your company email address."), field="email")
    user = add_user(email, name, password, Role.EMPLOYEE, team)
    commit_or_conflict(_l("An account with this email address already exists."), field="email")
    return user



def authenticate(email: str, password: str) -> User | None:
    """The user, or None for a wrong email or a wrong password alike, so that the answer
    never tells which accounts exist. A deactivated account with its right password is told
    so (AccountDeactivated): only its owner, who knows it exists, can get that answer."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check: timing tells nothing
        return None
    if not user.check_password(password):
        return None
    if not user.active:
        raise AccountDeactivated(_l("This account is deactivated. Please ask an admin of Nebenan."))
    return user


class AccountDeactivated(DomainError):
    pass


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, see User.get_id."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit() or int(ident) > MAX_ID:
        return None
    user = db.session.scalar(_user_statement(), {"id": int(ident)})
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


@cache
def _user_statement():
    """Built once (every request runs it; see paging). With the bell's unread count (every
    page shows it), the ids of the teams the person leads (most pages check them) and the
    number of the team and category lists (organisation.catalog): this way they cost no
    statement of their own."""
    led = (select(func.coalesce(func.aggregate_strings(cast(team_leaders.c.team_id, String), ","), ""))
           .where(team_leaders.c.user_id == User.id).correlate(User).scalar_subquery())
    return select(User).where(User.id == bindparam("id")).options(
        with_expression(User.unread_count, notifications.unread_count_column()),
        with_expression(User.led_team_list, led),
        with_expression(User.catalog_version, select(CatalogVersion.version).where(CatalogVersion.id == 1)
                        .scalar_subquery()))


def end_sessions(user: User) -> None:
    """Logs the user out everywhere: every session cookie carries the old token."""
    user.session_token = new_session_token()
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def update_settings(user: User, locale: str, email_preference: str) -> None:
    if user.email_preference == EmailPreference.NONE and email_preference != EmailPreference.NONE:
        # What arrived while the answer was "never" is never mailed, also not after the switch:
        # it counts as settled for email (emailed_at), and the app still shows it.
        db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                      Notification.emailed_at.is_(None)).values(emailed_at=utcnow()))
    user.locale, user.email_preference = locale, email_preference
    db.session.commit()
