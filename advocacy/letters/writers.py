"""Writers: the supporters of a campaign, from a confirmed signature or the action page's form.

A writer is one row per (campaign, email) (a unique constraint), so a repeat of the action
page's form never creates a second writer: it is answered by email (a fresh link, or a link
back to the letters), and the browser sees the same page either way. Nothing is sent for a
writer who has not confirmed (``Writer.confirmed_at``).

Tokens are itsdangerous signatures over ``[writer id, sha256(email)[:16]]`` like the
signatures': a *confirm* token (``SIGNATURE_CONFIRM_DAYS``) in the confirmation email, and an
*access* token (``WRITER_LINK_DAYS``) for the writing page, the PDFs and the receipt's links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.services import confirmed_member_id
from advocacy.core import row_tokens
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.notices import may_notify
from advocacy.core.text import normalise_email
from advocacy.core.zipcodes import city_from_address, state_for_zip
from advocacy.extensions import db
from advocacy.legislators import choices, lookup
from advocacy.letters.models import CampaignStatus, LetterCampaign, Writer, WriterDistrict
from advocacy.mail import enqueue
from advocacy.petitions import services as petition_services
from advocacy.petitions.models import Signature

# The action page's opt-in label, stored word for word with each opt-in as ``consent_text``.
CONSENT_TEXT = "Keep me updated about this campaign by email"
WRITER_LINK_DAYS = 180  # the writing page, the PDFs and the receipt's links


class InvalidWriterToken(DomainError):
    code = "invalid_token"


class CampaignClosed(DomainError):
    code = "campaign_closed"


@dataclass
class WriterInput:
    first_name: str
    last_name: str
    email: str
    zip: str
    address: str | None = None
    city: str | None = None
    opt_in: bool = False


# --- reading ------------------------------------------------------------------------------


def get_public_campaign(slug: str) -> LetterCampaign | None:
    """A campaign the public may see (anything but a draft), or None."""
    campaign = db.session.scalar(select(LetterCampaign).where(LetterCampaign.slug == slug))
    return campaign if campaign is not None and campaign.is_public else None


def open_campaigns_for_petition(petition_id: int) -> list[LetterCampaign]:
    return list(
        db.session.scalars(
            select(LetterCampaign)
            .where(
                LetterCampaign.petition_id == petition_id,
                LetterCampaign.status == CampaignStatus.OPEN,
            )
            .order_by(LetterCampaign.id)
        )
    )


# --- from a confirmed signature ---------------------------------------------------------------


def writer_for_signature(campaign: LetterCampaign, signature: Signature) -> Writer:
    """The writer of this campaign for a confirmed signature, made on first use (idempotent).

    The writer is confirmed with the signature and gets its districts (matched, candidate
    and chosen rows, as the signer left them). Raises DomainError for an unconfirmed
    signature, a signature of another petition, or a campaign that is not open.
    """
    if not signature.is_confirmed:
        raise DomainError("Confirm your signature first: its email has the link.")
    if campaign.petition_id != signature.petition_id:
        raise DomainError("This letter campaign is not about the petition you signed.")
    existing = _find_writer(campaign.id, signature.email)
    if existing is not None:
        return existing
    if not campaign.is_open:
        raise CampaignClosed("This letter campaign is closed.")
    writer = Writer(
        campaign_id=campaign.id,
        signature_id=signature.id,
        first_name=signature.first_name,
        last_name=signature.last_name,
        email=signature.email,
        address=signature.address,
        city=signature.city,
        state=signature.state,
        zip=signature.zip,
        opt_in=False,  # consent is per campaign; the signature's covered the petition
        confirmed_at=signature.confirmed_at,
        user_id=signature.user_id
        or db.session.scalar(select(confirmed_member_id(signature.email))),
    )
    writer.districts = [
        WriterDistrict(
            chamber=row.chamber,
            state=row.state,
            district=row.district,
            status=row.status,
            share=row.share,
        )
        for row in signature.districts
    ]
    try:
        with db.session.begin_nested():
            db.session.add(writer)
    except IntegrityError:  # the same signer in a parallel request
        found = _find_writer(campaign.id, signature.email)
        if found is None:  # pragma: no cover - deleted between the two statements
            raise
        writer = found
    db.session.commit()
    return writer


def _find_writer(campaign_id: int, email: str) -> Writer | None:
    return db.session.scalar(
        select(Writer).where(Writer.campaign_id == campaign_id, Writer.email == email)
    )


# --- from the action page --------------------------------------------------------------------


def start_writing(campaign: LetterCampaign, data: WriterInput) -> None:
    """The action page's form: a new, unconfirmed writer and its confirmation email, or for a
    repeat of the email an email only (a fresh link, or the link to the letters), at most
    ``SIGN_NOTICES_PER_DAY`` a day. Nothing tells the browser which case it was."""
    if not campaign.is_open:
        raise CampaignClosed("This campaign is closed and no longer takes letters.")
    email = normalise_email(data.email)
    now = utcnow()
    state = state_for_zip(data.zip)
    address = (data.address or "").strip() or None
    values = {
        "campaign_id": campaign.id,
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "email": email,
        "address": address,
        "city": (data.city or "").strip() or city_from_address(address, state),
        "state": directory_state(data.zip) or state,
        "zip": data.zip,
        "opt_in": data.opt_in,
        "consent_text": CONSENT_TEXT if data.opt_in else None,
        "consent_at": now if data.opt_in else None,
        "created_at": now,
        "confirmation_sent_at": now,
        "notices_sent": 1,
        "notices_since": now,
    }
    new_id: int | None = None
    try:
        with db.session.begin_nested():
            new_id = db.session.execute(
                insert(Writer).values(**values).returning(Writer.id)
            ).scalar_one()
    except IntegrityError:
        new_id = None
    if new_id is not None:
        _record_districts(new_id, data.zip[:5])
        writer = db.session.get_one(Writer, new_id)
        _send_confirmation(writer, campaign)
    else:
        existing = _find_writer(campaign.id, email)
        if existing is not None and _may_notify(existing.id):
            if existing.is_confirmed:
                _send_already(existing, campaign)
            else:
                existing.created_at = existing.confirmation_sent_at = now
                _send_confirmation(existing, campaign)
    db.session.commit()


def directory_state(zip_code: str) -> str | None:
    """The directory's state for a ZIP that lies in one state (it knows ZIPs that cross a
    state line better than the USPS prefix)."""
    states = {row.state for row in lookup.districts_for_zip(zip_code[:5])}
    return states.pop() if len(states) == 1 else None


def _record_districts(writer_id: int, zip5: str) -> None:
    """The ZIP's districts, as signing keeps them: matched, or a candidate of several."""
    rows = lookup.districts_for_zip(zip5)
    per_chamber: dict[str, int] = {}
    for row in rows:
        per_chamber[row.chamber] = per_chamber.get(row.chamber, 0) + 1
    for row in rows:
        db.session.add(
            WriterDistrict(
                writer_id=writer_id,
                chamber=row.chamber,
                state=row.state,
                district=row.district,
                share=row.share,
                status="matched" if per_chamber[row.chamber] == 1 else "candidate",
            )
        )
    db.session.flush()


