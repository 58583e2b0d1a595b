"""Communicating with Congress: the XML message, its field rules, the adapter, delivery.

No test reaches the network: ``urllib.request.urlopen`` raises if anything calls it, and
delivery tests replace ``cwc.post`` with a fake endpoint.
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from advocacy import create_app
from advocacy.core.db import utcnow
from advocacy.letters import channels, cwc
from advocacy.letters.addressing import ORGANIZATION, Recipient, copy_fields, legislator_key
from advocacy.letters.models import (
    CampaignStatus,
    Channel,
    Letter,
    LetterCampaign,
    LetterStatus,
    Writer,
)
from config import environment_overrides

SETTINGS = {
    "CWC_ENABLED": True,
    "CWC_CHAMBERS": ["us_senate", "us_house"],
    "CWC_API_URL": "https://cwc.house.example/v2/message",
    "CWC_API_KEY": "house-key",
    "CWC_SENATE_API_URL": "https://soapbox.senate.example/api/messages/",
    "CWC_SENATE_API_KEY": "senate-key",
    "CWC_DELIVERY_AGENT": "Advocacy Platform",
    "CWC_DELIVERY_AGENT_ACK_EMAIL": "cwc-ack@advocacy.example",
    "CWC_DELIVERY_AGENT_CONTACT_NAME": "Dana Vendor",
    "CWC_DELIVERY_AGENT_CONTACT_EMAIL": "dana@advocacy.example",
    "CWC_DELIVERY_AGENT_CONTACT_PHONE": "202-555-0100",
}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
BILLS = ["hr3890-119", "hr4731-119", "s2439-119"]


def _recipient(chamber: str, external_id: str, name: str, last: str, title: str, **kw):
    return Recipient(
        key=legislator_key(external_id),
        kind="legislator",
        name=name,
        first_name=name.split()[0],
        last_name=last,
        title=title,
        salutation=f"Dear {title} {last}:",
        address_lines=(f"The Honorable {name}", "Washington, DC 20510"),
        external_id=external_id,
        chamber=chamber,
        state=kw.pop("state", "NY"),
        **kw,
    )


SCHUMER = _recipient(
    "us_senate", "S000148", "Charles E. Schumer", "Schumer", "Senator", details={"senate_class": 3}
)
GILLIBRAND = _recipient(
    "us_senate",
    "G000555",
    "Kirsten E. Gillibrand",
    "Gillibrand",
    "Senator",
    details={"senate_class": 1},
)
MANNION = _recipient(
    "us_house", "M001231", "John W. Mannion", "Mannion", "Representative", district="22"
)
BEGICH = _recipient(
    "us_house", "B001323", "Nicholas J. Begich III", "Begich", "Representative",
    district="0", state="AK",
)  # fmt: skip
MAY = _recipient(
    "state_upper", "ocd-person/may", "Rachel May", "May", "Senator", district="48",
    email="may@nysenate.example",
)  # fmt: skip
AAMC = Recipient(
    key="target:1",
    kind=ORGANIZATION,
    name="President and CEO",
    first_name="",
    last_name="",
    title="",
    salutation="Dear AAMC leadership:",
    address_lines=("655 K Street NW",),
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr("urllib.request.urlopen", refuse)


@pytest.fixture
def on(app):
    app.config.update(SETTINGS)
    assert cwc.register(app)
    return app


@pytest.fixture
def prefix(monkeypatch):
    """CWC needs the writer's prefix (optional on the writing page): writers have one."""
    monkeypatch.setitem(WRITER_DEFAULTS, "prefix", "Dr.")


@pytest.fixture
def posts(monkeypatch):
    """A fake CWC endpoint: records each post, answers ``posts.answer`` (or raises it)."""

    class Endpoint(list):
        answer: object = (200, "<Success/>")

    endpoint = Endpoint()

    def fake_post(url, body, timeout):
        endpoint.append((url, body, timeout))
        if isinstance(endpoint.answer, BaseException):
            raise endpoint.answer
        return endpoint.answer

    monkeypatch.setattr(cwc, "post", fake_post)
    return endpoint


