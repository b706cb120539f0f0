"""People's own accounts: registering, signing in, sessions and settings."""
import hashlib
import secrets
from functools import cache

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import String, bindparam, cast, func, select, update
from sqlalchemy.orm import with_expression
from werkzeug.security import check_password_hash, generate_password_hash

from .. import notifications
from ..errors import DomainError
from ..extensions import db
from ..models import MAX_ID, CatalogVersion, Notification, Team, User, team_leaders, utcnow
from ..workflow import EmailPreference, Role
from .common import commit_or_conflict, flush_or_conflict, get_by_id


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
    """A new employee account. While the app sends email, its address counts only once
    confirmed (send_confirmation, confirm_email): otherwise anyone could register in the
    name of a colleague who has no account yet. Without a mail server nobody could confirm,
    so the account is ready at once."""
    email = normalise_email(email)
    if not email_domain_allowed(email):
        raise DomainError(_l("Please register with your company email address."), field="email")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.email_confirmed_at is not None:
        generate_password_hash(password)  # the work of a new account: the answer's time tells nothing
        raise AccountExists(user)
    if user is not None:
        # Nobody has shown this address is theirs yet: registering it again (its owner, perhaps,
        # after someone else tried) sets the name and password the new link will confirm.
        user.name, user.team, user.session_token = name.strip(), team, new_session_token()
        user.set_password(password)
    else:
        user = add_user(email, name, password, Role.EMPLOYEE, team)
        # (Written first: the ORM would take None for "not given" and fill in the column's default.)
        flush_or_conflict(_l("An account with this email address already exists."), field="email")
    user.email_confirmed_at = None if notifications.mail_enabled() else utcnow()
    commit_or_conflict(_l("An account with this email address already exists."), field="email")
    return user


CONFIRM_DAYS = 3
_INVALID_LINK = _l("This link is not valid. Please use the whole link from the email.")


def _confirmations() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="nebenan-confirm-email")


def send_confirmation(user: User) -> bool:
    """Emails the link that confirms the user's address. False when the mail server failed
    (logged; logging in with the right password sends a new link)."""
    token = _confirmations().dumps({"id": user.id, "email": user.email})
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.confirm", token=token)
    return notifications.send_one(user, "email/confirm_subject.txt", "email/confirm.txt", link=link, days=CONFIRM_DAYS)


def _claims(links: URLSafeTimedSerializer, token: str, too_old) -> dict:
    """What the token of an emailed link (valid CONFIRM_DAYS) carries; DomainError with
    `too_old`, or that it is not valid, for a link that cannot be used."""
    try:
        claims = links.loads(token, max_age=CONFIRM_DAYS * 24 * 3600)
    except SignatureExpired:
        raise DomainError(too_old)
    except BadSignature:
        raise DomainError(_INVALID_LINK)
    return claims if isinstance(claims, dict) else {}


def confirmation_for(token: str) -> User:
    """The account whose address the link (send_confirmation) confirms. A link that is
    broken, too old, or for an address the account no longer has raises DomainError."""
    claims = _claims(_confirmations(), token, _l("This link is too old. Log in with your password to get a new one."))
    user = get_by_id(User, claims.get("id"))
    if user is None or user.email != claims.get("email"):
        raise DomainError(_INVALID_LINK)
    return user


RESET_HOURS = 2
_INVALID_RESET = _l("This link is not valid any more: it is too old, incomplete or used already. "
                    "Please ask for a new one.")


def _password_resets() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="nebenan-reset-password")


def _fingerprint(secret: str) -> str:
    """A short digest of the password hash, for a link that must find the password unchanged
    (one that set it once cannot set it again; see also email_change_for)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:20]


def send_password_reset(email: str) -> None:
    """Emails a link that sets a new password to the active account with this address, beside
    the request. For any other address nothing happens, and the page says the same, as fast: it
    does not tell who has an account. A mail server that fails is logged."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email), User.active))
    if user is None:
        return
    token = _password_resets().dumps({"id": user.id, "email": user.email,
                                      "password": _fingerprint(user.password_hash)})
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=token)
    notifications.send_in_background(user, "email/reset_subject.txt", "email/reset.txt", locale=str(get_locale()),
                                     link=link, hours=RESET_HOURS)


def password_reset_for(token: str) -> User:
    """The account whose password the link (send_password_reset) sets. A link that is broken,
    older than RESET_HOURS, used already (the password changed since), sent to an address the
    account has left since (its next owner must not get in) or for a deactivated account
    raises DomainError."""
    try:
        claims = _password_resets().loads(token, max_age=RESET_HOURS * 3600)
    except BadSignature:  # SignatureExpired too
        raise DomainError(_INVALID_RESET)
    user = get_by_id(User, claims.get("id")) if isinstance(claims, dict) else None
    if user is None or not user.active or claims.get("email") != user.email or \
            not secrets.compare_digest(str(claims.get("password", "")), _fingerprint(user.password_hash)):
        raise DomainError(_INVALID_RESET)
    return user