def _may_notify(writer_id: int) -> bool:
    """One more notice email to this writer's address, if its rolling day allows one."""
    return may_notify(Writer.__table__, writer_id, current_app.config["SIGN_NOTICES_PER_DAY"])


def _send_confirmation(writer: Writer, campaign: LetterCampaign) -> None:
    enqueue(
        "confirm_writer",
        writer.email,
        "letter_confirm",
        campaign=campaign,
        writer=writer,
        confirm_url=url_for("letters.confirm", token=confirm_token(writer), _external=True),
        expires_days=current_app.config["SIGNATURE_CONFIRM_DAYS"],
    )


def _send_already(writer: Writer, campaign: LetterCampaign) -> None:
    enqueue(
        "writer_again",
        writer.email,
        "letter_again",
        campaign=campaign,
        writer=writer,
        letters_url=url_for("letters.write", token=access_token(writer), _external=True),
    )


def confirm_writer(token: str) -> Writer:
    """Confirm the writer a confirmation link names; confirming twice changes nothing."""
    writer = writer_for_token(token, purpose="confirm")
    if writer.is_confirmed:
        return writer
    if not writer.campaign.is_open:
        raise CampaignClosed("This campaign closed before you confirmed your email.")
    db.session.execute(
        update(Writer)
        .where(Writer.id == writer.id, Writer.confirmed_at.is_(None))
        # A confirmed member's email: the writer joins their history (profile.history).
        .values(
            confirmed_at=utcnow(),
            user_id=func.coalesce(Writer.user_id, confirmed_member_id(Writer.email)),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(writer)
    return writer


# --- districts ---------------------------------------------------------------------------


def district_choices(writer: Writer) -> dict[str, list[WriterDistrict]]:
    """The chambers where the writer's ZIP left several candidate districts, and those."""
    return choices.open_choices(writer.districts)


def choose_districts(writer: Writer, picks: dict[str, str]) -> int:
    """Keep the candidate the writer picked in each chamber (``{"state_lower": "NY-128"}``);
    a key that is not a candidate raises DomainError and nothing changes. A writer who came
    from a signature settles the signature's same choice too (its packets count on it)."""
    settled = choices.settle(writer.districts, picks, writer.districts.remove)
    signature = db.session.get(Signature, writer.signature_id) if writer.signature_id else None
    if signature is not None:
        open_on_signature = choices.open_choices(signature.districts)
        same = {
            chamber: key
            for chamber, key in picks.items()
            if key in {row.key for row in open_on_signature.get(chamber, [])}
        }
        if same:
            # petitions' own settle: a confirmed signature's district rollup follows.
            petition_services.settle_districts(signature, same)
    db.session.commit()
    return settled


def follow_signature(writer: Writer) -> int:
    """Take the districts the signer has chosen on the thank-you page since the writer was
    made (the same ZIP's candidates, so only chambers the writer has not settled)."""
    if writer.signature_id is None or not district_choices(writer):
        return 0
    signature = db.session.get(Signature, writer.signature_id)
    if signature is None:
        return 0
    chosen = {row.chamber: row.key for row in signature.districts if row.status == "chosen"}
    open_here = district_choices(writer)
    picks = {
        chamber: key
        for chamber, key in chosen.items()
        if key in {row.key for row in open_here.get(chamber, [])}
    }
    if not picks:
        return 0
    return choose_districts(writer, picks)


def settle_by_address(writer: Writer) -> int:
    """Settle candidate chambers from the writer's street address, when the geocoder is
    configured (``legislators.lookup.find_legislators`` asks it); never a guess otherwise."""
    if not writer.address or not district_choices(writer):
        return 0
    if not current_app.config.get("ADDRESS_GEOCODER_URL"):
        return 0
    try:
        found = lookup.find_legislators(writer.zip, writer.address)
    except lookup.LookupError:
        return 0
    settled = {
        race.chamber.value: race.seats[0].key
        for race in found.races
        if len(race.seats) == 1 and race.seats[0].source == "address"
    }
    open_chambers = district_choices(writer)
    picks = {c: k for c, k in settled.items() if c in open_chambers}
    return choose_districts(writer, picks) if picks else 0


# --- tokens --------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"letter-{purpose}")


def confirm_token(writer: Writer) -> str:
    return row_tokens.encode(_serializer("confirm"), writer.id, writer.email)


def access_token(writer: Writer) -> str:
    return row_tokens.encode(_serializer("access"), writer.id, writer.email)


def writer_for_token(token: str, purpose: str = "access") -> Writer:
    """The writer a token names, or InvalidWriterToken."""
    days = (
        current_app.config["SIGNATURE_CONFIRM_DAYS"] if purpose == "confirm" else WRITER_LINK_DAYS
    )
    try:
        writer_id, digest = row_tokens.decode(
            _serializer(purpose), token, int(timedelta(days=days).total_seconds())
        )
    except row_tokens.Expired as exc:
        raise InvalidWriterToken("This link has expired.") from exc
    except row_tokens.Invalid as exc:
        raise InvalidWriterToken("This link is not valid.") from exc
    writer = db.session.get(Writer, writer_id)
    if writer is None or row_tokens.email_digest(writer.email) != digest:
        raise InvalidWriterToken("This link is not valid.")
    return writer