@pytest.fixture
def campaign(db, make):
    org = make.organization("Unmatched Medical Graduates Coalition")
    petition = make.petition(org, slug="pass-the-act")
    campaign = LetterCampaign(
        organization=org,
        petition=petition,
        slug="rpsra-letters",
        title="Write to your legislators",
        ask="Cosponsor the Resident Physician Shortage Reduction Act",
        status=CampaignStatus.OPEN,
        chambers=["us_senate", "us_house"],
        bills=BILLS,
        subject_template="Please support the Resident Physician Shortage Reduction Act",
        body_template="Body",
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


WRITER_DEFAULTS: dict[str, str | None] = {"prefix": None}


def _letter(db, campaign, recipient, *, body="I waited two years for a residency.", **writer):
    values = {
        **WRITER_DEFAULTS,
        "campaign_id": campaign.id,
        "first_name": "Maria",
        "last_name": "Okonkwo",
        "email": "maria@example.com",
        "address": "100 S Salina St",
        "city": "Syracuse",
        "state": "NY",
        "zip": "13202",
        "confirmed_at": utcnow(),
    }
    values.update(writer)
    person = Writer(**values)
    db.session.add(person)
    db.session.flush()
    letter = Letter(
        campaign_id=campaign.id,
        writer_id=person.id,
        channel=Channel.WEB_FORM,
        subject="Please support the Resident Physician Shortage Reduction Act",
        body=body,
        **copy_fields(recipient),
    )
    db.session.add(letter)
    db.session.commit()
    return letter


def _message(app, letter, office):
    letter.recipient_details = {**letter.recipient_details, "cwc": {"office": office}}
    return cwc.message_for(letter, "0" * 10 + "a" * 22, app.config, on=date(2026, 3, 2))


def _xml(raw: bytes) -> ET.Element:
    return ET.fromstring(raw)  # noqa: S314 - our own output


def _parse(msg) -> ET.Element:
    return _xml(cwc.to_xml(msg))


# --- the XML ---------------------------------------------------------------------------------


def test_house_message_as_xml(on, db, campaign, prefix):
    letter = _letter(db, campaign, MANNION)
    assert cwc.office_code(MANNION) == "HNY22"
    msg = _message(on, letter, "HNY22")
    cwc.validate(msg)
    root = _parse(msg)

    assert root.tag == "CWC" and root.findtext("CWCVersion") == "2.0"
    assert [e.tag for e in root] == [
        "CWCVersion",
        "Delivery",
        "Recipient",
        "Constituent",
        "Message",
    ]
    delivery = root.find("Delivery")
    assert [e.tag for e in delivery] == [
        "DeliveryId", "DeliveryDate", "DeliveryAgent", "DeliveryAgentAckEmailAddress",
        "DeliveryAgentContact", "Organization", "CampaignId",
    ]  # fmt: skip
    assert delivery.findtext("DeliveryId") == "0000000000" + "a" * 22
    assert delivery.findtext("DeliveryDate") == "20260302"
    assert delivery.findtext("DeliveryAgent") == "Advocacy Platform"
    contact = delivery.find("DeliveryAgentContact")
    assert contact.findtext("DeliveryAgentContactPhone") == "202-555-0100"
    assert delivery.findtext("Organization") == "Unmatched Medical Graduates Coalition"
    assert delivery.findtext("CampaignId") == "rpsra-letters"

    assert root.findtext("Recipient/MemberOffice") == "HNY22"
    assert root.findtext("Recipient/IsResponseRequested") == "N"
    assert root.findtext("Recipient/NewsletterOptIn") == "N"

    person = root.find("Constituent")
    assert person.findtext("Prefix") == "Dr."
    assert person.findtext("FirstName") == "Maria" and person.findtext("LastName") == "Okonkwo"
    assert person.findtext("Address1") == "100 S Salina St" and person.find("Address2") is None
    assert person.findtext("City") == "Syracuse"
    assert person.findtext("StateAbbreviation") == "NY" and person.findtext("Zip") == "13202"
    assert person.findtext("AddressValidation") == "N"
    assert person.findtext("Email") == "maria@example.com"
    assert person.findtext("EmailValidation") == "Y"  # the writer confirmed by email

    message = root.find("Message")
    assert message.findtext("Subject") == (
        "Please support the Resident Physician Shortage Reduction Act"
    )
    assert [t.text for t in message.iter("LibraryOfCongressTopic")] == ["Health"]
    bills = [
        (b.findtext("BillCongress"), b.findtext("BillTypeAbbreviation"), b.findtext("BillNumber"))
        for b in message.findall("Bills/Bill")
    ]
    assert bills == [("119", "hr", "3890"), ("119", "hr", "4731"), ("119", "s", "2439")]
    assert message.findtext("ProOrCon") == "Pro"
    assert message.findtext("OrganizationStatement") == campaign.ask
    text = message.findtext("ConstituentMessage")
    assert text.startswith("Dear Representative Mannion:\n\nI waited two years")
    assert text.endswith("Sincerely,\nMaria Okonkwo")
    assert message.findtext("MoreInfo") == "http://advocacy.test/petitions/pass-the-act"


def test_senate_office_codes_follow_the_senate_class(on, db, campaign, prefix):
    assert cwc.office_code(SCHUMER) == "SNY02"  # class III
    assert cwc.office_code(GILLIBRAND) == "SNY00"  # class I
    assert cwc.office_code(BEGICH) == "HAK00"  # at-large
    letter = _letter(db, campaign, SCHUMER)
    msg = _message(on, letter, "SNY02")
    cwc.validate(msg)
    root = _parse(msg)
    assert root.findtext("Recipient/MemberOffice") == "SNY02"
    assert root.findtext("Message/ConstituentMessage").startswith("Dear Senator Schumer:")


def test_office_codes_can_be_overridden_and_unknown_ones_are_none(on):
    unknown = dataclasses.replace(SCHUMER, external_id="X000000", details={})  # no class known
    assert cwc.office_code(unknown) is None
    assert cwc.office_code(unknown, {"X000000": "SNY01"}) == "SNY01"
    assert cwc.office_code(MAY) is None and cwc.office_code(AAMC) is None


def test_markup_in_a_letter_is_escaped_by_the_library(on, db, campaign, prefix):
    body = 'Residents & <patients> say "now" </ConstituentMessage><Prefix>Mr.</Prefix>'
    letter = _letter(db, campaign, MANNION, body=body, first_name="Zoë")
    raw = cwc.to_xml(_message(on, letter, "HNY22"))
    assert b"&lt;patients&gt;" in raw and b"&amp;" in raw
    root = _xml(raw)
    assert body in root.findtext("Message/ConstituentMessage")
    assert root.findtext("Constituent/FirstName") == "Zoë"
    assert len(root.findall("Constituent/Prefix")) == 1


def test_delivery_ids_are_32_characters_and_unique():
    ids = {cwc.new_delivery_id(7) for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 32 and i.isalnum() and i.startswith("0000000007") for i in ids)


def test_bills_are_parsed_and_bad_ids_refused():
    assert cwc.parse_bills([*BILLS, "Resident Physician Shortage Reduction Act"]) == (
        cwc.Bill(119, "hr", 3890),
        cwc.Bill(119, "hr", 4731),
        cwc.Bill(119, "s", 2439),
    )
    for bad, field in (
        ("hx3890-119", "BillTypeAbbreviation"),
        ("hr3890", "BillCongress"),
        ("hr0-119", "BillNumber"),
        ("3890-119", "Bills"),
    ):
        with pytest.raises(cwc.CwcProblem) as refused:
            cwc.parse_bills([bad])
        assert refused.value.field == field


# --- the field rules -------------------------------------------------------------------------

GOOD = cwc.CwcMessage(
    delivery_id="a" * 32,
    delivery_date="20260302",
    delivery_agent="Advocacy Platform",
    delivery_agent_ack_email="ack@advocacy.example",
    agent_contact_name="Dana Vendor",
    agent_contact_email="dana@advocacy.example",
    agent_contact_phone="(202) 555-0100",
    organization="Unmatched Medical Graduates Coalition",
    campaign_id="rpsra-letters",
    member_office="HNY22",
    prefix="Ms.",
    first_name="Maria",
    last_name="Okonkwo",
    address_lines=("100 S Salina St",),
    city="Syracuse",
    state="NY",
    zip="13202",
    email="maria@example.com",
    subject="Please support H.R. 3890",
    message="Dear Representative Mannion:\n\nPlease cosponsor.",
    topics=("Health",),
    bills=(cwc.Bill(119, "hr", 3890),),
    pro_or_con="Pro",
)


def test_a_good_message_passes():
    cwc.validate(GOOD)
    cwc.validate(dataclasses.replace(GOOD, zip="13202-1234", member_office="SNY02"))
    cwc.validate(dataclasses.replace(GOOD, pro_or_con=None, bills=()))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"delivery_id": "abc"}, "DeliveryId"),
        ({"delivery_id": "a" * 31 + "!"}, "DeliveryId"),
        ({"delivery_date": "2026-03-02"}, "DeliveryDate"),
        ({"delivery_date": "20261341"}, "DeliveryDate"),
        ({"delivery_agent": ""}, "DeliveryAgent"),
        ({"delivery_agent_ack_email": "ack"}, "DeliveryAgentAckEmailAddress"),
        ({"agent_contact_name": " "}, "DeliveryAgentContactName"),
        ({"agent_contact_email": "dana@"}, "DeliveryAgentContactEmail"),
        ({"agent_contact_phone": "call me"}, "DeliveryAgentContactPhone"),
        ({"agent_contact_phone": "555-0100"}, "DeliveryAgentContactPhone"),
        ({"organization": ""}, "Organization"),
        ({"campaign_id": "has spaces"}, "CampaignId"),
        ({"member_office": ""}, "MemberOffice"),
        ({"member_office": "HNY2"}, "MemberOffice"),
        ({"member_office": "HXX01"}, "MemberOffice"),
        ({"member_office": "SNY05"}, "MemberOffice"),
        ({"member_office": "SNYSchumer"}, "MemberOffice"),
        ({"prefix": ""}, "Prefix"),
        ({"prefix": "Sir"}, "Prefix"),
        ({"first_name": ""}, "FirstName"),
        ({"last_name": "x" * 51}, "LastName"),
        ({"address_lines": ()}, "Address1"),
        ({"address_lines": ("1", "2", "3", "4")}, "Address3"),
        ({"address_lines": ("1 Main St", "x" * 101)}, "Address2"),
        ({"city": ""}, "City"),
        ({"state": "ZZ"}, "StateAbbreviation"),
        ({"state": "NJ"}, "StateAbbreviation"),  # not the office's state
        ({"zip": "1320"}, "Zip"),
        ({"zip": "13202-12"}, "Zip"),
        ({"zip": "ABCDE"}, "Zip"),
        ({"email": "maria"}, "Email"),
        ({"subject": ""}, "Subject"),
        ({"subject": "x" * 256}, "Subject"),
        ({"subject": "Two\nlines"}, "Subject"),
        ({"topics": ()}, "LibraryOfCongressTopic"),
        ({"topics": ("Healthcare",)}, "LibraryOfCongressTopic"),
        ({"pro_or_con": "Maybe"}, "ProOrCon"),
        ({"bills": ()}, "ProOrCon"),  # a stance with no bill
        ({"organization_statement": "x" * 2001}, "OrganizationStatement"),
        ({"message": ""}, "ConstituentMessage"),
        ({"message": "x" * 10_001}, "ConstituentMessage"),
        ({"more_info": "x" * 501}, "MoreInfo"),
        ({"first_name": "Ma\x00ria"}, "FirstName"),
        ({"city": "Syra\x1bcuse"}, "City"),
        ({"subject": "Bell\x07"}, "Subject"),
        ({"message": "Dear\x0bSenator"}, "ConstituentMessage"),
        ({"organization_statement": "\x85"}, "OrganizationStatement"),
    ],
)
def test_each_field_rule_refuses_naming_the_field(change, field):
    with pytest.raises(cwc.CwcProblem) as refused:
        cwc.validate(dataclasses.replace(GOOD, **change))
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")


