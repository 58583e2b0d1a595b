"""Session versions, per-signature notice counts, webhook receipts

Revision ID: 0007_sessions_notices_receipts
Revises: 0006_broadcasts_and_updates
Create Date: 2026-12-01 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = '0007_sessions_notices_receipts'
down_revision = '0006_broadcasts_and_updates'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notices_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('notices_since', advocacy.core.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table('mail_webhook_receipts',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('received_at', advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_mail_webhook_receipts'))
    )
    with op.batch_alter_table('mail_webhook_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_webhook_receipts_received_at'), ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_webhook_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_webhook_receipts_received_at'))
    op.drop_table('mail_webhook_receipts')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('notices_since')
        batch_op.drop_column('notices_sent')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
