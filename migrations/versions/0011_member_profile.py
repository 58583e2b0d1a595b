"""Member profile: the member's address and district choices; signatures' member

Revision ID: 0011_member_profile
Revises: 0010_member_accounts
Create Date: 2026-12-07 13:45:00.000000

"""

from alembic import op
import sqlalchemy as sa
import advocacy.core.db  # noqa: F401 - custom column types


revision = "0011_member_profile"
down_revision = "0010_member_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("zip", sa.String(length=10), nullable=False),
        sa.Column("district_choices", sa.JSON(), nullable=False),
        sa.Column("created_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_profiles")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_signatures_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_signatures_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Confirmed signatures and writers made with a confirmed account's email join that
    # account's history (what profile.history.link_history does from now on).
    for table in ("signatures", "letter_writers"):
        op.execute(
            f"UPDATE {table} SET user_id = (SELECT users.id FROM users"
            f" WHERE users.email = {table}.email AND users.email_confirmed_at IS NOT NULL)"
            f" WHERE user_id IS NULL AND confirmed_at IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_signatures_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_signatures_user_id"))
        batch_op.drop_column("user_id")
    op.drop_table("member_profiles")