def test_a_message_keeps_its_line_breaks():
    cwc.validate(dataclasses.replace(GOOD, message="One.\n\nTwo.\r\n\tThree."))


# --- the adapter: off unless configured, federal offices only --------------------------------


def test_off_without_configuration(app):
    assert not app.config["CWC_ENABLED"]
    assert channels.adapters() == []
    assert channels.choose(SCHUMER) is Channel.PRINT  # no email, no form in this copy
    adapter = cwc.CwcAdapter(app)
    assert not adapter.accepts(SCHUMER)
    app.config.update(SETTINGS, CWC_ENABLED=False)
    assert not adapter.accepts(SCHUMER)
    assert not cwc.register(app)


@pytest.mark.parametrize("missing", cwc.REQUIRED_SETTINGS)
def test_every_required_setting_is_needed(app, missing):
    app.config.update(SETTINGS)
    app.config[missing] = [] if missing == "CWC_CHAMBERS" else None
    assert cwc.missing_settings(app.config) == [missing]
    assert not cwc.CwcAdapter(app).accepts(SCHUMER)
    assert not cwc.register(app)
    assert channels.adapters() == []


def test_a_new_app_registers_it_only_when_configured(_migrated):
    base = {"SQLALCHEMY_DATABASE_URI": _migrated}
    assert not create_app(base).extensions.get("advocacy_letter_adapters")
    configured = create_app({**base, **SETTINGS})
    (adapter,) = configured.extensions["advocacy_letter_adapters"]
    assert isinstance(adapter, cwc.CwcAdapter) and adapter.channel is Channel.CWC


