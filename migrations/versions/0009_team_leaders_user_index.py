"""The teams a person leads, by person: every request loads them with the signed-in user.

The primary key (team_id, user_id) answers "who leads this team", not "which teams does this
person lead": without this index each request read the whole team_leaders table (one row per
leader of every team: it grows with the company).

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_team_leaders_user_id', 'team_leaders', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_team_leaders_user_id', table_name='team_leaders')
