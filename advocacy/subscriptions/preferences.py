"""The preference centre's list: every organisation and petition that mails one address.

Built only from rows naming that address (its opted-in confirmed signatures, its newsletter
subscriptions, its unsubscribes), so nothing about anyone else can appear; the other
organisations' names are offered for their newsletters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from advocacy.accounts.models import Organization
from advocacy.extensions import db
from advocacy.mail import is_suppressed
from advocacy.mail.models import Unsubscribe
from advocacy.petitions.models import Petition, PetitionStatus, Signature
from advocacy.subscriptions.models import NewsletterSubscription, SubscriptionStatus

OTHERS_SHOWN = 100  # organisations offered besides the address's own


@dataclass
class PetitionMail:
    id: int
    title: str
    slug: str
    left: bool  # unsubscribed from this petition's updates (or from the whole organisation)


@dataclass
class OrganizationMail:
    id: int
    name: str
    slug: str
    left_all: bool  # unsubscribed from everything it sends
    newsletter: SubscriptionStatus | None  # None: never asked for
    petitions: list[PetitionMail] = field(default_factory=list)

    @property
    def newsletter_receiving(self) -> bool:
        return self.newsletter is SubscriptionStatus.CONFIRMED and not self.left_all

    @property
    def newsletter_pending(self) -> bool:
        return self.newsletter is SubscriptionStatus.PENDING


@dataclass
class Preferences:
    email: str
    suppressed: bool  # a bounce, complaint or admin: nothing reaches the address at all
    organizations: list[OrganizationMail]
    others: list[Organization]  # organisations with public petitions it has nothing from


def preferences_of(email: str) -> Preferences:
    """What ``email`` (normalised, from a signed link or a signed-in member) gets, by sender."""
    left = {
        (organization_id, petition_id)
        for organization_id, petition_id in db.session.execute(
            select(Unsubscribe.organization_id, Unsubscribe.petition_id).where(
                Unsubscribe.email == email
            )
        )
    }
    found: dict[int, OrganizationMail] = {}

    def organization(org: Organization) -> OrganizationMail:
        if org.id not in found:
            found[org.id] = OrganizationMail(
                org.id, org.name, org.slug, left_all=(org.id, None) in left, newsletter=None
            )
        return found[org.id]

    rows = db.session.execute(
        select(Petition, Organization)
        .join(Signature, Signature.petition_id == Petition.id)
        .join(Organization, Organization.id == Petition.organization_id)
        .where(
            Signature.email == email,
            Signature.opt_in.is_(True),
            Signature.confirmed_at.is_not(None),
        )
        .order_by(Organization.name, Petition.title)
    ).all()
    for petition, org in rows:
        entry = organization(org)
        petition_left = entry.left_all or (org.id, petition.id) in left
        entry.petitions.append(
            PetitionMail(petition.id, petition.title, petition.slug, petition_left)
        )
    for subscription in db.session.scalars(
        select(NewsletterSubscription).where(NewsletterSubscription.email == email)
    ):
        organization(subscription.organization).newsletter = subscription.status
    others = list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.id.not_in(list(found)),
                select(Petition.id)
                .where(
                    Petition.organization_id == Organization.id,
                    Petition.status != PetitionStatus.DRAFT,
                )
                .exists(),
            )
            .order_by(Organization.name)
            .limit(OTHERS_SHOWN)
        )
    )
    return Preferences(
        email=email,
        suppressed=is_suppressed(email),
        organizations=sorted(found.values(), key=lambda o: o.name.lower()),
        others=others,
    )