def test_accepts_members_of_congress_only(on):
    adapter = cwc.CwcAdapter(on)
    assert adapter.accepts(SCHUMER) and adapter.accepts(GILLIBRAND)
    assert adapter.accepts(MANNION) and adapter.accepts(BEGICH)
    assert not adapter.accepts(MAY)  # a state senator
    assert not adapter.accepts(AAMC)  # an organisation target
    assert not adapter.accepts(dataclasses.replace(SCHUMER, external_id="X000000", details={}))
    assert channels.choose(SCHUMER) is Channel.CWC
    assert channels.choose(MANNION) is Channel.CWC
    assert channels.choose(MAY) is Channel.EMAIL


def test_a_writer_without_prefix_or_address_gets_the_offices_own_channel(on):
    ready = Writer(prefix="Dr.", address="100 S Salina St", city="Syracuse")
    assert channels.choose(SCHUMER, ready) is Channel.CWC
    with_form = dataclasses.replace(SCHUMER, web_form="https://www.schumer.senate.gov/contact")
    for writer in (
        Writer(prefix=None, address="100 S Salina St", city="Syracuse"),
        Writer(prefix="Sir", address="100 S Salina St", city="Syracuse"),
        Writer(prefix="Dr.", address=None, city="Syracuse"),
        Writer(prefix="Dr.", address="100 S Salina St", city=None),
    ):
        assert channels.choose(with_form, writer) is Channel.WEB_FORM
        assert channels.choose(SCHUMER, writer) is Channel.PRINT  # this copy has no form


