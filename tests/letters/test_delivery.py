"""Delivery on confirm: email through the outbox, web forms handed over, counted once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.letters import delivery
from advocacy.letters.models import Channel, Letter, LetterCampaign, LetterStatus, Writer
from advocacy.mail.models import MessageStatus, OutboxMessage

from .conftest import letters_of, path_of, sign_and_confirm, target, writing_page

NOTE = "I am a resident in Syracuse and our program turns applicants away every year."


@pytest.fixture
def drafted(client, mailbox, petition_campaign):
    """Maria signed with ZIP 13202, chose AD 129, wrote her paragraph: five drafted letters."""
    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    assert client.post(page, data={"personal_note": NOTE}).status_code == 302
    return page


def send(client, page):
    return client.post(f"{page}/send")


def campaign_count(campaign_id: int) -> int:
    db.session.expire_all()
    return db.session.get_one(LetterCampaign, campaign_id).letter_count


def test_review_shows_every_letter_and_nothing_leaves_before_send(client, mailbox, drafted):
    html = client.get(f"{drafted}/review").get_data(as_text=True)
    assert html.count('class="panel letter-card"') == 5
    assert "Dear Senator Schumer:" in html and "Dear Assembly Member Magnarelli:" in html
    assert NOTE in html
    assert mailbox.messages(kind="letter") == []
    assert {x.status for x in letters_of("maria@example.com")} == {LetterStatus.DRAFTED}


def test_send_emails_state_offices_and_hands_web_forms_over(client, mailbox, drafted, app):
    campaign_id = letters_of("maria@example.com")[0].campaign_id
    response = send(client, drafted)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sent")

    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    for name in ("Rachel May", "Bill Magnarelli"):
        letter = letters[name]
        assert letter.channel is Channel.EMAIL and letter.status is LetterStatus.QUEUED
        message = db.session.get_one(OutboxMessage, letter.outbox_message_id)
        assert message.recipient == letter.recipient_email
        org = letter.campaign.organization.name
        assert message.from_name == f"Maria Okonkwo via {org}"
        assert message.reply_to == message.cc == "maria@example.com"
        assert message.subject == letter.subject
        assert message.text_body.startswith(letter.recipient_salutation)
        assert NOTE in message.text_body and "120 Walton St" in message.text_body
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion"):
        assert letters[name].status is LetterStatus.HANDED_OVER
        assert letters[name].outbox_message_id is None
        assert letters[name].handed_over_at is not None
    assert campaign_count(campaign_id) == 5
    to_offices = mailbox.messages(kind="letter")
    assert sorted(m.recipient for m in to_offices) == ["magnarw@nyassembly.gov", "may@nysenate.gov"]

    page = client.get(f"{drafted}/sent").get_data(as_text=True)
    assert "https://www.schumer.senate.gov/contact/email-chuck" in page
    assert "https://mannion.house.gov" in page  # its website: the directory lists no form
    assert "Copy the letter" in page and "I sent it" in page
    assert "phone number" in page and "topic or subject" in page
    assert "delivered" not in page.lower().replace("never say an office got", "")


def test_a_staging_redirect_sends_office_letters_to_the_test_address(client, mailbox, drafted, app):
    app.config["LETTER_EMAIL_REDIRECT"] = "staging@advocacy.example"
    send(client, drafted)
    to_offices = mailbox.messages(kind="letter")
    assert [m.recipient for m in to_offices] == ["staging@advocacy.example"] * 2
    subjects = sorted(m.subject for m in to_offices)
    assert subjects[0].startswith("[Test, for magnarw@nyassembly.gov] ")
    assert subjects[1].startswith("[Test, for may@nysenate.gov] ")
    # The letters still say which office they were written to.
    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    assert letters["Rachel May"].recipient_email == "may@nysenate.gov"


def test_a_second_send_sends_nothing_twice(client, mailbox, drafted):
    campaign_id = letters_of("maria@example.com")[0].campaign_id
    send(client, drafted)
    send(client, drafted)
    # Drafting again after sending changes no confirmed letter and adds none.
    client.post(drafted, data={"personal_note": "Something else entirely now."})
    send(client, drafted)
    assert len(mailbox.messages(kind="letter")) == 2
    assert len(mailbox.messages(kind="letter_receipt")) == 1
    assert campaign_count(campaign_id) == 5
    assert len(letters_of("maria@example.com")) == 5
    assert all(NOTE in x.body for x in letters_of("maria@example.com"))


def test_the_database_refuses_a_second_letter_to_the_same_office(client, drafted):
    from sqlalchemy.exc import IntegrityError

    first = letters_of("maria@example.com")[0]
    copy = Letter(
        campaign_id=first.campaign_id, writer_id=first.writer_id,
        recipient_key=first.recipient_key, recipient_kind=first.recipient_kind,
        recipient_name=first.recipient_name, recipient_salutation=first.recipient_salutation,
        channel=first.channel, subject=first.subject, body=first.body,
    )  # fmt: skip
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_receipt_lists_each_letter_its_channel_and_links(client, mailbox, drafted):
    send(client, drafted)
    (receipt,) = mailbox.messages(to="maria@example.com", kind="letter_receipt")
    text = receipt.text_body
    for name in ("Senator Charles E. Schumer", "Representative John W. Mannion",
                 "Assembly Member Bill Magnarelli", "Senator Rachel May"):  # fmt: skip
        assert f"To {name}" in text
    assert "We are emailing it to the office" in text
    assert "Paste it into the office's contact form" in text
    assert "The office's form: https://www.schumer.senate.gov/contact/email-chuck" in text
    assert text.count(".pdf") == 5
    pdf_links = [link for link in mailbox.links(receipt) if link.endswith(".pdf")]
    letter_ids = {str(x.id) for x in letters_of("maria@example.com")}
    assert {link.rsplit("/", 1)[1].removesuffix(".pdf") for link in pdf_links} == letter_ids
    sent_link = [link for link in mailbox.links(receipt) if link.endswith("/sent")][0]
    assert "Rachel May" in client.get(path_of(sent_link)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("outbox", "shown", "label"),
    [
        (MessageStatus.QUEUED, LetterStatus.QUEUED, "Queued to send"),
        (MessageStatus.SENDING, LetterStatus.QUEUED, "Queued to send"),
        (MessageStatus.SENT, LetterStatus.SENT, "Sent by email"),
        (MessageStatus.FAILED, LetterStatus.FAILED, "Could not be sent"),
        (MessageStatus.BOUNCED, LetterStatus.BOUNCED, "Bounced back"),
        (MessageStatus.SUPPRESSED, LetterStatus.FAILED, "Could not be sent"),
    ],
)
def test_an_email_letter_shows_its_outbox_status(client, drafted, outbox, shown, label):
    send(client, drafted)
    letter = next(x for x in letters_of("maria@example.com") if x.recipient_name == "Rachel May")
    message = db.session.get_one(OutboxMessage, letter.outbox_message_id)
    message.status = outbox
    db.session.commit()
    writer = db.session.get_one(Writer, letter.writer_id)
    views = delivery.letter_views(writer)
    assert next(v for v in views if v.letter.id == letter.id).status is shown
    # The organizer's counts (one SQL expression) agree with what the writer is shown.
    counts = delivery.status_counts(letter.campaign)
    assert counts == {s.value: sum(v.status is s for v in views) for s in LetterStatus}
    assert counts["handed_over"] == 3
    page = client.get(f"{drafted}/sent").get_data(as_text=True)
    card = page.split(f'id="letter-{letter.id}"')[1].split("</article>")[0]
    assert label in card


def test_i_sent_it_records_reported_sent_for_a_handed_over_letter(client, drafted):
    send(client, drafted)
    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    schumer, may = letters["Charles E. Schumer"], letters["Rachel May"]
    client.post(f"{drafted}/{schumer.id}/reported")
    client.post(f"{drafted}/{may.id}/reported")  # an email letter: not the writer's to report
    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    assert letters["Charles E. Schumer"].status is LetterStatus.REPORTED_SENT
    assert letters["Charles E. Schumer"].reported_sent_at is not None
    assert letters["Rachel May"].status is LetterStatus.QUEUED
    page = client.get(f"{drafted}/sent").get_data(as_text=True)
    assert "You sent it" in page


def test_another_writers_letter_cannot_be_reported_or_printed(client, mailbox, drafted, make):
    send(client, drafted)
    petition = letters_of("maria@example.com")[0].campaign.petition
    other_page = writing_page(
        client, sign_and_confirm(client, mailbox, petition, email="noor@example.com")
    )
    schumer = letters_of("maria@example.com")[0]
    client.post(f"{other_page}/{schumer.id}/reported")
    assert letters_of("maria@example.com")[0].status is LetterStatus.HANDED_OVER
    assert client.get(f"{other_page}/{schumer.id}.pdf").status_code == 404


def test_an_organisation_target_gets_its_letter_by_email(client, mailbox, petition_campaign):
    target(petition_campaign, email="advocacy@aamc.example")
    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    client.post(f"{page}/districts", data={"state_lower": "NY-128"})
    client.post(page, data={"personal_note": ""})
    send(client, page)
    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    aamc = letters["David J. Skorton"]
    assert aamc.recipient_salutation == "Dear Dr. Skorton:"
    assert aamc.channel is Channel.EMAIL and aamc.personal_share == 0
    assert "AAMC" in aamc.recipient_address
    assert [m.recipient for m in mailbox.messages(kind="letter")].count(
        "advocacy@aamc.example"
    ) == 1


def test_the_pdf_of_each_letter_opens(client, drafted):
    send(client, drafted)
    letter = letters_of("maria@example.com")[0]
    response = client.get(f"{drafted}/{letter.id}.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/letters/not-a-token/{letter.id}.pdf").status_code == 400


def test_the_campaign_count_moves_once_per_letter_with_an_atomic_update(client, drafted):
    campaign_id = letters_of("maria@example.com")[0].campaign_id
    db.session.get_one(LetterCampaign, campaign_id).letter_count = 7  # other writers' letters
    db.session.commit()
    send(client, drafted)
    assert campaign_count(campaign_id) == 12
    assert (
        db.session.scalar(
            select(Letter.confirmed_at).where(Letter.campaign_id == campaign_id).limit(1)
        )
        <= utcnow()
    )
