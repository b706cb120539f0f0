"""A partial index for the waiting list: New items without a response, per team, oldest first.

Without it PostgreSQL walked the created_at index through every item to find the few
unanswered ones of a leader's teams (12 ms at 10,000 items, make bench).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

UNANSWERED = sa.text("status = 'new' AND first_response_at IS NULL")


def upgrade():
    op.create_index('ix_ideas_unanswered', 'ideas', ['team_id', 'created_at'], unique=False,
                    sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)


def downgrade():
    op.drop_index('ix_ideas_unanswered', table_name='ideas')
