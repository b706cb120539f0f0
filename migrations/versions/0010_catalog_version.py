"""A number the database moves whenever teams or categories change.

Most pages offer every team and every category in their filters and forms: two statements
on every page, ~10 % of a list's or the board's time (make bench). The signed-in user's
statement now reads this number too; a process reads the lists again only when it moved.
Triggers move it, so no way of writing the tables can forget to.

Each change moves it by a random step, not by one: restored from a backup of itself, a
database would otherwise count up through numbers the running processes kept lists for.
On PostgreSQL the trigger runs before each statement, so that a transaction waits for the
number's row lock before it locks any team or category row (two admins' edits queue up
instead of deadlocking).

Revision ID: 0010
Revises: 0009
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ("teams", "categories")
STEP = 1_000_000_000  # at most, per change: 2^63 leaves room for billions of changes


def upgrade():
    op.create_table(
        'catalog_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_catalog_version_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version')),
    )
    # A random start: a database restored from another one's backup does not repeat a number
    # a running process may have kept lists for.
    op.execute(f"INSERT INTO catalog_version (id, version) VALUES (1, {secrets.randbelow(2 ** 52)})")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"UPDATE catalog_version SET version = version + 1 + floor(random() * {STEP})::bigint "
                   f"WHERE id = 1; RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_catalog_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed()")
    else:
        bump = f"UPDATE catalog_version SET version = version + 1 + abs(random() % {STEP}) WHERE id = 1"
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_catalog_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {bump}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_catalog_changed ON {table}")
        op.execute("DROP FUNCTION catalog_changed()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_catalog_{event}")
    op.drop_table('catalog_version')
