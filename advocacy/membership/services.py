"""Member applications: a signed-in, confirmed person applies to an organisation (edits or
withdraws while pending, applies again after a decline or a withdrawal), organizers approve
or decline (the applicant is emailed once), and what the account pages and a person's data
export or deletion need. Every use case commits once; helpers only flush."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.models import Organization, User
from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.mail import enqueue
from advocacy.membership import intake as intakes
from advocacy.membership.answers import Reading, read_answers, shown
from advocacy.membership.models import ApplicationStatus, MemberApplication, MemberIntake

MAX_NOTE = 1000
PER_PAGE = 50


class AnswersInvalid(DomainError):
    """Some answers did not pass their field's checks: ``reading`` says which and why."""

    def __init__(self, reading: Reading):
        super().__init__("Please correct the answers marked below.")
        self.reading = reading


def organization_by_slug(slug: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.slug == slug))


def application_of(user: User, organization_id: int) -> MemberApplication | None:
    return db.session.scalar(
        select(MemberApplication).where(
            MemberApplication.user_id == user.id,
            MemberApplication.organization_id == organization_id,
        )
    )


def apply(user: User, org: Organization, form: Mapping[str, str]) -> MemberApplication:
    """Apply (or change a pending application) with the answers in ``form``.

    Needs a confirmed address and an open intake. One application per person and
    organisation: a pending one is updated, a declined or withdrawn one becomes pending again
    with the new answers, an approved one is refused (already a member)."""
    if user.email_confirmed_at is None:
        raise DomainError("Confirm your email address before you apply.")
    intake = intakes.find_intake(org.id)
    if intake is None or not intake.is_open:
        raise DomainError(f"{org.name} is not taking applications at the moment.")
    existing = application_of(user, org.id)
    if existing is not None and existing.status is ApplicationStatus.APPROVED:
        raise DomainError(f"You are already a member of {org.name}.")
    reading = read_answers(intake.fields, form)
    if not reading.ok:
        raise AnswersInvalid(reading)
    application = existing or MemberApplication(user=user, organization=org, revision=0)
    application.answers = reading.answers
    application.status = ApplicationStatus.PENDING
    application.submitted_at = utcnow()
    application.revision += 1
    application.decided_at = None
    application.decided_by_id = None
    application.decision_note = ""
    db.session.add(application)
    try:
        db.session.commit()
    except IntegrityError:  # the same person's other tab applied at the same moment
        db.session.rollback()
        raise DomainError("You have just applied: here is your application.") from None
    return application


def withdraw(user: User, organization_id: int) -> bool:
    """Withdraw the person's pending application; False when there was none pending."""
    return _withdrawn_from(user, organization_id, ApplicationStatus.PENDING)


def leave(user: User, organization_id: int) -> bool:
    """End the person's membership (an approved application becomes withdrawn, so they may
    apply again later); False when they were not a member. The organisation's members list
    and CSV no longer show them."""
    return _withdrawn_from(user, organization_id, ApplicationStatus.APPROVED)


def _withdrawn_from(user: User, organization_id: int, status: ApplicationStatus) -> bool:
    result = db.session.execute(
        update(MemberApplication)
        .where(
            MemberApplication.user_id == user.id,
            MemberApplication.organization_id == organization_id,
            MemberApplication.status == status,
        )
        .values(status=ApplicationStatus.WITHDRAWN, updated_at=utcnow())
    )
    db.session.commit()
    return rowcount(result) == 1


