"""Organisation members: an organisation's member intake, its fields, and applications

Revision ID: 0012_org_members
Revises: 0011_member_profile
Create Date: 2026-12-07 13:45:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0012_org_members"
down_revision = "0011_member_profile"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_intakes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_intakes")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_member_intakes_organization_id")),
    )
    op.create_table(
        "member_intake_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "text", "number", "choice", "yes_no", "date",
                name="fieldkind", native_enum=False, length=20,
            ),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("help_text", sa.String(length=300), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("min_value", sa.Integer(), nullable=True),
        sa.Column("max_value", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["member_intakes.id"],
            name=op.f("fk_member_intake_fields_intake_id_member_intakes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_intake_fields")),
    )
    with op.batch_alter_table("member_intake_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_intake_fields_intake_id"), ["intake_id"], unique=False
        )

    op.create_table(
        "member_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "declined", "withdrawn",
                name="applicationstatus", native_enum=False, length=20,
            ),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decided_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=False),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_member_applications_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_applications_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_applications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_applications")),
        sa.UniqueConstraint(
            "user_id",
            "organization_id",
            name=op.f("uq_member_applications_user_id_organization_id"),
        ),
    )
    with op.batch_alter_table("member_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_applications_decided_by_id"), ["decided_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_member_applications_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_member_applications_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_member_applications_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("member_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_applications_user_id"))
        batch_op.drop_index(batch_op.f("ix_member_applications_status"))
        batch_op.drop_index(batch_op.f("ix_member_applications_organization_id"))
        batch_op.drop_index(batch_op.f("ix_member_applications_decided_by_id"))
    op.drop_table("member_applications")
    with op.batch_alter_table("member_intake_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_intake_fields_intake_id"))
    op.drop_table("member_intake_fields")
    op.drop_table("member_intakes")
