"""An index for the waiting list and the board's per-team counts (measured by make bench).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ideas_team_status_created', 'ideas', ['team_id', 'status', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_ideas_team_status_created', table_name='ideas')
