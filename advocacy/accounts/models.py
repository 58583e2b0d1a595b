"""Users, organisations and who organizes for which organisation."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.core.db import TimestampMixin
from advocacy.extensions import Model, db


def password_hash_method() -> str:
    """The configured werkzeug hash method (scrypt unless the config says otherwise)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


class Role(enum.StrEnum):
    ORGANIZER = "organizer"
    OWNER = "owner"


class Organization(TimestampMixin, Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember cookie: logout and a password change increment it,
    # so every cookie issued before stops working on the next request.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # None until the address's owner follows the link of the sign-up email; only then can the
    # account log in. Accounts an admin makes on the command line start confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session and the remember cookie hold
        """``"<id>:<session_version>"``: the loader accepts only the current version, so a
        logout or a password change ends every session and remember cookie issued before."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_organizer(self) -> bool:
        """Admins and members of an organisation's team; everyone else is a member."""
        return self.is_admin or bool(self.memberships)

    @property
    def organization_ids(self) -> set[int]:
        return {m.organization_id for m in self.memberships}

    def can_manage(self, organization_id: int) -> bool:
        return self.is_admin or organization_id in self.organization_ids

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TimestampMixin, Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.ORGANIZER,
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships")
