"""Updates to signers: write, preview, test, send, report; who gets them and who never does."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from advocacy import mail
from advocacy.extensions import db
from advocacy.mail import broadcasts, dispatch, outbox, sender, suppression
from advocacy.mail.models import MessageStatus, OutboxMessage
from advocacy.petitions import updates
from advocacy.petitions.models import PetitionStatus, PetitionUpdate, UpdateStatus


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"), email="olive@doctorsnow.org")
    auth.login(user.email)
    return user


@pytest.fixture
def petition(make, organizer):
    org = organizer.memberships[0].organization
    return make.petition(org=org, title="Let IMGs practise in emergencies")


def signer(make, petition, email, **kw):
    return make.signature(petition, email=email, **{"opt_in": True, **kw})


def write(client, petition, subject="We delivered 7,000 signatures", body="Thank you **all**."):
    response = client.post(
        f"/organize/petitions/{petition.id}/updates/new", data={"subject": subject, "body": body}
    )
    assert response.status_code == 302, response.text
    return db.session.scalars(select(PetitionUpdate).order_by(PetitionUpdate.id.desc())).first()


CONFIRM = {"confirm": "1"}  # the "Yes, send" button of the confirmation page


def update_url(petition, item, action=""):
    return f"/organize/petitions/{petition.id}/updates/{item.id}{action}"


def messages(kind="update", to=None) -> list[OutboxMessage]:
    return mail_messages(kind, to)


def mail_messages(kind, to=None):
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return list(db.session.scalars(query))


# --- access ------------------------------------------------------------------------------


def test_update_pages_need_login_and_the_petitions_organisation(client, make, auth):
    petition = make.petition()
    assert client.get(f"/organize/petitions/{petition.id}/updates").status_code == 302
    outsider = make.organizer(make.organization("Someone Else"))
    auth.login(outsider.email)
    assert client.get(f"/organize/petitions/{petition.id}/updates").status_code == 404
    assert client.get(f"/organize/petitions/{petition.id}/updates/new").status_code == 404
    item = updates.create_update(petition, None, updates.UpdateInput("Hello", "News"))
    assert client.get(update_url(petition, item)).status_code == 404
    assert client.post(update_url(petition, item, "/send"), data=CONFIRM).status_code == 404
    assert mail_messages("update") == []


def test_an_update_id_from_another_petition_is_404(client, make, organizer, petition):
    other = make.petition(org=petition.organization)
    item = updates.create_update(other, None, updates.UpdateInput("Hello", "News"))
    assert client.get(update_url(petition, item)).status_code == 404


# --- writing and previewing --------------------------------------------------------------


def test_the_list_shows_how_many_signers_will_get_an_update(client, make, organizer, petition):
    signer(make, petition, "a@example.com")
    signer(make, petition, "b@example.com")
    signer(make, petition, "no@example.com", opt_in=False)
    signer(make, petition, "unconfirmed@example.com", confirmed=False)
    page = client.get(f"/organize/petitions/{petition.id}/updates").text
    assert "<strong>2</strong> confirmed signers who asked for updates" in page
    assert "No updates yet" in page
    assert "unsubscribed or bounced" not in page
    suppression.unsubscribe("a@example.com", petition.organization_id, None)
    page = client.get(f"/organize/petitions/{petition.id}/updates").text
    assert "<strong>1</strong> confirmed signer who asked for updates" in page
    assert "(1 more asked, then unsubscribed or bounced)" in page
    item = updates.create_update(petition, None, updates.UpdateInput("Hello", "News"))
    assert "Send to 1 signer</button>" in client.get(update_url(petition, item)).text


def test_bad_input_is_refused_with_messages_and_keeps_what_was_typed(client, organizer, petition):
    response = client.post(
        f"/organize/petitions/{petition.id}/updates/new",
        data={"subject": "", "body": "Kept body text"},
    )
    assert response.status_code == 400
    assert "Write a subject line." in response.text
    assert "Kept body text" in response.text
    response = client.post(
        f"/organize/petitions/{petition.id}/updates/new",
        data={"subject": "x" * 151, "body": ""},
    )
    assert "Keep the subject under 150 characters." in response.text
    assert "Write the update." in response.text
    assert db.session.scalar(select(func.count(PetitionUpdate.id))) == 0


def test_a_subject_cannot_carry_a_line_break_into_the_mail_header(app, petition):
    item = updates.create_update(
        petition, None, updates.UpdateInput("Hello\r\nBcc: everyone@example.com", "News")
    )
    assert item.subject == "Hello Bcc: everyone@example.com"


def test_the_preview_is_the_sanitised_email(client, make, organizer, petition):
    body = (
        "## Next steps\n\nCall [your senator](https://www.senate.gov).\n\n"
        '<script>alert("x")</script>\n\n[click](javascript:alert(1))'
    )
    item = write(client, petition, body=body)
    page = client.get(update_url(petition, item)).text
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert "<h2>Next steps</h2>" in srcdoc
    assert 'href="https://www.senate.gov"' in srcdoc and "your senator</a>" in srcdoc
    assert "<script>" not in srcdoc and "&lt;script&gt;" in srcdoc  # shown, not run
    assert 'href="javascript' not in srcdoc
    assert "Unsubscribe" in srcdoc and "Let IMGs practise in emergencies" in srcdoc
    assert 'sandbox="allow-popups' in page  # no scripts in the frame either


def test_a_draft_can_be_edited_and_the_edit_is_validated(client, organizer, petition):
    item = write(client, petition)
    response = client.post(update_url(petition, item), data={"subject": "New subject", "body": ""})
    assert response.status_code == 400 and "Write the update." in response.text
    client.post(update_url(petition, item), data={"subject": "New subject", "body": "New body"})
    db.session.refresh(item)
    assert (item.subject, item.body) == ("New subject", "New body")


# --- the test send -----------------------------------------------------------------------


def test_a_test_goes_to_the_author_only(client, make, organizer, petition):
    signer(make, petition, "a@example.com")
    item = write(client, petition)
    response = client.post(update_url(petition, item, "/test"), follow_redirects=True)
    assert "A test is on its way to olive@doctorsnow.org." in response.text
    [test] = mail_messages("update_test")
    assert test.recipient == "olive@doctorsnow.org"
    assert test.subject == "[Test] We delivered 7,000 signatures"
    assert "Thank you **all**." in test.text_body
    # its "unsubscribe" links lead back to the draft: a test must not unsubscribe its author
    draft = f"http://advocacy.test/organize/petitions/{petition.id}/updates/{item.id}"
    assert f"Unsubscribe: {draft}" in test.text_body and "/unsubscribe/" not in test.text_body
    assert test.transactional and test.unsubscribe_url is None
    assert mail_messages("update") == []
    db.session.refresh(item)
    assert item.status is UpdateStatus.DRAFT and item.test_sent_at is not None
    # an author who unsubscribed from their organisation still gets their tests
    suppression.unsubscribe("olive@doctorsnow.org", petition.organization_id, None)
    client.post(update_url(petition, item, "/test"))
    assert [m.status for m in mail_messages("update_test")] == [MessageStatus.SENT] * 2


def test_a_test_to_a_suppressed_address_says_it_cannot_arrive(client, organizer, petition):
    item = write(client, petition)
    mail.suppress("olive@doctorsnow.org", "bounce")
    response = client.post(update_url(petition, item, "/test"), follow_redirects=True)
    assert "is on the suppression list" in response.text
    assert mail_messages("update_test") == []


# --- sending -----------------------------------------------------------------------------


def test_sending_reaches_exactly_the_confirmed_signers_who_opted_in(
    client, make, organizer, petition
):
    org = petition.organization
    signer(make, petition, "yes@example.com")
    signer(make, petition, "also@example.com")
    signer(make, petition, "no@example.com", opt_in=False)
    signer(make, petition, "unconfirmed@example.com", confirmed=False)
    signer(make, petition, "left-petition@example.com")
    signer(make, petition, "left-org@example.com")
    signer(make, petition, "bounced@example.com")
    other_petition = make.petition(org=org)
    signer(make, other_petition, "elsewhere@example.com")
    suppression.unsubscribe("left-petition@example.com", org.id, petition.id)
    suppression.unsubscribe("left-org@example.com", org.id, None)
    mail.suppress("bounced@example.com", "bounce")

    item = write(client, petition)
    response = client.post(update_url(petition, item, "/send"), data=CONFIRM, follow_redirects=True)
    assert "Sending to 2 signers." in response.text
    assert sorted(m.recipient for m in messages()) == ["also@example.com", "yes@example.com"]
    assert {m.status for m in messages()} == {MessageStatus.SENT}
    db.session.refresh(item)
    assert item.status is UpdateStatus.SENT and item.sent_at and item.broadcast_id
    assert "Delivery" in response.text and "Sent" in response.text


def test_an_update_is_sent_once_however_often_send_is_pressed(client, make, organizer, petition):
    signer(make, petition, "a@example.com")
    item = write(client, petition)
    client.post(update_url(petition, item, "/send"), data=CONFIRM)
    again = client.post(update_url(petition, item, "/send"), data=CONFIRM, follow_redirects=True)
    assert "This update has been sent already." in again.text
    assert len(messages()) == 1
    # and a sent update can no longer be changed or tested
    client.post(update_url(petition, item), data={"subject": "Changed", "body": "Changed"})
    db.session.refresh(item)
    assert item.subject == "We delivered 7,000 signatures"
    with pytest.raises(updates.DomainError):
        updates.send_test(item, organizer)


def test_a_draft_petition_has_no_one_to_send_to(client, make, organizer):
    draft = make.petition(
        org=organizer.memberships[0].organization, status=PetitionStatus.DRAFT, published_at=None
    )
    item = write(client, draft)
    response = client.post(update_url(draft, item, "/send"), data=CONFIRM, follow_redirects=True)
    assert "Publish the petition first" in response.text
    db.session.refresh(item)
    assert item.is_draft


def test_the_report_counts_sent_failed_bounced_and_not_sent(client, make, organizer, petition):
    for name in ("a", "b", "c", "d"):
        signer(make, petition, f"{name}@example.com")
    item = write(client, petition)
    # "d" unsubscribes after the update was queued but before its copy left
    original = dispatch.dispatch_broadcast
    dispatch.dispatch_broadcast = lambda app, bid, **kw: None
    try:
        client.post(update_url(petition, item, "/send"), data=CONFIRM)
    finally:
        dispatch.dispatch_broadcast = original
    suppression.unsubscribe("d@example.com", petition.organization_id, None)
    db.session.refresh(item)
    sender.send_broadcast(item.broadcast_id)
    copies = {m.recipient: m for m in messages()}
    outbox.mark_bounced(copies["b@example.com"].message_id)
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == copies["c@example.com"].id)
        .values(status="failed", last_error="550 no such user")
    )
    db.session.commit()

    assert updates.report(item) == {
        "queued": 0, "sent": 1, "failed": 1, "bounced": 1, "not_sent": 1, "total": 4,
    }  # fmt: skip
    page = client.get(update_url(petition, item)).text
    counts = dict(re.findall(r"</span>([^<]+)</dt><dd>([\d,]+)</dd>", page))
    assert counts == {
        "Sent": "1",
        "Queued": "0",
        "Failed": "1",
        "Bounced": "1",
        "Not sent (unsubscribed or blocked)": "1",
    }
    listing = client.get(f"/organize/petitions/{petition.id}/updates").text
    assert "1 of 4 sent" in listing


def test_an_update_to_a_thousand_signers_and_one_click_unsubscribe(
    app, client, make, organizer, petition
):
    """The issue's walk in the test client: 1,000 opted-in signers each get the update with a
    working one-click unsubscribe; who used it gets nothing more from the organisation."""
    rows = [
        {
            "petition_id": petition.id,
            "first_name": "Reader",
            "last_name": str(i),
            "email": f"reader{i}@example.com",
            "zip": "13202",
            "opt_in": True,
            "confirmed_at": petition.created_at,
        }
        for i in range(1000)
    ]
    from advocacy.petitions.models import Signature

    db.session.execute(Signature.__table__.insert(), rows)
    db.session.commit()
    first = write(client, petition, subject="First update")
    client.post(update_url(petition, first, "/send"), data=CONFIRM)
    sent = messages()
    assert len(sent) == 1000 and {m.status for m in sent} == {MessageStatus.SENT}
    assert len({m.recipient for m in sent}) == 1000

    as_sent = broadcasts.recent_messages(limit=1000)  # with each copy's own links filled in
    chosen = {"reader7@example.com", "reader700@example.com"}
    leaving = [m for m in as_sent if m.recipient in chosen]
    assert len(leaving) == 2
    anonymous = app.test_client()  # no login, no CSRF token: a mail client's one-click POST
    for message in leaving:
        link = message.unsubscribe_url.replace("http://advocacy.test", "")
        assert anonymous.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    other = make.petition(org=petition.organization)
    db.session.execute(
        Signature.__table__.insert(),
        [{**r, "petition_id": other.id} for r in rows[:10]],
    )
    db.session.commit()
    second = write(client, petition, subject="Second update")
    client.post(update_url(petition, second, "/send"), data=CONFIRM)
    db.session.refresh(second)
    got = {m.recipient for m in messages() if m.broadcast_id == second.broadcast_id}
    assert len(got) == 998
    assert "reader7@example.com" not in got and "reader700@example.com" not in got
    # one click leaves the organisation: its other petitions' updates do not reach them either
    third = write(client, other, subject="Other petition")
    client.post(update_url(other, third, "/send"), data=CONFIRM)
    db.session.refresh(third)
    got = {m.recipient for m in messages() if m.broadcast_id == third.broadcast_id}
    assert len(got) == 9 and "reader7@example.com" not in got


def test_the_dashboard_and_the_editor_link_to_a_public_petitions_updates(
    client, make, organizer, petition
):
    draft = make.petition(org=petition.organization, status=PetitionStatus.DRAFT)
    link = f'href="/organize/petitions/{petition.id}/updates"'
    assert link in client.get("/organize/").text
    assert link in client.get(f"/organize/petitions/{petition.id}/edit").text
    assert f'href="/organize/petitions/{draft.id}/updates"' not in client.get("/organize/").text


def test_a_draft_can_be_deleted_and_a_sent_update_cannot(client, make, organizer, petition):
    signer(make, petition, "a@example.com")
    draft = write(client, petition, subject="Not this one")
    draft_id, url = draft.id, update_url(petition, draft, "/delete")
    response = client.post(url, follow_redirects=True)
    assert "Draft “Not this one” deleted." in response.text
    db.session.expunge_all()
    assert db.session.get(PetitionUpdate, draft_id) is None
    sent = write(client, petition)
    client.post(update_url(petition, sent, "/send"), data=CONFIRM)
    response = client.post(update_url(petition, sent, "/delete"), follow_redirects=True)
    assert "it stays on record" in response.text
    db.session.expire_all()
    assert db.session.get(PetitionUpdate, sent.id).status is UpdateStatus.SENT


def test_an_edit_racing_a_send_cannot_rewrite_what_was_sent(app, make, petition):
    from sqlalchemy.orm import Session

    signer(make, petition, "a@example.com")
    item = updates.create_update(petition, None, updates.UpdateInput("Subject", "Body one"))
    assert item.body == "Body one"  # loaded in this request's session
    with Session(db.engine) as other:  # another organizer saves an edit meanwhile
        other.execute(
            PetitionUpdate.__table__.update()
            .where(PetitionUpdate.id == item.id)
            .values(body="Body edited")
        )
        other.commit()
    updates.send_update(item)  # this organizer's Send, with the older copy in hand
    [copy] = broadcasts.recent_messages()
    assert "Body edited" in copy.text_body  # what the row said when Send won
    # and an edit arriving after the send changes nothing
    with pytest.raises(updates.DomainError, match="sent"):
        updates.edit_update(item, updates.UpdateInput("Changed", "Changed"))
    db.session.expire_all()
    assert db.session.get_one(PetitionUpdate, item.id).subject == "Subject"


def test_the_report_shows_the_email_as_it_was_sent(client, make, organizer, petition):
    signer(make, petition, "a@example.com")
    item = write(client, petition, body="Sent words")
    client.post(update_url(petition, item, "/send"), data=CONFIRM)
    petition.title = "A new title after sending"
    db.session.commit()
    page = client.get(update_url(petition, item)).text
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert "Sent words" in srcdoc and "Let IMGs practise in emergencies" in srcdoc
    assert "A new title after sending" not in srcdoc
    assert 'href="#unsubscribe"' in srcdoc and "unsubscribe.advocacy.invalid" not in srcdoc
