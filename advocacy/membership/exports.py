"""The organizer's CSV of an organisation's members (approved applications): one column per
current field of the intake, streamed in keyset batches, every cell formula-safe."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from advocacy.accounts.models import Organization, User
from advocacy.core.csvsafe import stream_rows
from advocacy.extensions import db
from advocacy.membership.answers import shown
from advocacy.membership.models import ApplicationStatus, IntakeField, MemberApplication

BATCH = 1000
FIXED = ("name", "email", "applied at", "approved at")
OTHER = "other answers"  # answers to fields removed since, as "label: answer; …"


def export_filename(org: Organization, today: date) -> str:
    return f"{org.slug}-members-{today.isoformat()}.csv"


def header(fields: Sequence[IntakeField]) -> list[str]:
    return [*FIXED, *(f.label for f in fields), OTHER]


def _row(fields: Sequence[IntakeField], row: Any) -> list[object]:
    """Columns, not entities: the session's identity map does not grow with the export."""
    answers = row.answers or []
    by_field = {a.get("field_id"): a for a in answers}
    current = {f.id for f in fields}
    other = "; ".join(
        f"{a.get('label', '')}: {shown(a)}"
        for a in answers
        if a.get("field_id") not in current and shown(a)
    )
    cells: list[object] = [row.name, row.email, row.submitted_at, row.decided_at]
    cells.extend(shown(by_field[f.id]) if f.id in by_field else "" for f in fields)
    cells.append(other)
    return cells


def member_rows(org_id: int, fields: Sequence[IntakeField]) -> Iterator[list[object]]:
    """The members in order of their application's id, ``BATCH`` at a time (``id > last``)."""
    last = 0
    while True:
        batch = db.session.execute(
            select(
                MemberApplication.id,
                User.name,
                User.email,
                MemberApplication.submitted_at,
                MemberApplication.decided_at,
                MemberApplication.answers,
            )
            .join(User, User.id == MemberApplication.user_id)
            .where(
                MemberApplication.organization_id == org_id,
                MemberApplication.status == ApplicationStatus.APPROVED,
                MemberApplication.id > last,
            )
            .order_by(MemberApplication.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        for row in batch:
            yield _row(fields, row)
        last = batch[-1].id


def export_csv(org_id: int, fields: Sequence[IntakeField]) -> Iterator[str]:
    return stream_rows(header(fields), member_rows(org_id, fields), bom=True)
