"""What mail's unsubscribe page says about who sent the link: the organisation, the petition.

Mail imports no domain, so the app factory hands it this (``mail.unsubscribe.show_senders_with``).
"""

from __future__ import annotations

from advocacy.accounts.models import Organization
from advocacy.extensions import db
from advocacy.mail.unsubscribe import Sender
from advocacy.petitions.models import Petition


def unsubscribe_sender(organization_id: int, petition_id: int | None) -> Sender | None:
    """The organisation (None if there is none with this id) and the petition, if it exists."""
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        return None
    petition = db.session.get(Petition, petition_id) if petition_id is not None else None
    if petition is None:
        return Sender(organization.id, organization.name)
    return Sender(organization.id, organization.name, petition.id, petition.title)
