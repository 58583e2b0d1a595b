"""A member's data: the export holds every section, deletion removes or anonymises them in
one transaction, and no count, rollup, packet number or sent letter's record moves."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from advocacy.accounts import services as accounts
from advocacy.accounts.models import Membership, Role, User
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.letters.models import Channel, Letter, LetterStatus, Writer
from advocacy.mail import enqueue
from advocacy.mail.models import MessageStatus, OutboxMessage, Suppression, Unsubscribe
from advocacy.privacy import member_data
from advocacy.privacy.services import CANCELLED
from tests.factories import PASSWORD
from tests.letters.conftest import campaign
from tests.privacy.test_purge import numbers, sign, signatures_of, writer_with_letter

EMAIL = "mia@example.org"


def letter_mail(writer: Writer, status: MessageStatus) -> int:
    """An email letter from ``writer`` to an office, its outbox message in ``status``."""
    message_id = enqueue(
        "letter", "office@house.example", "account_exists", login_url="x", forgot_url="y",
        from_name=f"{writer.full_name} via Org", reply_to=writer.email, cc=writer.email,
    )  # fmt: skip
    db.session.add(
        Letter(
            campaign_id=writer.campaign_id, writer_id=writer.id, recipient_key=f"m:{message_id}",
            recipient_kind="legislator", recipient_name="Rep. Doe", recipient_salutation="Dear:",
            channel=Channel.EMAIL, status=LetterStatus.QUEUED, subject="Mia asks",
            body="Mia Member, 1 Main St", outbox_message_id=message_id,
        )
    )  # fmt: skip
    db.session.commit()
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == message_id)
        .values(status=status.value)
    )
    db.session.commit()
    return message_id


@pytest.fixture
def world(app, db, make, directory, mailbox):
    """A member who signed a petition (and someone else who did), wrote letters by the
    account's email and, from another address, while logged in; got mail, unsubscribed
    from an organisation, and bounced once."""
    member = accounts.new_user(EMAIL, "Mia Member", PASSWORD, confirmed=True)
    db.session.commit()
    petition = make.petition()
    sign(petition, EMAIL, zip_code="10001-1234", ref="x.1")
    other = sign(petition, "otto@example.com")
    action = campaign(petition=petition)
    by_email = writer_with_letter(db, action, email=EMAIL)
    by_account = writer_with_letter(
        db, campaign(slug="action-two"), email="mia.old@example.net", user_id=member.id
    )
    sent = letter_mail(by_email, MessageStatus.SENT)
    queued = letter_mail(by_account, MessageStatus.QUEUED)
    db.session.add(Unsubscribe(email=EMAIL, organization_id=petition.organization_id))
    db.session.add(Suppression(email=EMAIL, reason="bounce", detail="550 mailbox full"))
    db.session.commit()
    return {
        "member": member, "petition": petition, "other": other.id, "sent": sent,
        "queued": queued, "writers": [by_email.id, by_account.id],
    }  # fmt: skip


def test_the_export_holds_every_section_and_only_the_members(app, world):
    data = member_data.export_member(world["member"])
    json.dumps(data)  # all of it is JSON

    assert data["format"] == "advocacy-member-data/1"
    assert data["account"]["email"] == EMAIL and data["account"]["name"] == "Mia Member"
    assert "password_hash" not in json.dumps(data) and "scrypt" not in json.dumps(data)
    [signature] = data["signatures"]
    assert (signature["email"], signature["zip"], signature["came_from"]) == (
        EMAIL, "10001-1234", {"ref": "x.1"}
    )  # fmt: skip
    assert signature["address"] == "120 Walton St" and signature["districts"]
    assert signature["petition_slug"] == world["petition"].slug
    writers = data["letters"]
    assert [w["email"] for w in writers] == [EMAIL, "mia.old@example.net"]
    assert [[letter["status"] for letter in w["letters"]] for w in writers] == [
        ["handed_over", "sent"], ["handed_over", "queued"]
    ]  # fmt: skip
    assert writers[0]["letters"][0]["body"] == "Ana Diaz, 120 Walton St"
    mail = data["mail"]
    # The confirmation of the signature, and the two letters copied to the writer.
    assert [m["kind"] for m in mail["emails"]] == ["confirm_signature", "letter", "letter"]
    assert "text_body" not in mail["emails"][0]
    assert mail["unsubscribed_from"][0]["petition"] is None
    assert mail["suppressed"]["reason"] == "bounce"
    assert data["organizer_memberships"] == []


def test_deleting_anonymises_everything_and_moves_no_number(app, db, runner, world):
    petition = world["petition"]
    before = numbers(db, petition)

    member_data.delete_member(world["member"], PASSWORD)

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert numbers(db, petition) == before
    result = runner.invoke(args=["petitions", "recount", "--check"])
    assert "All counters match" in result.output and "All rollups match" in result.output
    mine, other = signatures_of(db, petition)
    assert (mine.first_name, mine.last_name, mine.address, mine.comment) == ("", "", None, None)
    assert mine.email == f"anonymised.{mine.id}@example.org"
    assert (mine.zip, mine.public, mine.opt_in) == ("10001", False, False)
    assert mine.confirmed_at is not None and mine.districts
    assert other.first_name == "Ana" and other.email == "otto@example.com"

    writers = db.session.scalars(select(Writer).where(Writer.id.in_(world["writers"]))).all()
    for w in writers:
        assert (w.first_name, w.address, w.personal_note, w.user_id) == ("", None, None, None)
        assert w.email == f"anonymised.{w.id}@anonymised.invalid"
    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert all((x.subject, x.body, x.personal_note) == ("", "", None) for x in letters)
    assert [x.recipient_name for x in letters] == ["AAMC", "AAMC", "Rep. Doe", "Rep. Doe"]

    sent = db.session.get(OutboxMessage, world["sent"])
    assert sent.status is MessageStatus.SENT  # a sent letter stays recorded as sent
    queued = db.session.get(OutboxMessage, world["queued"])
    assert (queued.status, queued.last_error) == (MessageStatus.FAILED, CANCELLED)
    for m in db.session.scalars(select(OutboxMessage)):
        assert EMAIL not in (m.recipient, m.reply_to, m.cc) and "Mia" not in (m.from_name or "")
        assert m.text_body == "" or m.recipient == "otto@example.com"
    # Kept: they stop mail to the address if it turns up again.
    assert db.session.scalar(select(Unsubscribe.email)) == EMAIL
    assert db.session.scalar(select(Suppression.email)) == EMAIL


def test_a_wrong_password_changes_nothing(app, db, world):
    with pytest.raises(DomainError) as refused:
        member_data.delete_member(world["member"], "not my password")
    assert refused.value.field == "password"
    db.session.expire_all()
    assert db.session.get(User, world["member"].id) is not None
    assert signatures_of(db, world["petition"])[0].email == EMAIL


def test_a_failure_midway_rolls_everything_back(app, db, world, monkeypatch):
    def broken(_user):
        raise RuntimeError("disk full")

    sections = (*member_data.SECTIONS[1:], member_data.Section("account", dict, broken))
    monkeypatch.setattr(member_data, "SECTIONS", sections)
    with pytest.raises(RuntimeError):
        member_data.delete_member(world["member"], PASSWORD)
    db.session.expire_all()
    assert signatures_of(db, world["petition"])[0].email == EMAIL
    assert db.session.scalar(select(Writer.email).where(Writer.id == world["writers"][0])) == EMAIL


def test_the_last_one_in_charge_of_an_organisation_is_refused(app, db, make):
    org = make.organization("Doctors for Access")
    owner = make.organizer(org, email="owner@example.org", role=Role.OWNER)
    make.organizer(org, email="helper@example.org")

    # An organizer remains, but no other owner.
    with pytest.raises(DomainError) as refused:
        member_data.delete_member(owner, PASSWORD)
    assert "last owner or the only organizer of Doctors for Access" in refused.value.message
    assert refused.value.field is None

    # Another owner: the owner may go; then the helper is the only one left, and stays.
    make.organizer(org, email="second@example.org", role=Role.OWNER)
    member_data.delete_member(owner, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
    helper = accounts.find_user("helper@example.org")
    assert member_data.deletion_problem(helper) is None  # the second owner is still there


def test_membership_applications_are_in_the_file_and_go_with_the_account(app, db, make):
    """The organisation-membership section is wired in: exported, then deleted."""
    from advocacy.membership import intake
    from advocacy.membership import services as membership
    from advocacy.membership.intake import FieldInput
    from advocacy.membership.models import MemberApplication

    org = make.organization("Unmatched Graduates")
    make.organizer(org, email="olive@example.org")
    country = intake.add_field(org, FieldInput("Medical school country", "text", True))
    intake.update_intake(org, is_open=True, intro="Join us.")
    user = accounts.new_user("ana@example.org", "Ana Applicant", PASSWORD, confirmed=True)
    db.session.commit()
    membership.apply(user, org, {country.input_name: "India"})

    section = member_data.export_member(user)["organisation_membership"]
    [application] = section["member_applications"]
    assert application["organization"] == "Unmatched Graduates"
    assert application["answers"] == [{"question": "Medical school country", "answer": "India"}]

    member_data.delete_member(user, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(MemberApplication)) == 0


def test_the_profile_and_history_linked_by_user_id_are_exported_and_erased(app, db, make):
    """A signature made under an earlier address is the member's by ``user_id``; the
    profile's address is in the file; both go with the account."""
    from advocacy.profile import services as profile
    from advocacy.profile.models import MemberProfile

    petition = make.petition()
    user = accounts.new_user("ana@example.org", "Ana Member", PASSWORD, confirmed=True)
    db.session.commit()
    old = make.signature(petition, email="ana.old@example.org", confirmed=True)
    old.user_id = user.id
    db.session.commit()
    profile.save_address(
        user,
        profile.AddressInput(
            first_name="Ana", last_name="Member", address="1 Main St", city="Syracuse",
            zip="13202",
        ),
    )  # fmt: skip

    data = member_data.export_member(user)
    assert [s["email"] for s in data["signatures"]] == ["ana.old@example.org"]
    assert (data["profile"]["address"], data["profile"]["zip"]) == ("1 Main St", "13202")

    member_data.delete_member(user, PASSWORD)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MemberProfile)) == 0
    signature = db.session.get(type(old), old.id)
    assert signature.email != "ana.old@example.org" and signature.user_id is None
    assert signature.confirmed_at is not None


