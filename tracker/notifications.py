"""Notifications: who hears about what, the in-app list, and email after the commit.

Rows are written in the same transaction as the change they report. Email goes out
after the commit, beside the request (in_background); a failure is logged and left for
`flask send-pending` to retry, so it never breaks or slows the request and never loses the
in-app notification.
"""
import logging
import queue
import smtplib
import threading
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, union, update
from sqlalchemy.orm import joinedload

from .extensions import db, mail
from .mail import Message, encoded_subject
from .models import MAX_ID, Comment, Idea, Notification, User, Vote, utcnow
from .workflow import EmailPreference

log = logging.getLogger(__name__)

PENDING_WINDOW = timedelta(days=3)
# Emails a request sends itself after its commit; more (a move on a very popular item) are left
# to `flask send-pending`, so that no request waits on hundreds of SMTP sessions.
MAX_EMAILS_IN_REQUEST = 50
PENDING_AFTER = timedelta(minutes=1)


def followers(idea: Idea) -> set[int]:
    """The author (also when anonymous), the voters and the commenters of an item."""
    ids = union(
        select(Vote.user_id).where(Vote.idea_id == idea.id),
        select(Comment.author_id).where(Comment.idea_id == idea.id),
    )
    return {idea.author_id, *db.session.scalars(select(ids.subquery().c[0]))}


def notify(user_ids, *, type: str, idea: Idea, actor: User | None = None, exclude: User | None = None,
           **fields) -> list[Notification]:
    """Adds one notification per person (never to the one who acted). Does not commit."""
    recipients = set(user_ids) - ({exclude.id} if exclude is not None else set())
    rows = [Notification(user_id=uid, type=type, idea_id=idea.id, actor_id=actor.id if actor else None, **fields)
            for uid in sorted(recipients)]
    db.session.add_all(rows)
    return rows


# --- reading --------------------------------------------------------------------------

def _unread_of(user_id):
    return select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))


def unread_count(user: User) -> int:
    return db.session.scalar(_unread_of(user.id)) or 0


def unread_count_column():
    """The same count as a column of a query over users (one statement with the user)."""
    return _unread_of(User.id).correlate(User).scalar_subquery()


def page_for(user: User, page: int, per_page: int = 30):
    stmt = select(Notification).where(Notification.user_id == user.id).options(
        joinedload(Notification.idea).joinedload(Idea.team), joinedload(Notification.actor),
        joinedload(Notification.target_idea), joinedload(Notification.comment)).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def mark_read(user: User, notification_id: int | None = None) -> None:
    """One notification, or all of them when no id is given. Only the reader's own."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=utcnow()))
    db.session.commit()


def get_own(user: User, notification_id: int) -> Notification | None:
    if not 0 < notification_id <= MAX_ID:
        return None
    return db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))


# --- email ----------------------------------------------------------------------------

def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _reachable():
    """Whom notification emails and digests go to: active accounts whose address was confirmed
    (nobody else's inbox). send_one, for the confirmation and password links, goes to anyone."""
    return User.active, User.email_confirmed_at.is_not(None)


def deliver(notifications: list[Notification]) -> None:
    """After the commit: email those who want it at once. Never raises. In a request the
    emails go out beside it (in_background): a slow or unreachable mail server (10 s each
    try) must not hold the page, nor every worker with it."""
    if not notifications or not mail_enabled():
        return
    ids = [n.id for n in notifications[:MAX_EMAILS_IN_REQUEST]]
    if has_request_context():
        in_background(lambda: _deliver(ids))
    else:  # the command line, a direct call
        _deliver(ids)


def _deliver(ids: list[int]) -> None:
    try:
        _send_each(select(Notification).join(Notification.user).where(
            Notification.id.in_(ids), User.email_preference == EmailPreference.IMMEDIATE, *_reachable()))
    except Exception:  # the request must not fail because of mail; send-pending retries
        log.exception("could not deliver notification emails")
        db.session.rollback()


def send_pending() -> tuple[int, int]:
    """Immediate emails not sent yet: failed before, or left over by a busy request. Returns (sent, failed)."""
    if not mail_enabled():
        return 0, 0
    now = utcnow()
    return _send_each(select(Notification).join(Notification.user).where(
        Notification.emailed_at.is_(None), Notification.read_at.is_(None),  # read in the app: no email needed
        Notification.created_at <= now - PENDING_AFTER,
        Notification.created_at >= now - PENDING_WINDOW,
        Notification.email_attempts < current_app.config["MAX_EMAIL_ATTEMPTS"],
        User.email_preference == EmailPreference.IMMEDIATE, *_reachable()))


def _send_each(stmt) -> tuple[int, int]:
    """One email per notification, all over one SMTP connection."""
    batch = []
    for notification in db.session.scalars(stmt.order_by(Notification.id)).all():
        batch.append((_email(notification.user, "email/subject.txt", "email/notification.txt",
                             notification=notification), [notification]))
    return _send_batch(batch)


def send_digests() -> int:
    """One email per person who chose the daily digest, with everything not yet mailed nor
    read in the app."""
    if not mail_enabled():
        return 0
    unsent = (Notification.emailed_at.is_(None), Notification.read_at.is_(None))
    people = db.session.scalars(select(User).where(
        User.email_preference == EmailPreference.DAILY, *_reachable(),
        select(Notification.id).where(Notification.user_id == User.id, *unsent).exists(),
    )).all()
    batch = []
    for user in people:
        items = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, *unsent).order_by(Notification.created_at)).all()
        batch.append((_email(user, "email/digest_subject.txt", "email/digest.txt", count=len(items),
                             notifications=items), items))
    return _send_batch(batch)[0]