def test_accepts_only_the_chambers_that_approved_the_vendor(on):
    on.config["CWC_CHAMBERS"] = ["us_house"]
    adapter = cwc.CwcAdapter(on)
    assert adapter.accepts(MANNION) and not adapter.accepts(SCHUMER)
    assert channels.choose(SCHUMER) is Channel.PRINT


def test_settings_from_the_environment():
    settings = environment_overrides(
        {
            "CWC_ENABLED": "true",
            "CWC_CHAMBERS": "us_house, us_senate",
            "CWC_TOPICS": "Health; Arts, Culture, Religion",
            "CWC_OFFICE_CODES": "S000148=SNY02, M001231 = HNY22",
            "CWC_TIMEOUT": "12.5",
        }
    )
    assert settings["CWC_ENABLED"] is True
    assert settings["CWC_CHAMBERS"] == ["us_house", "us_senate"]
    assert settings["CWC_TOPICS"] == ["Health", "Arts, Culture, Religion"]
    assert settings["CWC_OFFICE_CODES"] == {"S000148": "SNY02", "M001231": "HNY22"}
    assert settings["CWC_TIMEOUT"] == 12.5


# --- delivery --------------------------------------------------------------------------------


def _deliver(db, letter):
    adapter = channels.adapter_for(Recipient_of(letter))
    assert adapter is not None
    adapter.deliver(letter)
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Letter, letter.id)


