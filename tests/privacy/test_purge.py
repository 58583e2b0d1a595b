"""``flask privacy purge``: stale unconfirmed signatures go, long-closed petitions' signatures
and letter writers are anonymised, and no count, rollup or packet number moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.delivery import services as delivery
from advocacy.extensions import db
from advocacy.letters.models import CampaignStatus, Channel, Letter, LetterStatus, Writer
from advocacy.petitions import services
from advocacy.petitions.models import Petition, PetitionStatus, PetitionVersion, Signature
from advocacy.privacy import services as privacy
from tests.letters.conftest import campaign
from tests.petitions.test_rollups import snapshot

DAY = timedelta(days=1)


def sign(petition, email, zip_code="13202", confirm=True, **tracking):
    data = services.SignatureInput(
        "Ana", "Diaz", email, zip_code, address="120 Walton St", comment="My own words.",
        public=True, opt_in=True, tracking=tracking,
    )  # fmt: skip
    services.sign_petition(petition, data)
    signature = db.session.scalar(select(Signature).where(Signature.email == email.lower()))
    if confirm:
        services.confirm_signature(services.make_token(signature))
    return signature


def close(db, petition, when):
    petition.status = PetitionStatus.CLOSED
    petition.closed_at = when
    db.session.commit()


def numbers(db, petition) -> dict:
    """Everything counted about a petition: counter, rollups, versions, packets' counts."""
    db.session.expire_all()
    p = db.session.get(Petition, petition.id)
    versions = db.session.scalars(
        select(PetitionVersion.confirmed_count).where(PetitionVersion.petition_id == p.id)
    ).all()
    return {
        "count": p.signature_count,
        "rollups": snapshot(db, p.id),
        "versions": sorted(versions),
        "districts": delivery.district_counts(p.id),
        "senate": delivery.senate_counts(p.id),
    }


def signatures_of(db, petition) -> list[Signature]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Signature).where(Signature.petition_id == petition.id).order_by(Signature.id)
        )
    )


@pytest.fixture
def ended(app, db, make, directory, mailbox):
    """A petition closed a moment ago, signed with districts, sources and a split ZIP."""
    petition = make.petition()
    sign(petition, "ana@Mail.Example.org", ref="x.1", utm_source="newsletter")
    sign(petition, "ben@example.com", zip_code="10001-1234", utm_campaign="spring")
    sign(petition, "cleo@example.com", zip_code="11201")
    close(db, petition, utcnow())
    return petition


def test_unconfirmed_signatures_past_the_setting_are_deleted_and_nothing_else(
    app, db, make, mailbox
):
    petition = make.petition()
    sign(petition, "kept@example.com", ref="x.1")
    sign(petition, "old@example.com", confirm=False, ref="x.1")
    before = numbers(db, petition)
    days = app.config["PRIVACY_UNCONFIRMED_DAYS"]
    created = signatures_of(db, petition)[1].created_at

    # At exactly the cutoff the row is still kept; a moment later it goes.
    assert privacy.purge(now=created + days * DAY).deleted == 0
    report = privacy.purge(now=created + days * DAY + timedelta(seconds=1))

    assert (report.deleted, report.anonymised) == (1, 0)
    assert [s.email for s in signatures_of(db, petition)] == ["kept@example.com"]
    after = numbers(db, petition)
    assert after["count"] == before["count"] == 1
    # 'started' counts the signatures on record: the purged one is taken back, nothing else.
    changed = {k for k in before["rollups"] if before["rollups"][k] != after["rollups"].get(k)}
    assert changed and all(k[-1] == "started" for k in changed)
    assert services.recount(petition.slug, fix=False) == []


def test_signatures_of_a_long_closed_petition_are_anonymised_and_counts_stay(app, db, ended):
    before = numbers(db, ended)
    assert before["districts"] and before["count"] == 3
    closed_at = ended.closed_at
    days = app.config["PRIVACY_CLOSED_PETITION_DAYS"]
    kept = [(s.id, s.state, s.created_at, s.confirmed_at, s.version_id, s.ref, s.signer_number)
            for s in signatures_of(db, ended)]  # fmt: skip

    assert privacy.purge(now=closed_at + days * DAY).anonymised == 0  # not yet: the edge
    report = privacy.purge(now=closed_at + days * DAY + timedelta(seconds=1))

    assert report.anonymised == 3
    rows = signatures_of(db, ended)
    for s in rows:
        assert (s.first_name, s.last_name, s.address, s.city, s.comment) == ("", "", *[None] * 3)
        assert s.email == f"anonymised.{s.id}@{s.email.partition('@')[2]}"
        assert not s.public and not s.opt_in
        assert s.districts  # districts stay
    assert rows[0].email.endswith("@mail.example.org")
    assert rows[1].zip == "10001"  # the ZIP+4 is cut to five digits
    assert kept == [(s.id, s.state, s.created_at, s.confirmed_at, s.version_id, s.ref,
                     s.signer_number) for s in rows]  # fmt: skip
    assert numbers(db, ended) == before
    assert services.recount(ended.slug, fix=False) == []