def send_one(user: User, subject_template: str, body_template: str, *, locale: str | None = None,
             to: str | None = None, **context) -> bool:
    """One email to `user` now, in their language (`locale` for someone who has not chosen one:
    that of the page that asked for it), outside the notifications (the link that confirms an
    address); `to`: another address of theirs than the account's. False, and logged, when the
    mail server failed."""
    message = _email(user, subject_template, body_template, locale=locale, to=to, **context)
    try:
        with mail.connect() as connection:
            connection.send(message)
    except Exception as error:  # SMTP errors, refused or timed-out connections
        log.warning("email %s to user %s failed (%s)", body_template, user.id, error)
        return False
    return True


# One sender thread per process: requests hand their emails over (in_background) and go on,
# and the sender takes them one at a time, so that a slow or unreachable mail server holds one
# thread and one database connection, not one of each per request. With MAX_WAITING handed
# over and not yet tried, further notification emails are left to `flask send-pending` (they
# stay unmailed in the database until then).
MAX_WAITING = 200
MAIL_THREAD = "nebenan-mail"
_outbox: queue.Queue = queue.Queue(maxsize=MAX_WAITING)
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


def in_background(work) -> None:
    """Has the sender run `work` (sending email) in an app context of its own, so that the
    request goes on without waiting for the mail server: neither the page nor the worker waits,
    and (for the password link) how long the server takes does not tell whether an address has
    an account. A failure is logged."""
    global _sender
    try:
        _outbox.put_nowait((current_app._get_current_object(), work))
    except queue.Full:
        log.warning("%d emails wait for the mail server already; this one is left for send-pending", MAX_WAITING)
        return
    with _sender_lock:  # started by the first email of each process (a gunicorn worker, after the fork)
        if _sender is None or not _sender.is_alive():
            _sender = threading.Thread(target=_send_forever, name=MAIL_THREAD, daemon=True)
            _sender.start()


def _send_forever() -> None:
    while True:
        app, work = _outbox.get()
        try:
            with app.app_context():
                work()
        except Exception:  # the database, a template: nobody else would hear of it
            log.exception("sending email failed")
        finally:
            _outbox.task_done()


def wait_until_sent() -> None:
    """Returns once every email handed to in_background has been tried."""
    _outbox.join()


def send_in_background(user: User, subject_template: str, body_template: str, *, locale: str | None = None,
                       **context) -> None:
    """send_one beside the request (in_background); the person can ask again if it fails."""
    user_id = user.id

    def send() -> None:
        recipient = db.session.get(User, user_id)
        if recipient is not None:
            send_one(recipient, subject_template, body_template, locale=locale, **context)

    in_background(send)


def _email(user: User, subject_template: str, body_template: str, locale: str | None = None, to: str | None = None,
           **context) -> Message:
    """An email to `user` (at `to`, else the account's address), written in their language."""
    with _email_context(user, locale):
        return Message(subject=encoded_subject(render_template(subject_template, user=user, **context).strip()),
                       recipients=[to or user.email], body=render_template(body_template, user=user, **context))


@contextmanager
def _email_context(user: User, locale: str | None = None):
    """The reader's language, and (from the command line) a request to build links in."""
    request_context = nullcontext() if has_request_context() else \
        current_app.test_request_context(base_url=current_app.config["BASE_URL"])
    with request_context, force_locale(user.locale or locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


# The mail server said no to one email (its recipient; its size, refused with the sender when
# the server announces SIZE), not to the connection: the others still go out over it.
_REFUSED_ONE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _send_batch(batch: list[tuple[Message, list[Notification]]]) -> tuple[int, int]:
    """Sends over one connection; marks what went out and counts an attempt on what did not.
    An email the server refuses is skipped (a mailbox that no longer exists must not hold up
    everyone else's); when the connection fails, the rest waits for the next run."""
    if not batch:
        return 0, 0
    sent = tried = 0
    try:
        with mail.connect() as connection:
            for message, notifications in batch:
                try:
                    connection.send(message)
                except _REFUSED_ONE as error:
                    log.warning("the mail server refused an email to user %s (%s); it will be retried",
                                notifications[0].user_id, error)
                    _count_attempt(notifications)
                else:
                    for notification in notifications:
                        notification.emailed_at = utcnow()
                    sent += 1
                tried += 1
    except Exception as error:  # SMTP errors, refused or timed-out connections
        log.warning("email failed after %d of %d (%s); the rest will be retried", tried, len(batch), error)
        for _message, notifications in batch[tried:]:
            _count_attempt(notifications)
    db.session.commit()
    return sent, len(batch) - sent


def _count_attempt(notifications: list[Notification]) -> None:
    for notification in notifications:
        notification.email_attempts += 1


