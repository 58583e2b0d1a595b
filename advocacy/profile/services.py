"""The member's address, their legislators, and letters written from the profile.

The address is kept on ``MemberProfile``; the legislators come from the one lookup
(``legislators.lookup.find_legislators``) for its ZIP, narrowed by the districts the member
picked where the ZIP is split (asked once on "My legislators", remembered in
``district_choices``, never guessed). Letters from the profile go through the supporter's
own flow: ``write_from_profile`` gives the member a confirmed ``Writer`` of the campaign with
the account's email and the profile's address and districts, and the writing, review, send,
duplicate rules, limits and PDFs are the letters package's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.models import User
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.zipcodes import state_for_zip
from advocacy.extensions import db
from advocacy.legislators import lookup
from advocacy.legislators.models import Chamber
from advocacy.letters.models import (
    CampaignStatus,
    Letter,
    LetterCampaign,
    Writer,
    WriterDistrict,
)
from advocacy.letters.writers import CampaignClosed, directory_state
from advocacy.profile.models import FROM_ADDRESS, MemberProfile

# "My legislators" lists at most this many open campaigns, the newest first.
CAMPAIGN_LIMIT = 50


class NoAddress(DomainError):
    code = "no_address"


@dataclass
class AddressInput:
    first_name: str
    last_name: str
    address: str
    city: str
    zip: str


def profile_of(user: User) -> MemberProfile | None:
    return db.session.get(MemberProfile, user.id)


# --- the address ------------------------------------------------------------------------------


def save_address(user: User, data: AddressInput) -> MemberProfile:
    """Keep the member's name (as they sign letters) and address; one commit.

    The ZIP must be one the directory knows (a PO-box-only ZIP has no district map: the
    lookup's message, on the ``zip`` field) unless no directory is loaded. A new ZIP or street
    address forgets the districts picked for the old one; with an address geocoder
    configured, the street address settles what it can (``find_legislators`` asks it once).
    """
    zip_code = data.zip.strip()
    address = data.address.strip()
    try:
        found: lookup.Lookup | None = lookup.find_legislators(zip_code)
    except lookup.DirectoryNotLoaded:
        found = None
    # UnknownZip / invalid ZIP: a LookupError (a DomainError) on the zip field.
    state = directory_state(zip_code) or state_for_zip(zip_code)
    profile = profile_of(user)
    moved = profile is None or (profile.zip, profile.address) != (zip_code, address)
    choices = _address_choices(zip_code, address, found) if moved else None
    if profile is None:
        profile = MemberProfile(user_id=user.id)
        db.session.add(profile)
    profile.first_name = data.first_name.strip()
    profile.last_name = data.last_name.strip()
    profile.address = address
    profile.city = data.city.strip()
    profile.zip = zip_code
    profile.state = state
    if choices is not None:
        profile.district_choices = choices
    db.session.commit()
    return profile


def _address_choices(zip_code: str, address: str, found: lookup.Lookup | None) -> dict[str, Any]:
    """The districts a configured geocoder places the street address in, for the chambers
    the ZIP leaves open; nothing without a geocoder (the member is asked instead)."""
    if found is None or not found.ambiguous or not current_app.config.get("ADDRESS_GEOCODER_URL"):
        return {}
    placed = lookup.find_legislators(zip_code, address=address)
    picks: dict[str, Any] = {
        race.chamber.value: race.seats[0].key
        for race in placed.races
        if len(race.seats) == 1 and race.seats[0].source == "address"
    }
    return {**picks, FROM_ADDRESS: sorted(picks)} if picks else {}


# --- the legislators --------------------------------------------------------------------------


def legislators_of(profile: MemberProfile) -> lookup.Lookup:
    """The member's legislators: every chamber, the split ones narrowed by their picks.
    ``lookup.LookupError`` when the directory is not loaded or no longer knows the ZIP."""
    return lookup.find_legislators(profile.zip, choices=profile.picks)


def split_races(profile: MemberProfile) -> list[lookup.Race]:
    """The chambers where the member's ZIP touches several districts, each with every
    candidate (whether picked or not), so a pick can be changed."""
    return [race for race in lookup.find_legislators(profile.zip).races if race.ambiguous]


def choose_districts(user: User, picks: dict[str, str]) -> MemberProfile:
    """Remember the district the member picked in each split chamber
    (``{"state_lower": "NY-129"}``); one commit. A chamber that is not split for their ZIP,
    or a district that is not one of its candidates, is refused (DomainError on that chamber)
    and nothing changes."""
    profile = profile_of(user)
    if profile is None:
        raise NoAddress("Add your address first.", field="address")
    if not picks:
        raise DomainError("Choose a district.")
    split = {race.chamber.value: {s.key for s in race.seats} for race in split_races(profile)}
    for chamber, key in picks.items():
        if key not in split.get(chamber, set()):
            raise DomainError("Choose one of the districts listed.", field=chamber)
    from_address = [c for c in profile.address_chambers if c not in picks]
    profile.district_choices = {**profile.picks, **picks, FROM_ADDRESS: from_address}
    db.session.commit()
    return profile


# --- open campaigns and writing ---------------------------------------------------------------


@dataclass
class CampaignOffer:
    campaign: LetterCampaign
    writer: Writer | None  # the member's writer of this campaign, once they started
    sent: int  # the member's letters of this campaign confirmed so far


def open_campaigns(user: User) -> list[CampaignOffer]:
    """The open letter campaigns, the newest first, each with what the member did in it."""
    campaigns = list(
        db.session.scalars(
            select(LetterCampaign)
            .where(LetterCampaign.status == CampaignStatus.OPEN)
            .order_by(LetterCampaign.published_at.desc(), LetterCampaign.id.desc())
            .limit(CAMPAIGN_LIMIT)
        )
    )
    ids = [c.id for c in campaigns]
    writers = {
        w.campaign_id: w
        for w in db.session.scalars(
            select(Writer).where(Writer.user_id == user.id, Writer.campaign_id.in_(ids))
        )
    }
    sent = dict(
        db.session.execute(
            select(Letter.campaign_id, func.count())
            .where(
                Letter.writer_id.in_([w.id for w in writers.values()]),
                Letter.confirmed_at.is_not(None),
            )
            .group_by(Letter.campaign_id)
        ).all()
    )
    return [CampaignOffer(c, writers.get(c.id), sent.get(c.id, 0)) for c in campaigns]


def write_from_profile(user: User, campaign: LetterCampaign) -> Writer:
    """The member's confirmed writer of this open campaign, made or brought up to date from
    the profile; one commit. The caller then opens the letters' own writing page.

    Refused (DomainError) for an account whose email is not confirmed, a closed campaign, a
    member with no address, a chamber of the campaign where the member's ZIP is split and
    no district is picked yet (asked on "My legislators", once for every campaign), and an
    email whose letters of this campaign belong to another account.

    A writer this member already has in the campaign is reused (by account, then by email),
    so the duplicate rules hold: one letter per office and campaign. Its address and
    districts follow the profile until one of its letters has been sent.
    """
    if user.email_confirmed_at is None:
        raise DomainError("Confirm your email address first: the email we sent has the link.")
    if not campaign.is_open:
        raise CampaignClosed("This campaign is closed and no longer takes letters.")
    profile = profile_of(user)
    if profile is None:
        raise NoAddress("Add your address first: your letters go to its legislators.")
    districts, state = _districts(profile)
    still_open = sorted({d.chamber for d in districts if d.status == "candidate"} & set(
        campaign.chambers or []
    ))  # fmt: skip
    if still_open:
        raise DomainError(
            f"Choose your {Chamber(still_open[0]).label} district under “Your legislators” first.",
            field=still_open[0],
        )
    writer = _member_writer(user, campaign)
    now = utcnow()
    if writer is None:
        writer = Writer(campaign_id=campaign.id, email=user.email, opt_in=False, created_at=now)
        _take_profile(writer, profile, districts, state)
        writer.user_id, writer.confirmed_at = user.id, now
        try:
            with db.session.begin_nested():
                db.session.add(writer)
        except IntegrityError:  # the same member in a parallel request
            writer = _member_writer(user, campaign)
            if writer is None:  # pragma: no cover - deleted between the two statements
                raise
    else:
        writer.user_id = user.id
        writer.confirmed_at = writer.confirmed_at or now  # the account proved the address
        if writer.email != user.email:  # made before an email change: letters go on with it
            writer.email = user.email
        if not _has_sent(writer):
            _take_profile(writer, profile, districts, state)
    db.session.commit()
    return writer


def _member_writer(user: User, campaign: LetterCampaign) -> Writer | None:
    """The member's writer of this campaign: by account, else by the account's email
    (one no other account holds)."""
    found = list(
        db.session.scalars(
            select(Writer).where(
                Writer.campaign_id == campaign.id,
                or_(Writer.user_id == user.id, Writer.email == user.email),
            )
        )
    )
    by_email = next((w for w in found if w.email == user.email), None)
    if by_email is not None and by_email.user_id not in (None, user.id):
        raise DomainError(
            "Letters of this campaign were written with your email address from another "
            "account, so they cannot be written again from this one."
        )
    return by_email or next((w for w in found if w.user_id == user.id), None)


def _has_sent(writer: Writer) -> bool:
    return (
        db.session.scalar(
            select(Letter.id)
            .where(Letter.writer_id == writer.id, Letter.confirmed_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def _districts(profile: MemberProfile) -> tuple[list[WriterDistrict], str | None]:
    """The profile's districts as a writer keeps them (matched, chosen, or a candidate
    still to pick), from the directory's rows for the ZIP; and the state for its senators."""
    rows = lookup.districts_for_zip(profile.zip[:5])
    picks = profile.picks
    per_chamber: dict[str, list] = {}
    for row in rows:
        per_chamber.setdefault(row.chamber, []).append(row)
    districts: list[WriterDistrict] = []
    for chamber, group in per_chamber.items():
        picked = [r for r in group if f"{r.state}-{r.district}" == picks.get(chamber)]
        if len(group) == 1:
            keep, status = group, "matched"
        elif picked:
            keep, status = picked, "chosen"
        else:
            keep, status = group, "candidate"
        districts.extend(
            WriterDistrict(
                chamber=r.chamber, state=r.state, district=r.district, status=status, share=r.share
            )
            for r in keep
        )
    senate = picks.get(Chamber.US_SENATE.value)
    return districts, senate.split("-", 1)[0] if senate else profile.state


def _take_profile(
    writer: Writer, profile: MemberProfile, districts: list[WriterDistrict], state: str | None
) -> None:
    writer.first_name = profile.first_name
    writer.last_name = profile.last_name
    writer.address = profile.address
    writer.city = profile.city
    writer.state = state
    writer.zip = profile.zip
    if writer.districts:  # the old rows go first: the new ones may have the same keys
        writer.districts.clear()
        db.session.flush()
    writer.districts = districts