def test_a_second_run_does_nothing_and_a_dry_run_changes_nothing(app, db, make, ended):
    sign(make.petition(), "late@example.com", confirm=False)
    later = utcnow() + (app.config["PRIVACY_CLOSED_PETITION_DAYS"] + 1) * DAY
    emails = [s.email for s in signatures_of(db, ended)]

    dry = privacy.purge(now=later, dry_run=True)

    assert (dry.deleted, dry.anonymised, dry.dry_run) == (1, 3, True)
    assert [s.email for s in signatures_of(db, ended)] == emails
    assert privacy.purge(now=later, dry_run=True) == dry
    done = privacy.purge(now=later)
    assert (done.deleted, done.anonymised) == (1, 3)
    again = privacy.purge(now=later)
    assert (again.deleted, again.anonymised, again.writers, again.letters) == (0, 0, 0, 0)


def test_batches_cover_every_row(app, db, ended):
    later = utcnow() + (app.config["PRIVACY_CLOSED_PETITION_DAYS"] + 1) * DAY
    assert privacy.purge(now=later, batch=2).anonymised == 3
    assert all(s.first_name == "" for s in signatures_of(db, ended))


def test_recent_open_and_open_but_long_expired_petitions(app, db, make, mailbox):
    days = app.config["PRIVACY_CLOSED_PETITION_DAYS"]
    recent = make.petition()
    sign(recent, "recent@example.com")
    close(db, recent, utcnow() - (days - 1) * DAY)
    running = make.petition()
    sign(running, "running@example.com")
    expired = make.petition()
    sign(expired, "expired@example.com")
    # Open in name, its deadline long past (close-expired never ran): it counts as closed.
    expired.deadline = utcnow() - (days + 1) * DAY
    db.session.commit()

    assert privacy.purge().anonymised == 1
    assert [s.first_name for s in signatures_of(db, recent)] == ["Ana"]
    assert [s.first_name for s in signatures_of(db, running)] == ["Ana"]
    assert [s.first_name for s in signatures_of(db, expired)] == [""]


def writer_with_letter(
    db,
    letters_campaign,
    signature=None,
    *,
    email="ana.writer@example.com",
    confirmed=True,
    created_at=None,
    user_id=None,
) -> Writer:
    """A writer (from ``signature``, or the action page's own when None) with one letter:
    handed over when confirmed, a draft otherwise."""
    writer = Writer(
        campaign_id=letters_campaign.id, signature_id=signature.id if signature else None,
        user_id=user_id, first_name="Ana", last_name="Diaz", prefix="Dr.", email=email,
        address="120 Walton St", city="Syracuse", state="NY", zip="13202-1111",
        confirmed_at=utcnow() if confirmed else None, personal_note="I trained abroad.",
        created_at=created_at or utcnow(),
    )  # fmt: skip
    db.session.add(writer)
    db.session.flush()
    db.session.add(
        Letter(
            campaign_id=letters_campaign.id, writer_id=writer.id, recipient_key="target:1",
            recipient_kind="organization", recipient_name="AAMC", recipient_salutation="Dear:",
            channel=Channel.PRINT,
            status=LetterStatus.HANDED_OVER if confirmed else LetterStatus.DRAFTED,
            confirmed_at=utcnow() if confirmed else None, subject="Ana asks",
            body="Ana Diaz, 120 Walton St", personal_note="I trained abroad.",
            note_fingerprint="f" * 64, personal_share=0.4,
        )
    )  # fmt: skip
    db.session.commit()
    return writer


def test_writers_of_a_closed_campaign_lose_their_details_and_letters_their_text(app, db, ended):
    letters_campaign = campaign(petition=ended, status=CampaignStatus.CLOSED)
    writer = writer_with_letter(db, letters_campaign, signatures_of(db, ended)[0])
    later = utcnow() + (app.config["PRIVACY_CLOSED_PETITION_DAYS"] + 1) * DAY

    report = privacy.purge(now=later)

    assert (report.writers, report.letters) == (1, 1)
    db.session.expire_all()
    w = db.session.get(Writer, writer.id)
    assert (w.first_name, w.last_name, w.prefix, w.address, w.city, w.personal_note) == (
        "", "", None, None, None, None
    )  # fmt: skip
    assert (w.email, w.zip, w.state) == (f"anonymised.{w.id}@anonymised.invalid", "13202", "NY")
    letter = db.session.scalars(select(Letter).where(Letter.writer_id == w.id)).one()
    assert (letter.subject, letter.body, letter.personal_note, letter.note_fingerprint) == (
        "", "", None, None
    )  # fmt: skip
    assert (letter.status, letter.recipient_name, letter.personal_share) == (
        LetterStatus.HANDED_OVER, "AAMC", 0.4
    )  # fmt: skip
    assert privacy.purge(now=later).writers == 0


def test_writers_of_an_open_campaign_wait_until_it_closes(app, db, ended):
    letters_campaign = campaign(petition=ended)  # still open
    writer = writer_with_letter(db, letters_campaign, signatures_of(db, ended)[0])
    later = utcnow() + (app.config["PRIVACY_CLOSED_PETITION_DAYS"] + 1) * DAY

    assert privacy.purge(now=later).writers == 0
    assert db.session.get(Writer, writer.id).first_name == "Ana"
    letters_campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    assert privacy.purge(now=later).writers == 1


def test_the_command_reports_and_refuses_a_bad_setting(app, runner, ended):
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would delete 0 unconfirmed signature(s)." in result.output
    assert "Would anonymise 0 signature(s)" in result.output

    app.config["PRIVACY_CLOSED_PETITION_DAYS"] = 0
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code != 0
    assert "PRIVACY_CLOSED_PETITION_DAYS must be a whole number of days" in result.output
