"""What the services share: loading by id and committing with a readable conflict."""
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import DomainError
from ..extensions import db
from ..models import MAX_ID


def get_by_id(model, ident):
    """By primary key; None for anything that cannot be an id (absent, negative, too large)."""
    return db.session.get(model, ident) if isinstance(ident, int) and 0 < ident <= MAX_ID else None


def commit_or_conflict(message, field: str | None = None) -> None:
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError(message, field=field) from error


def flush_or_conflict(message, field: str | None = None) -> None:
    """As commit_or_conflict, for the changes so far, before the use case reads more (a
    query would flush them itself, and a conflict there would be no message but a 500)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise DomainError(message, field=field) from error


def commit_with(obj, row) -> None:
    """Commits, and gives `obj` the values in `row` (column name -> value, as written by the
    transaction's own UPDATE ... RETURNING) instead of expiring what the session holds: the
    answer to the change then reads nothing again. (After a plain commit, showing the item
    and checking the person would each read their row anew; on PostgreSQL with the pool's
    ping, a BEGIN and a ROLLBACK, six round trips.) Only for a transaction whose changes to
    loaded objects are all in `row`."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    for name, value in row._mapping.items():
        set_committed_value(obj, name, value)