def Recipient_of(letter):  # noqa: N802 - reads as the type it returns
    from advocacy.letters.addressing import from_letter

    return from_letter(letter)


def test_deliver_posts_after_the_commit_and_records_sent(on, db, campaign, prefix, posts):
    letter = _letter(db, campaign, MANNION)
    cwc.CwcAdapter(on).deliver(letter)
    assert letter.status is LetterStatus.QUEUED and letter.channel is Channel.CWC
    delivery_id = letter.recipient_details["cwc"]["delivery_id"]
    assert len(delivery_id) == 32 and letter.recipient_details["cwc"]["office"] == "HNY22"
    assert letter.recipient_details["first_name"] == "John"  # the recipient copy is kept
    assert posts == []  # nothing leaves inside the transaction
    db.session.commit()

    (url, body, timeout) = posts[0]
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "cwc.house.example"
    assert urllib.parse.parse_qs(parts.query) == {"apikey": ["house-key"]}
    assert timeout == 30.0
    root = _xml(body)
    assert root.findtext("Delivery/DeliveryId") == delivery_id
    assert root.findtext("Recipient/MemberOffice") == "HNY22"
    db.session.expire_all()
    sent = db.session.get(Letter, letter.id)
    assert sent.status is LetterStatus.SENT and sent.sent_at is not None
    assert sent.delivery_error is None


def test_senate_letters_go_to_the_senate_endpoint(on, db, campaign, prefix, posts):
    letter = _deliver(db, _letter(db, campaign, SCHUMER))
    assert letter.status is LetterStatus.SENT
    url = posts[0][0]
    assert url.startswith("https://soapbox.senate.example/api/messages/?")
    assert "apikey=senate-key" in url
    assert _xml(posts[0][1]).findtext("Recipient/MemberOffice") == "SNY02"


def test_a_refusal_is_recorded_as_failed_with_what_cwc_said(on, db, campaign, prefix, posts):
    posts.answer = (400, "<Errors><Error>Invalid Zip for office HNY22</Error></Errors>")
    letter = _deliver(db, _letter(db, campaign, MANNION))
    assert letter.status is LetterStatus.FAILED and letter.sent_at is None
    assert letter.delivery_error == (
        "CWC refused the message (HTTP 400): Invalid Zip for office HNY22"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError("Connection refused"), "Could not reach CWC: Connection refused"),
        (TimeoutError("timed out"), "No answer from CWC within 30 s: the message may have"),
    ],
)
def test_network_failures_are_recorded_as_failed(on, db, campaign, prefix, posts, error, expected):
    posts.answer = error
    letter = _deliver(db, _letter(db, campaign, MANNION))
    assert letter.status is LetterStatus.FAILED
    assert letter.delivery_error.startswith(expected)
    assert "house-key" not in letter.delivery_error


