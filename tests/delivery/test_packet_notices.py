"""The email that tells the organizer who asked for a packet build that it ended."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.delivery import jobs, notices
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from advocacy.mail.models import MessageStatus
from tests.delivery.conftest import signed


@pytest.fixture
def olive(make):
    return make.organizer(make.organization(), email="olive@example.org", name="Olive Oak")


@pytest.fixture
def petition(make, directory, olive):
    p = make.petition(olive.memberships[0].organization, title="Let doctors help")
    signed(make, p, "13202")
    return p


def _job() -> PacketJob:
    db.session.expire_all()
    return db.session.scalars(select(PacketJob).order_by(PacketJob.id.desc())).one()


def test_a_finished_build_mails_its_requester_a_link_to_the_packets_page(
    client, auth, petition, mailbox
):
    auth.login("olive@example.org")
    client.post(f"/organize/petitions/{petition.id}/packets")
    job = _job()
    assert job.status == JobStatus.DONE
    [message] = mailbox.messages(kind=notices.KIND_READY)
    assert message.recipient == "olive@example.org" and message.transactional
    assert message.subject == "Your delivery packets are ready: Let doctors help"
    assert message.status == MessageStatus.SENT
    link = f"http://advocacy.test/organize/petitions/{petition.id}/packets"
    assert mailbox.links(message) == [link] and f'href="{link}"' in message.html_body
    megabytes = round(job.size / 1048576, 1)
    assert f"{job.total} offices in one ZIP archive of {megabytes} MB" in message.text_body
    assert "Hi Olive Oak" in message.text_body and "kept for 14 days" in message.text_body
    assert not mailbox.messages(kind=notices.KIND_FAILED)


def test_a_build_outside_any_request_builds_the_link_from_server_name(
    app, petition, olive, mailbox
):
    # As an RQ worker runs it: an app context (binding its URLs to the config), no request.
    app.config.update(SERVER_NAME="petitions.example.org", PREFERRED_URL_SCHEME="https")
    with app.app_context():
        jobs.request_packets(petition, olive.id)
    [message] = mailbox.messages(kind=notices.KIND_READY)
    assert mailbox.links(message) == [
        f"https://petitions.example.org/organize/petitions/{petition.id}/packets"
    ]


def test_without_server_name_the_notice_goes_without_its_link(app, petition, olive, mailbox):
    app.config["SERVER_NAME"] = None  # a development server's build thread
    with app.app_context():
        assert jobs.request_packets(petition, olive.id).status == JobStatus.DONE
    [message] = mailbox.messages(kind=notices.KIND_READY)
    assert mailbox.links(message) == []
    assert '"Delivery packets" page' in message.text_body


def test_a_failed_build_says_so_and_links_to_build_again(
    client, auth, petition, mailbox, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs.packets, "write_pdf", broken)
    auth.login("olive@example.org")
    client.post(f"/organize/petitions/{petition.id}/packets")
    assert _job().status == JobStatus.FAILED
    assert not mailbox.messages(kind=notices.KIND_READY)
    [message] = mailbox.messages(kind=notices.KIND_FAILED)
    assert message.recipient == "olive@example.org"
    assert message.subject == "Your delivery packets could not be built: Let doctors help"
    assert "failed, so there is no archive" in message.text_body
    assert mailbox.links(message) == [
        f"http://advocacy.test/organize/petitions/{petition.id}/packets"
    ]
    assert "Build the packets again" in message.html_body
    assert "disk on fire" not in message.text_body  # the page shows the reason, signed in


def test_a_build_nobody_asked_for_mails_nobody(petition, mailbox):
    job = jobs.request_packets(petition, None)
    assert job.status == JobStatus.DONE
    assert mailbox.messages() == []


def test_a_requester_who_left_the_organisation_is_not_mailed(petition, olive, mailbox):
    olive.memberships.clear()
    db.session.commit()
    assert jobs.request_packets(petition, olive.id).status == JobStatus.DONE
    assert mailbox.messages() == []


def test_a_notice_that_cannot_be_sent_leaves_the_build_done(
    client, auth, petition, mailbox, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox unreachable")

    monkeypatch.setattr(notices, "enqueue", broken)
    auth.login("olive@example.org")
    client.post(f"/organize/petitions/{petition.id}/packets")
    job = _job()
    assert job.status == JobStatus.DONE and job.error is None and job.file_name
    assert mailbox.messages() == []
    page = client.get(f"/organize/petitions/{petition.id}/packets").get_data(as_text=True)
    assert "Download the packets" in page


def test_a_mail_server_failure_fails_the_message_not_the_build(
    app, petition, olive, mailbox, monkeypatch
):
    from advocacy.mail import transport

    def refused(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(transport, "send", refused)
    job = jobs.request_packets(petition, olive.id)
    assert job.status == JobStatus.DONE
    [message] = mailbox.messages(kind=notices.KIND_READY)
    assert message.status in (MessageStatus.QUEUED, MessageStatus.FAILED)
    assert message.last_error and "connection refused" in message.last_error
