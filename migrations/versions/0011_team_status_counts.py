"""How many items each team has in each status, kept by the database itself.

The board shows each column's total. Counting the items on every view took time in proportion
to them: a leader's three teams at 10,000 items read ~600 index entries, and a board of every
team (an admin's) all 10,000 (6 ms on PostgreSQL). team_status_counts holds one row per team
and status; triggers on `ideas` move it in the same transaction as the insert, the status
move or the hand-over to another team, so no way of writing items can forget to. Votes and
comments update other columns and do not fire them. On PostgreSQL a TRUNCATE of `ideas`
empties the counts too. (A later migration that rebuilds `ideas` on SQLite, batch_alter_table,
drops its triggers and must create them again, as it must 0010's on teams and categories.)

On PostgreSQL a change of both team and status (or a move between two statuses) locks the
two counter rows in one fixed order, so that two moves of items in opposite directions queue
up instead of deadlocking; a merge, which writes two items, locks both items first
(triage._lock_in_order).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ADD_SQLITE = ("INSERT INTO team_status_counts (team_id, status, n) VALUES (NEW.team_id, NEW.status, 1) "
               "ON CONFLICT (team_id, status) DO UPDATE SET n = n + 1")
_REMOVE_SQLITE = "UPDATE team_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status"

_PG_EMPTIED = """
CREATE FUNCTION ideas_counts_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM team_status_counts;
  RETURN NULL;
END $$
"""

_PG_FUNCTION = """
CREATE FUNCTION ideas_count_by_team_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.team_id, OLD.status) = (NEW.team_id, NEW.status) THEN
    RETURN NULL;
  END IF;
  -- the lower (team, status) first: two transactions lock the two rows in the same order
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.team_id, OLD.status) < (NEW.team_id, NEW.status)) THEN
    UPDATE team_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO team_status_counts (team_id, status, n) VALUES (NEW.team_id, NEW.status, 1)
      ON CONFLICT (team_id, status) DO UPDATE SET n = team_status_counts.n + 1;
  END IF;
  IF TG_OP = 'UPDATE' AND (OLD.team_id, OLD.status) > (NEW.team_id, NEW.status) THEN
    UPDATE team_status_counts SET n = n - 1 WHERE team_id = OLD.team_id AND status = OLD.status;
  END IF;
  RETURN NULL;
END $$
"""


def upgrade():
    op.create_table(
        'team_status_counts',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_status_counts_team_id_teams')),
        sa.PrimaryKeyConstraint('team_id', 'status', name=op.f('pk_team_status_counts')),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # no item written between the count and the triggers (SQLite: the INSERT below takes
        # the database's write lock until the migration commits)
        op.execute("LOCK TABLE ideas IN SHARE ROW EXCLUSIVE MODE")
    op.execute("INSERT INTO team_status_counts (team_id, status, n) "
               "SELECT team_id, status, count(*) FROM ideas GROUP BY team_id, status")
    if postgresql:
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER ideas_count_by_team_status AFTER INSERT OR DELETE OR UPDATE OF team_id, status "
                   "ON ideas FOR EACH ROW EXECUTE FUNCTION ideas_count_by_team_status()")
        op.execute(_PG_EMPTIED)
        op.execute("CREATE TRIGGER ideas_counts_emptied AFTER TRUNCATE ON ideas "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ideas_counts_emptied()")
    else:
        op.execute(f"CREATE TRIGGER ideas_count_insert AFTER INSERT ON ideas BEGIN {_ADD_SQLITE}; END")
        op.execute("CREATE TRIGGER ideas_count_update AFTER UPDATE OF team_id, status ON ideas "
                   "WHEN OLD.team_id IS NOT NEW.team_id OR OLD.status IS NOT NEW.status "
                   f"BEGIN {_REMOVE_SQLITE}; {_ADD_SQLITE}; END")
        op.execute(f"CREATE TRIGGER ideas_count_delete AFTER DELETE ON ideas BEGIN {_REMOVE_SQLITE}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ideas_counts_emptied ON ideas")
        op.execute("DROP FUNCTION ideas_counts_emptied()")
        op.execute("DROP TRIGGER ideas_count_by_team_status ON ideas")
        op.execute("DROP FUNCTION ideas_count_by_team_status()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER ideas_count_{event}")
    op.drop_table('team_status_counts')