def reset_password(token: str, password: str) -> User:
    """Sets the new password of the link's account (password_reset_for); every session that
    was open ends. The link reached the inbox: an address not confirmed yet is confirmed.
    Written only over the password the link was made for: of two uses at once, one wins."""
    user = password_reset_for(token)
    replaced = db.session.execute(
        update(User).where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=generate_password_hash(password), session_token=new_session_token(),
                email_confirmed_at=func.coalesce(User.email_confirmed_at, utcnow()))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not replaced:
        db.session.rollback()
        raise DomainError(_INVALID_RESET)
    db.session.commit()  # (and the user's attributes are read anew)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change, with the password they have now; every other session ends (the
    caller logs this one in again)."""
    if not user.check_password(current):
        raise DomainError(_l("That is not your current password."), field="current")
    replace_password(user, new)


def replace_password(user: User, password: str) -> None:
    """Sets the password and ends every session the account had."""
    user.set_password(password)
    user.session_token = new_session_token()
    db.session.commit()


def confirm_email(token: str, user: User) -> User:
    """Confirms `user`'s address with the token of their link (the caller checked the
    password); DomainError for a link that is not theirs, or no longer valid."""
    if confirmation_for(token).id != user.id:
        raise DomainError(_INVALID_LINK)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
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
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed(user)
    return user


class AccountDeactivated(DomainError):
    pass


class AccountExists(DomainError):
    """Registering an address that has an account already (send_account_exists tells its owner)."""

    def __init__(self, user: User):
        super().__init__(_l("An account with this email address already exists."), field="email")
        self.user = user


def send_account_exists(user: User) -> bool:
    """Tells the owner of an account that someone registered with its address, and how to get
    in if it was them. False when the mail server failed (logged)."""
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.forgot_password")
    return notifications.send_one(user, "email/exists_subject.txt", "email/exists.txt", locale=str(get_locale()),
                                  link=link)


class EmailNotConfirmed(DomainError):
    """The right password for an account whose address is not confirmed yet."""

    def __init__(self, user: User):
        super().__init__(_l("Please confirm your email address first: open the link we emailed you."))
        self.user = user


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


def _email_changes() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="nebenan-change-email")


def _address_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def check_new_email(user: User, current: str, new_email: str) -> str:
    """The address `user` asked to move to, normalised, after the checks a registration makes
    and their current password (a session left open must not hand the account to another inbox).
    While the app sends email, an address that has an account is not said to have one (nobody
    learns a colleague's address that way): the link goes there, and change_email refuses it."""
    if not user.check_password(current):
        raise DomainError(_l("That is not your current password."), field="current")
    email = normalise_email(new_email)
    if email == user.email:
        raise DomainError(_l("This is your address already."), field="email")
    if not email_domain_allowed(email):
        raise DomainError(_l("Please use your company email address."), field="email")
    if not notifications.mail_enabled() and _address_taken(email):
        raise DomainError(_l("An account with this email address already exists."), field="email")
    return email


def send_email_change(user: User, email: str) -> bool:
    """Emails the link that moves the account to `email`, to that address: only its owner can
    open it. False when the mail server failed (logged)."""
    token = _email_changes().dumps({"id": user.id, "from": user.email, "to": email,
                                    "password": _fingerprint(user.password_hash)})
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.confirm_email_change", token=token)
    return notifications.send_one(user, "email/change_subject.txt", "email/change.txt", to=email, link=link,
                                  days=CONFIRM_DAYS)


def email_change_for(token: str, user: User) -> str:
    """The address the link (send_email_change) moves `user` to. A link that is broken, too
    old, for another account, or from before the address or the password last changed raises
    DomainError (logging out and in again in between is fine)."""
    claims = _claims(_email_changes(), token,
                     _l("This link is too old. Please ask for the change again in your settings."))
    if claims.get("id") != user.id:
        raise DomainError(_l("This link belongs to another account. Log in as the account that asked for the "
                             "change, then open it again."))
    if claims.get("from") != user.email or \
            not secrets.compare_digest(str(claims.get("password", "")), _fingerprint(user.password_hash)):
        raise DomainError(_l("This link is not valid any more: your address or your password has changed since."))
    if _address_taken(claims["to"]):  # by someone who asked or registered at the same time
        raise DomainError(_l("An account with this email address already exists."))
    return claims["to"]


def change_email(user: User, email: str) -> str:
    """Moves the account to `email`, confirmed (by the link, or at once where no mail server
    could carry one); the old address hears of it. Every session the account had ends, as
    after a new password (the caller logs this one in again). Returns the old address."""
    if _address_taken(email):
        raise DomainError(_l("An account with this email address already exists."), field="email")
    old = user.email
    user.email, user.email_confirmed_at, user.session_token = email, utcnow(), new_session_token()
    commit_or_conflict(_l("An account with this email address already exists."), field="email")
    if notifications.mail_enabled():
        notifications.send_one(user, "email/changed_subject.txt", "email/changed.txt", to=old, new=email)
    return old