def test_without_a_prefix_the_letter_fails_and_nothing_is_posted(on, db, campaign, posts):
    letter = _deliver(db, _letter(db, campaign, MANNION))
    assert posts == []
    assert letter.status is LetterStatus.FAILED
    assert "Prefix: CWC requires the constituent's prefix" in letter.delivery_error
    assert "web form" in letter.delivery_error
    assert letter.recipient_web_form == MANNION.web_form  # still there for the writer


def test_without_a_street_address_the_letter_fails(on, db, campaign, prefix, posts):
    letter = _deliver(db, _letter(db, campaign, SCHUMER, address=None))
    assert posts == [] and letter.status is LetterStatus.FAILED
    assert "Address1" in letter.delivery_error


def test_a_rolled_back_letter_is_never_posted(on, db, campaign, prefix, posts):
    letter = _letter(db, campaign, MANNION)
    cwc.CwcAdapter(on).deliver(letter)
    db.session.rollback()
    db.session.commit()
    assert posts == []
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status is LetterStatus.DRAFTED


def test_a_letter_no_longer_queued_is_not_posted_again(on, db, campaign, prefix, posts):
    letter = _deliver(db, _letter(db, campaign, MANNION))
    assert letter.status is LetterStatus.SENT and len(posts) == 1
    assert cwc.send_letters([letter.id]) == {}
    assert len(posts) == 1


def test_without_redis_a_thread_posts_it(on, db, campaign, prefix, posts):
    import time

    on.config["MAIL_SYNC"] = False
    letter = _letter(db, campaign, MANNION)
    cwc.CwcAdapter(on).deliver(letter)
    db.session.commit()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Letter, letter.id).status is not LetterStatus.QUEUED:
            break
        time.sleep(0.05)
    assert db.session.get(Letter, letter.id).status is LetterStatus.SENT
    assert len(posts) == 1


@pytest.mark.redis
@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL=redis://…")
def test_with_redis_the_mail_worker_posts_it(on, db, campaign, prefix, posts):
    from redis import Redis
    from rq import Queue, SimpleWorker

    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    on.config.update(REDIS_URL=TEST_REDIS_URL, MAIL_SYNC=False)
    on.extensions.pop("advocacy_redis", None)
    letter = _letter(db, campaign, SCHUMER)
    cwc.CwcAdapter(on).deliver(letter)
    db.session.commit()
    queue = Queue("mail", connection=redis)
    assert queue.count == 1 and posts == []  # on Redis, not posted in-process
    SimpleWorker([queue], connection=redis).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status is LetterStatus.SENT
    assert "apikey=senate-key" in posts[0][0]


def test_senate_office_codes_come_from_the_imported_class_and_survive_the_letter(on, db, directory):
    from sqlalchemy import select

    from advocacy.legislators.models import DirectorySnapshot, Legislator
    from advocacy.letters.addressing import from_legislator, from_letter

    def senator(bioguide: str) -> Legislator:
        return db.session.scalars(
            select(Legislator)
            .join(DirectorySnapshot, DirectorySnapshot.id == Legislator.snapshot_id)
            .where(DirectorySnapshot.active, Legislator.external_id == bioguide)
        ).one()

    schumer, gillibrand = senator("S000148"), senator("G000555")
    assert (schumer.senate_class, gillibrand.senate_class) == (3, 1)
    assert cwc.office_code(from_legislator(schumer)) == "SNY02"
    assert cwc.office_code(from_legislator(gillibrand)) == "SNY00"
    # The letter's copy of the recipient keeps the class: a refresh cannot change the code.
    copied = Letter(**copy_fields(from_legislator(schumer)))
    assert cwc.office_code(from_letter(copied)) == "SNY02"
