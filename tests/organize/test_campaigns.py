"""Organizer pages for letter campaigns: permissions, templates refused with their line,
entries kept, the preview per chamber and position, targets, publish/close, the counts."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters import reports
from advocacy.letters.models import (
    CampaignPosition,
    CampaignStatus,
    CampaignTarget,
    Channel,
    Letter,
    LetterCampaign,
    LetterStatus,
    Position,
    Writer,
    WriterDistrict,
)
from advocacy.mail.models import MessageStatus, OutboxMessage

CONFIRM = {"confirm": "1"}


def campaign_form(**overrides) -> dict:
    values = {
        "title": "Write for residency slots",
        "slug": "",
        "petition_id": "0",
        "intro": "Thousands of graduates wait.",
        "ask": "Cosponsor the Resident Physician Shortage Reduction Act",
        "prompt": "Tell your legislator why it matters to you.",
        "goal": "500",
        "chambers": ["us_senate", "us_house"],
        "bills": "hr3890-119\ns2439-119",
        "subject_template": "Please support {{ campaign.bills }}",
        "body_template": "As your constituent in {{ supporter.city }}, I ask you to act.",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"))
    auth.login(user.email)
    return user


@pytest.fixture
def org(organizer):
    return organizer.memberships[0].organization


def make_campaign(org, **kw) -> LetterCampaign:
    values = {
        "slug": "write-now",
        "title": "Write now",
        "chambers": ["us_senate"],
        "subject_template": "Hello",
        "body_template": "Please act.",
        "status": CampaignStatus.DRAFT,
    }
    values.update(kw)
    campaign = LetterCampaign(organization=org, **values)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_pages_need_login(client, make):
    campaign = make_campaign(make.organization())
    for url in (
        "/organize/campaigns",
        "/organize/campaigns/new",
        f"/organize/campaigns/{campaign.id}/edit",
        f"/organize/campaigns/{campaign.id}/positions",
        f"/organize/campaigns/{campaign.id}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]


def test_another_organisations_campaign_is_404(client, make, organizer):
    other = make_campaign(make.organization("Someone else"))
    target = CampaignTarget(campaign_id=other.id, name="X", salutation="Dear X:", address="1 St")
    db.session.add(target)
    db.session.commit()
    for url in (
        f"/organize/campaigns/{other.id}/edit",
        f"/organize/campaigns/{other.id}/positions",
        f"/organize/campaigns/{other.id}",
        f"/organize/campaigns/{other.id}/targets/new",
        f"/organize/campaigns/{other.id}/targets/{target.id}",
        "/organize/campaigns/999999/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/organize/campaigns/{other.id}/publish", data=CONFIRM).status_code == 404
    assert db.session.get(LetterCampaign, other.id).status is CampaignStatus.DRAFT


def test_create_campaign(client, org):
    response = client.post("/organize/campaigns/new", data=campaign_form())
    assert response.status_code == 302
    campaign = db.session.scalar(select(LetterCampaign))
    assert campaign.slug == "write-for-residency-slots"
    assert campaign.chambers == ["us_senate", "us_house"]
    assert campaign.bills == ["hr3890-119", "s2439-119"]
    assert campaign.status is CampaignStatus.DRAFT
    page = unescape(client.get(response.headers["Location"]).text)
    assert "H.R. 3890, S. 2439" in page


def test_template_refused_with_line_and_entries_kept(client, org):
    body = "Dear friend,\n\nI live in {{ supporter.town }}."
    response = client.post(
        "/organize/campaigns/new",
        data=campaign_form(
            body_template=body, subject_supports="Thanks {{ oops", body_supports="x"
        ),
    )
    assert response.status_code == 400
    page = unescape(response.text)
    assert "Line 3: {{ supporter.town }} is not a merge field" in page
    assert "Line 1:" in page  # the position template's syntax error, beside its own field
    assert "Write for residency slots" in page  # the other entries are kept
    assert "Tell your legislator why it matters to you." in page
    assert db.session.scalar(select(LetterCampaign)) is None


def test_bad_bill_id_refused(client, org):
    response = client.post("/organize/campaigns/new", data=campaign_form(bills="hr3890"))
    assert response.status_code == 400
    assert "is not a bill id we can read" in unescape(response.text)


def test_preview_per_chamber_and_position(client, org):
    data = campaign_form(
        chambers=["us_senate", "us_house", "state_lower"],
        body_template="I ask you, {{ recipient.title }} {{ recipient.last_name }}, to act.",
        subject_supports="Thank you for cosponsoring {{ campaign.bills }}",
        body_supports="Thank you for cosponsoring.\n\n{{ personal_note }}",
        preview="1",
    )
    response = client.post("/organize/campaigns/new", data=data)
    assert response.status_code == 200
    page = unescape(response.text)
    assert "Dear Senator Schumer:" in page
    assert "Dear Representative Mannion:" in page
    assert "Dear Assembly Member Hunter:" in page
    assert "Thank you for cosponsoring H.R. 3890, S. 2439" in page
    assert "I ask you, Senator Schumer, to act." in page
    assert "Any other position" in page
    assert "applied to residency twice" in page  # the sample supporter's own paragraph
    assert db.session.scalar(select(LetterCampaign)) is None  # a preview saves nothing


def test_preview_of_an_existing_campaign_includes_targets(client, org):
    campaign = make_campaign(org, chambers=[])
    db.session.add(
        CampaignTarget(campaign_id=campaign.id, name="David Skorton", title="President",
                       organization="AAMC", salutation="Dear Dr. Skorton:",
                       address="655 K Street NW\nWashington, DC 20001")
    )  # fmt: skip
    db.session.commit()
    data = campaign_form(chambers=[], preview="1", body_template="Dear {{ recipient.full_name }}")
    response = client.post(f"/organize/campaigns/{campaign.id}/edit", data=data)
    page = unescape(response.text)
    assert "Dear Dr. Skorton:" in page
    assert "Dear David Skorton" in page


def test_targets_add_edit_remove(client, org):
    campaign = make_campaign(org)
    url = f"/organize/campaigns/{campaign.id}/targets/new"
    bad = {
        "name": "David Skorton",
        "title": "Dr.",
        "organization": "AAMC",
        "salutation": "Dear Dr. Skorton",
        "address": "",
        "email": "not-an-email",
        "web_form": "javascript:alert(1)",
        "stance": "unknown",
    }
    response = client.post(url, data=bad)
    assert response.status_code == 400
    page = unescape(response.text)
    assert "Enter the postal address" in page
    assert "Enter an email address" in page
    assert "starting with https://" in page
    response = client.post(
        url,
        data={**bad, "address": "655 K Street NW\nWashington, DC 20001", "email": "",
              "web_form": "https://www.aamc.org/contact"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "End the salutation with a colon" in unescape(response.text)
    good = {**bad, "address": "655 K Street NW\nWashington, DC 20001", "email": "Policy@AAMC.org",
            "web_form": "", "salutation": "", "stance": "supports"}  # fmt: skip
    assert client.post(url, data=good).status_code == 302
    target = db.session.scalar(select(CampaignTarget))
    assert target.salutation == "Dear Dr. Skorton:"  # the suggestion
    assert target.email == "policy@aamc.org"
    assert target.stance is Position.SUPPORTS
    edit = f"/organize/campaigns/{campaign.id}/targets/{target.id}"
    assert client.post(edit, data={**good, "salutation": "Dear David,"}).status_code == 302
    db.session.refresh(target)
    assert target.salutation == "Dear David,"
    remove = f"{edit}/remove"
    assert "Yes, remove" in client.post(remove).text
    assert db.session.get(CampaignTarget, target.id) is not None
    assert client.post(remove, data=CONFIRM).status_code == 302
    db.session.expire_all()
    assert db.session.get(CampaignTarget, target.id) is None


def test_publish_needs_a_recipient_and_asks_first(client, org):
    campaign = make_campaign(org, chambers=[])
    url = f"/organize/campaigns/{campaign.id}/publish"
    client.post(url, data=CONFIRM)
    db.session.expire_all()
    assert db.session.get(LetterCampaign, campaign.id).status is CampaignStatus.DRAFT
    campaign.chambers = ["us_senate"]
    db.session.commit()
    asked = client.post(url)
    assert "Yes, publish" in asked.text
    db.session.expire_all()
    assert db.session.get(LetterCampaign, campaign.id).status is CampaignStatus.DRAFT
    client.post(url, data=CONFIRM)
    db.session.expire_all()
    assert db.session.get(LetterCampaign, campaign.id).status is CampaignStatus.OPEN
    close = f"/organize/campaigns/{campaign.id}/close"
    assert "Yes, close it" in client.post(close).text
    client.post(close, data=CONFIRM)
    db.session.expire_all()
    assert db.session.get(LetterCampaign, campaign.id).status is CampaignStatus.CLOSED


def test_published_slug_is_fixed(client, org):
    campaign = make_campaign(org, status=CampaignStatus.OPEN)
    response = client.post(
        f"/organize/campaigns/{campaign.id}/edit", data=campaign_form(slug="another")
    )
    assert response.status_code == 400
    assert "cannot change once a campaign is published" in unescape(response.text)


def test_dashboard_links_to_campaigns(client, org):
    assert "/organize/campaigns" in client.get("/organize/").text


# --- the organizer's view ----------------------------------------------------------------


def _writer(campaign, n, **kw) -> Writer:
    from advocacy.core.db import utcnow

    writer = Writer(campaign_id=campaign.id, first_name="W", last_name=str(n),
                    email=f"w{n}@example.com", zip="13202", state="NY",
                    confirmed_at=utcnow(), **kw)  # fmt: skip
    db.session.add(writer)
    db.session.flush()
    return writer


def _letter(campaign, writer, key, chamber, status, channel, share=0.0, outbox=None, **kw):
    letter = Letter(
        campaign_id=campaign.id, writer_id=writer.id, recipient_key=key,
        recipient_kind="legislator" if chamber else "organization",
        recipient_external_id=key.split(":")[1] if chamber else None,
        recipient_name=kw.pop("name", key), recipient_title=kw.pop("title", "Senator"),
        recipient_salutation="Dear X:", recipient_chamber=chamber, recipient_state="NY",
        channel=channel, status=status, subject="S", body="B", personal_share=share,
        outbox_message_id=outbox.id if outbox else None, **kw,
    )  # fmt: skip
    db.session.add(letter)
    return letter


def _outbox(status: MessageStatus) -> OutboxMessage:
    message = OutboxMessage(kind="letter", recipient="office@example.gov", subject="S",
                            text_body="B", status=status)  # fmt: skip
    db.session.add(message)
    db.session.flush()
    return message


def test_report_counts(client, org, directory):
    campaign = make_campaign(org, chambers=["us_senate", "us_house"], status=CampaignStatus.OPEN,
                             letter_count=5, goal=10)  # fmt: skip
    target = CampaignTarget(campaign_id=campaign.id, name="David Skorton", salutation="Dear D:",
                            address="655 K St", organization="AAMC")  # fmt: skip
    db.session.add(target)
    w1, w2, w3 = (_writer(campaign, n) for n in (1, 2, 3))
    db.session.add(WriterDistrict(writer_id=w1.id, chamber="us_house", state="NY",
                                  district="22", status="matched"))  # fmt: skip
    # Email letters follow their outbox message (the letter row still says "queued").
    first = _letter(
        campaign,
        w1,
        "legislator:S000148",
        "us_senate",
        LetterStatus.QUEUED,
        Channel.EMAIL,
        share=0.5,
        outbox=_outbox(MessageStatus.SENT),
        name="Charles E. Schumer",
    )
    _letter(
        campaign,
        w2,
        "legislator:S000148",
        "us_senate",
        LetterStatus.QUEUED,
        Channel.EMAIL,
        outbox=_outbox(MessageStatus.BOUNCED),
        name="Charles E. Schumer",
    )
    _letter(
        campaign,
        w3,
        "legislator:S000148",
        "us_senate",
        LetterStatus.QUEUED,
        Channel.EMAIL,
        outbox=_outbox(MessageStatus.SUPPRESSED),
        name="Charles E. Schumer",
    )
    copy = _letter(
        campaign,
        w1,
        "legislator:G000555",
        "us_senate",
        LetterStatus.HANDED_OVER,
        Channel.WEB_FORM,
        share=0.25,
        name="Kirsten E. Gillibrand",
    )
    _letter(campaign, w2, "legislator:G000555", "us_senate", LetterStatus.DRAFTED,
            Channel.WEB_FORM, name="Kirsten E. Gillibrand")  # fmt: skip
    db.session.add(CampaignPosition(campaign_id=campaign.id, external_id="S000148",
                                    position=Position.SUPPORTS, source="csv"))  # fmt: skip
    db.session.flush()
    copy.similar_to_id = first.id  # its paragraph copies another writer's: flagged
    db.session.commit()

    report = reports.report(campaign)
    assert report.total.total == 4 and report.total.drafted == 1
    assert report.total.statuses == {"sent": 1, "bounced": 1, "failed": 1, "handed_over": 1}
    assert report.total.channels == {"email": 3, "web_form": 1}
    schumer = next(r for r in report.offices if r.key == "legislator:S000148")
    assert schumer.total == 3 and schumer.statuses["sent"] == 1
    assert [r.key for r in report.chambers] == ["us_senate"]
    assert report.own_words_percent == 50
    assert report.copied == 1
    assert report.average_share == pytest.approx(0.1875)
    missing = [o.label for o in report.missing]
    assert any("Mannion" in label for label in missing)  # NY-22 has a writer, no letter
    assert not any("Schumer" in label for label in missing)
    assert not any("Gillibrand" in label for label in missing)  # a handed-over letter counts
    assert "David Skorton" in missing
    assert report.positions[Position.SUPPORTS] == 1
    assert report.positions[Position.UNKNOWN] == 100 + 437 - 1  # no one is guessed
    page = unescape(client.get(f"/organize/campaigns/{campaign.id}").text)
    assert "Charles E. Schumer" in page and "50% of letters" in page
    assert "1 letter repeats another supporter’s paragraph" in page
    assert "5 of 10 letters" in " ".join(page.split())
