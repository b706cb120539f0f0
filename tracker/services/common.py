"""What the services share: loading by id and committing with a readable conflict."""
from sqlalchemy.exc import IntegrityError

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
