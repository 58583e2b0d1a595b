"""Newsletter subscriptions and issues per organisation; broadcasts keep a preferences base

Revision ID: 0013_subscriptions
Revises: 0012_org_members
Create Date: 2026-12-07 13:40:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0013_subscriptions"
down_revision = "0012_org_members"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "newsletter_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "confirmed", "left", name="subscriptionstatus",
                native_enum=False, length=20,
            ),
            nullable=False,
        ),
        sa.Column("consent_text", sa.String(length=500), nullable=False),
        sa.Column("requested_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notices_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notices_since", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_newsletter_subscriptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_subscriptions")),
        sa.UniqueConstraint(
            "email", "organization_id",
            name=op.f("uq_newsletter_subscriptions_email_organization_id"),
        ),
    )
    with op.batch_alter_table("newsletter_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_newsletter_subscriptions_audience", ["organization_id", "status"], unique=False
        )
    with op.batch_alter_table("mail_broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferences_base", sa.String(length=300), nullable=True))
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(length=32), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"],
            name=op.f("fk_newsletter_issues_author_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["mail_broadcasts.id"],
            name=op.f("fk_newsletter_issues_broadcast_id_mail_broadcasts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_newsletter_issues_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_issues")),
        sa.UniqueConstraint("request_key", name=op.f("uq_newsletter_issues_request_key")),
    )
    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_newsletter_issues_organization_id"), ["organization_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("newsletter_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_issues_organization_id"))
    op.drop_table("newsletter_issues")
    with op.batch_alter_table("mail_broadcasts", schema=None) as batch_op:
        batch_op.drop_column("preferences_base")
    with op.batch_alter_table("newsletter_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_newsletter_subscriptions_audience")
    op.drop_table("newsletter_subscriptions")
