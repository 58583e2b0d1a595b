"""State resources: curated, sourced entries per state and their change history

Revision ID: 0014_state_resources
Revises: 0013_subscriptions
Create Date: 2026-12-07 15:15:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0014_state_resources"
down_revision = "0013_subscriptions"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade():
    op.create_table(
        "state_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column(
            "kind", _enum("kind", "pathway", "volunteer", "board", "waiver", "note"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", _enum("pathwaystatus", "enacted", "pending", "none"), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column(
            "waiver", _enum("waivertype", "out_of_state", "retired", "telehealth"), nullable=True
        ),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("source_title", sa.String(length=200), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT published OR (source_url IS NOT NULL AND source_url <> '')",
            name=op.f("ck_state_resources_published_has_source"),
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR effective_on IS NULL OR ended_on >= effective_on",
            name=op.f("ck_state_resources_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_state_resources_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_resources")),
    )
    with op.batch_alter_table("state_resources", schema=None) as batch_op:
        batch_op.create_index("ix_state_resources_state_kind", ["state", "kind"], unique=False)
    op.create_table(
        "state_resource_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"],
            name=op.f("fk_state_resource_changes_changed_by_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["state_resources.id"],
            name=op.f("fk_state_resource_changes_resource_id_state_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_resource_changes")),
    )
    with op.batch_alter_table("state_resource_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_state_resource_changes_resource_id"), ["resource_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("state_resource_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_resource_changes_resource_id"))
    op.drop_table("state_resource_changes")
    with op.batch_alter_table("state_resources", schema=None) as batch_op:
        batch_op.drop_index("ix_state_resources_state_kind")
    op.drop_table("state_resources")
