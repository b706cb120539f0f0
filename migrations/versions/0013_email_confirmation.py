"""Who confirmed their email address: registering with someone else's address (a colleague
without an account yet) no longer gives an account in their name.

Accounts that exist already count as confirmed since they were made.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    # (Not batch mode on SQLite: rebuilding `users` would drop the table others point at.)
    op.execute("ALTER TABLE users DROP COLUMN email_confirmed_at")
