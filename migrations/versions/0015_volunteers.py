"""Volunteers per organisation and the states where each could serve

Revision ID: 0015_volunteers
Revises: 0014_state_resources
Create Date: 2026-12-07 15:10:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0015_volunteers"
down_revision = "0014_state_resources"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "img", "medical_student", "resident", "licensed_physician",
                "retired_physician", "nurse", "other",
                name="volunteerrole", native_enum=False, length=30,
            ),
            nullable=False,
        ),
        sa.Column("credentials", sa.String(length=500), nullable=False),
        sa.Column("availability", sa.String(length=30), nullable=False),
        sa.Column("availability_note", sa.String(length=300), nullable=False),
        sa.Column("telehealth", sa.Boolean(), nullable=False),
        sa.Column("consent_text", sa.String(length=500), nullable=False),
        sa.Column("proposed", sa.Text(), nullable=True),
        sa.Column("requested_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notices_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notices_since", advocacy.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_volunteers_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint(
            "email", "organization_id", name=op.f("uq_volunteers_email_organization_id")
        ),
    )
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_volunteers_organization_role", ["organization_id", "role"], unique=False
        )
    op.create_table(
        "volunteer_states",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteers.id"],
            name=op.f("fk_volunteer_states_volunteer_id_volunteers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("volunteer_id", "state", name=op.f("pk_volunteer_states")),
    )
    with op.batch_alter_table("volunteer_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_states_state"), ["state"], unique=False
        )


def downgrade():
    with op.batch_alter_table("volunteer_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_states_state"))
    op.drop_table("volunteer_states")
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteers_organization_role")
    op.drop_table("volunteers")
