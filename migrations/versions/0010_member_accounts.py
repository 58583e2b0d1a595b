"""Member accounts: when a user's email address was confirmed

Revision ID: 0010_member_accounts
Revises: 0009_rollups_versions_packets
Create Date: 2026-12-01 16:40:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0010_member_accounts"
down_revision = "0009_rollups_versions_packets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_confirmed_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    # Every account so far was made by an admin on the command line, who vouched for the
    # address: they stay able to log in.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
