"""An item's history shows when it was handed over to another team, and from which.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite adds a column with a foreign key only by rebuilding the table (no other
    # table points at status_changes); PostgreSQL alters it in place.
    with op.batch_alter_table('status_changes') as batch:
        batch.add_column(sa.Column('from_team_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('to_team_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_status_changes_from_team_id_teams'), 'teams', ['from_team_id'], ['id'])
        batch.create_foreign_key(op.f('fk_status_changes_to_team_id_teams'), 'teams', ['to_team_id'], ['id'])


def downgrade():
    with op.batch_alter_table('status_changes') as batch:
        batch.drop_constraint(op.f('fk_status_changes_to_team_id_teams'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_status_changes_from_team_id_teams'), type_='foreignkey')
        batch.drop_column('to_team_id')
        batch.drop_column('from_team_id')
