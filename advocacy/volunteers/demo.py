"""Two confirmed demo volunteers for the demo organisation, so its organizer's volunteer page
shows something. Loaded idempotently: an organisation with volunteers is left alone. The
addresses are example.org (RFC 2606), and no email is sent for them."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.models import Organization
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.volunteers.models import Volunteer, VolunteerRole, VolunteerState
from advocacy.volunteers.services import consent_text

VOLUNTEERS = (
    ("Priya Raman", "priya.raman@example.org", VolunteerRole.IMG, ["NY", "NJ"],
     "ECFMG certified; USMLE Steps 1 and 2 CK passed", "part_time", True),
    ("Walter Brooks", "walter.brooks@example.org", VolunteerRole.RETIRED_PHYSICIAN, ["IL"],
     "Retired in 2021; Illinois licence inactive", "emergencies", False),
)  # fmt: skip


def load_demo_volunteers(org: Organization) -> bool:
    """Add the demo volunteers to ``org`` unless it has any. True if added now. Commits."""
    if db.session.scalar(select(Volunteer.id).where(Volunteer.organization_id == org.id)):
        return False
    now = utcnow()
    for name, email, role, states, credentials, availability, telehealth in VOLUNTEERS:
        db.session.add(
            Volunteer(
                organization_id=org.id,
                email=email,
                name=name,
                role=role,
                credentials=credentials,
                availability=availability,
                telehealth=telehealth,
                consent_text=consent_text(org),
                requested_at=now,
                confirmed_at=now,
                states=[VolunteerState(state=s) for s in states],
            )  # fmt: skip
        )
    db.session.commit()
    return True
