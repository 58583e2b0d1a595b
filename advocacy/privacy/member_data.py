"""A member's own data: "download my data" (``export_member``) and "delete my account"
(``delete_member``), assembled from one entry per section (docs/privacy.md).

Each ``Section`` names a domain's ``member_data(user)`` (what goes into the JSON file) and
``forget_member(user)`` (removes or anonymises it, flushing only). ``delete_member`` runs
every eraser, last section first, and commits once: a failure anywhere leaves the account
exactly as it was. A section added later (memberships applications, newsletter
subscriptions, …) is one more line in ``SECTIONS``; the account is first, so it is erased
last, once the others have found the member's rows by its id and email.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.security import check_password_hash

from advocacy.accounts.models import User
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.membership import services as membership
from advocacy.privacy import member_sections as sections
from advocacy.subscriptions import services as subscriptions
from advocacy.volunteers import services as volunteers

FORMAT = "advocacy-member-data/1"


@dataclass(frozen=True)
class Section:
    key: str  # the JSON file's key
    member_data: Callable[[User], Any]
    forget_member: Callable[[User], None]


SECTIONS: tuple[Section, ...] = (
    Section("account", sections.account_data, sections.forget_account),
    Section("profile", sections.profile_data, sections.forget_profile),
    Section("organizer_memberships", sections.memberships_data, sections.forget_memberships),
    Section("organisation_membership", membership.member_data, membership.forget_member),
    Section("signatures", sections.signatures_data, sections.forget_signatures),
    Section("letters", sections.letters_data, sections.forget_letters),
    Section(
        "newsletters",
        lambda user: subscriptions.member_data(user.email),
        lambda user: subscriptions.forget_member(user.email),
    ),
    Section(
        "volunteering",
        lambda user: volunteers.member_data(user.email),
        lambda user: volunteers.forget_member(user.email),
    ),
    Section("mail", sections.mail_data, sections.forget_mail),
)


def export_member(user: User) -> dict[str, Any]:
    """Everything held about ``user``, section by section, as JSON-ready values. Reads only."""
    data: dict[str, Any] = {"format": FORMAT, "exported_at": sections.when(utcnow())}
    for section in SECTIONS:
        data[section.key] = section.member_data(user)
    return data


def deletion_problem(user: User) -> str | None:
    """Why the account cannot be deleted yet, in words for the member; None when it can."""
    stranded = sections.last_in_charge(user)
    if not stranded:
        return None
    names = ", ".join(org.name for org in stranded)
    return (
        f"You are the last owner or the only organizer of {names}. Deleting your account "
        "would leave no one in charge of its petitions and its supporters' data: add another "
        "organizer (an administrator can), then delete your account."
    )


def delete_member(user: User, password: str) -> None:
    """Delete the account and remove or anonymise the member's data, in one transaction.

    Needs the current password (``DomainError`` on ``password``), and refuses while the
    member is the last one in charge of an organisation (``DomainError``, no field).
    Petition counts, rollups, packets' numbers and letters' records stay as they were."""
    if not check_password_hash(user.password_hash, password):
        raise DomainError("That is not your current password.", "password")
    problem = deletion_problem(user)
    if problem:
        raise DomainError(problem)
    try:
        for section in reversed(SECTIONS):
            section.forget_member(user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