def test_newsletter_subscriptions_are_exported_and_deleted(app, db, make):
    from advocacy.subscriptions import services as subscriptions
    from advocacy.subscriptions.models import NewsletterSubscription

    org = make.organization("Unmatched Graduates")
    make.organizer(org, email="olive@example.org")
    user = accounts.new_user("ana@example.org", "Ana Member", PASSWORD, confirmed=True)
    db.session.commit()
    subscriptions.subscribe_member(user, org)

    [row] = member_data.export_member(user)["newsletters"]["newsletter_subscriptions"]
    assert (row["organization"], row["status"]) == ("Unmatched Graduates", "confirmed")

    member_data.delete_member(user, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(NewsletterSubscription)) == 0


def test_volunteer_signups_are_exported_and_deleted(app, db, make):
    from advocacy.volunteers import services as volunteering
    from advocacy.volunteers.models import Volunteer
    from tests.volunteers.conftest import volunteer_input

    org = make.organization("Unmatched Graduates")
    make.organizer(org, email="olive@example.org")
    user = accounts.new_user("rosa@example.org", "Rosa Diaz", PASSWORD, confirmed=True)
    db.session.commit()
    volunteering.sign_up(volunteer_input(email="rosa@example.org"), org)

    [row] = member_data.export_member(user)["volunteering"]["volunteer_signups"]
    assert (row["organization"], sorted(row["states"])) == ("Unmatched Graduates", ["IL", "NY"])

    member_data.delete_member(user, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