def decide(
    application: MemberApplication,
    organizer: User,
    *,
    approve: bool,
    note: str = "",
    revision: int | None = None,
) -> bool:
    """Approve or decline a pending application and email the applicant; True if this call
    decided it. One guarded ``UPDATE`` (still pending, and still the ``revision`` the
    organizer read when given): a second click, or another organizer's decision first,
    changes nothing and sends nothing."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"Keep the note to {MAX_NOTE} characters.", "note")
    conditions = [
        MemberApplication.id == application.id,
        MemberApplication.status == ApplicationStatus.PENDING,
    ]
    if revision is not None:
        conditions.append(MemberApplication.revision == revision)
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    now = utcnow()
    result = db.session.execute(
        update(MemberApplication)
        .where(*conditions)
        .values(
            status=status,
            decided_at=now,
            decided_by_id=organizer.id,
            decision_note=note,
            updated_at=now,
        )
    )
    if rowcount(result) != 1:
        db.session.rollback()
        db.session.refresh(application)
        return False
    applicant = application.user
    enqueue(
        "member_decision",
        applicant.email,
        "member_decision",
        organization_id=application.organization_id,
        name=applicant.name,
        organization=application.organization.name,
        approved=approve,
        note=note,
        account_url=url_for("accounts.account", _external=True),
    )
    db.session.commit()
    db.session.refresh(application)
    return True


def counts_by_status(organization_id: int) -> dict[ApplicationStatus, int]:
    rows = db.session.execute(
        select(MemberApplication.status, func.count(MemberApplication.id))
        .where(MemberApplication.organization_id == organization_id)
        .group_by(MemberApplication.status)
    )
    counts = dict.fromkeys(ApplicationStatus, 0)
    for status, count in rows:
        counts[status] = count
    return counts


def applications_for(organization_id: int, status: ApplicationStatus, page: int = 1):
    """One page of the organisation's applications with ``status``, oldest pending first
    (the queue), newest decision first otherwise."""
    order = (
        MemberApplication.submitted_at.asc()
        if status is ApplicationStatus.PENDING
        else MemberApplication.updated_at.desc()
    )
    query = (
        select(MemberApplication)
        .where(
            MemberApplication.organization_id == organization_id,
            MemberApplication.status == status,
        )
        .order_by(order, MemberApplication.id)
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=True)


def application_in(organization_id: int, application_id: int) -> MemberApplication | None:
    """The application, if it was made to this organisation (a forged id gets None)."""
    application = db.session.get(MemberApplication, application_id)
    if application is None or application.organization_id != organization_id:
        return None
    return application


def applications_of_user(user: User) -> list[MemberApplication]:
    """The person's applications that matter on /account: memberships, then pending."""
    return list(
        db.session.scalars(
            select(MemberApplication)
            .join(Organization)
            .where(
                MemberApplication.user_id == user.id,
                MemberApplication.status.in_(
                    (ApplicationStatus.APPROVED, ApplicationStatus.PENDING)
                ),
            )
            .order_by(MemberApplication.status, Organization.name)
        )
    )


def organizations_to_join(user: User) -> list[Organization]:
    """Organisations whose application is open and that ``user`` is neither a member of nor
    waiting on: what /account offers to join, so a person finds applications without being
    sent a link."""
    current = select(MemberApplication.organization_id).where(
        MemberApplication.user_id == user.id,
        MemberApplication.status.in_((ApplicationStatus.APPROVED, ApplicationStatus.PENDING)),
    )
    return list(
        db.session.scalars(
            select(Organization)
            .join(MemberIntake, MemberIntake.organization_id == Organization.id)
            .where(MemberIntake.is_open.is_(True), Organization.id.not_in(current))
            .order_by(Organization.name)
        )
    )


def open_intake(org: Organization) -> MemberIntake | None:
    intake = intakes.find_intake(org.id)
    return intake if intake is not None and intake.is_open else None


# --- a person's data ----------------------------------------------------------------------


def member_data(user: User) -> dict[str, Any]:
    """Everything this domain holds about ``user``, JSON-serialisable: their applications
    (with the answers as they gave them) and the organisations they are a member of."""
    applications = db.session.scalars(
        select(MemberApplication)
        .where(MemberApplication.user_id == user.id)
        .order_by(MemberApplication.id)
    )
    listed = []
    for application in applications:
        listed.append(
            {
                "organization": application.organization.name,
                "organization_slug": application.organization.slug,
                "status": application.status.value,
                "submitted_at": application.submitted_at.isoformat(),
                "decided_at": (
                    application.decided_at.isoformat() if application.decided_at else None
                ),
                "decision_note": application.decision_note,
                "answers": [
                    {"question": a.get("label", ""), "answer": shown(a)}
                    for a in application.answers
                ],
            }
        )
    return {
        "member_applications": listed,
        "organization_memberships": [
            a["organization"] for a in listed if a["status"] == ApplicationStatus.APPROVED.value
        ],
    }


def forget_member(user: User) -> None:
    """Delete ``user``'s applications (answers included) and drop their name from the
    decisions they made as an organizer. Inside the caller's transaction: flushes only."""
    db.session.execute(delete(MemberApplication).where(MemberApplication.user_id == user.id))
    db.session.execute(
        update(MemberApplication)
        .where(MemberApplication.decided_by_id == user.id)
        .values(decided_by_id=None)
    )
    db.session.flush()
