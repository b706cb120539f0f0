"""Flask extensions, created unbound and initialised in create_app."""
from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .mail import TimeoutMail

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = TimeoutMail()
# Storage from RATELIMIT_STORAGE_URI: memory:// for one process, redis://... when several share the limits.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


READS_ONLY = "nebenan.reads_only"  # set in the environ of a GET or HEAD request (create_app)
NO_TRANSACTION = "nebenan.no_transaction"  # ... and of a view marked writes_in_one_statement


def reads_only() -> bool:
    """Whether this is a request that changes nothing: a GET or HEAD that came in (not the
    request context the mail jobs make up, which writes)."""
    return has_request_context() and bool(request.environ.get(READS_ONLY))


def needs_no_transaction() -> bool:
    """Whether each statement of this request stands alone: it only reads, or its one change
    is a single statement (writes_in_one_statement)."""
    return has_request_context() and bool(request.environ.get(NO_TRANSACTION))


def writes_in_one_statement(view):
    """Marks a view whose only change on PostgreSQL is one statement, atomic by itself (a vote:
    its row and the item's counters). Like a page, its request then runs without a transaction
    of its own, which saves the BEGIN and COMMIT round trips. A second change in such a view
    would be committed apart from the first: keep it to one (tests/test_query_counts.py)."""
    view.writes_in_one_statement = True
    return view


@limiter.request_filter
def _reading() -> bool:
    """The limits are on what people send (logins, items, comments): a page they read is not
    looked at, which spares every page the limiter's work (6 % of an empty page)."""
    return request.method in ("GET", "HEAD")


def core_execute(statement, params: dict | None = None):
    """Runs a statement that reads plain columns (no ORM objects), or changes rows without
    touching loaded objects, on the session's connection and in its transaction (where the
    request has one: see writes_in_one_statement), but without the ORM's work around each
    execution: that work is half the Python time of a short query. Pending changes are
    flushed first, so that the statement sees them."""
    session = db.session()
    session.flush()  # returns at once when nothing is pending
    return session.connection().execute(statement, params)
