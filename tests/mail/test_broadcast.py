"""Broadcasts: one message to many, queued in one statement, sent at a set pace by one sender.

Against the real SMTP server of ``test_delivery`` (aiosmtpd on 127.0.0.1), and real Redis
for the RQ job when ``TEST_REDIS_URL`` is set (CI sets it).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from advocacy import mail
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.mail import broadcasts, delivery, dispatch, outbox, sender, suppression
from advocacy.mail.models import Broadcast, MessageStatus, OutboxMessage
from advocacy.petitions.models import Signature

from .test_delivery import smtp  # noqa: F401 - the fixture

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def hold(monkeypatch):
    """Keep broadcasts from starting after commit, so a test can start the sender itself."""
    held: list[int] = []
    monkeypatch.setattr(dispatch, "dispatch_broadcast", lambda app, bid, **kw: held.append(bid))
    return held


def signers(make, n: int, petition=None):
    petition = petition or make.petition()
    for i in range(n):
        make.signature(petition, email=f"reader{i}@example.com", opt_in=True)
    return petition


def broadcast_to(petition, **context) -> Broadcast:
    query = select(Signature.email, Signature.id).where(Signature.petition_id == petition.id)
    item = mail.create_broadcast(
        "update",
        "update",
        query,
        organization_id=petition.organization_id,
        petition_id=petition.id,
        subject=context.pop("subject", "We reached 7,000 signatures"),
        body_text="Thank you. Next we take it to the government.",
        body_html="<p>Thank you. Next we take it to the government.</p>",
        organization=petition.organization,
        petition=petition,
        **context,
    )
    db.session.commit()
    return item


def copies(broadcast: Broadcast) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_each_copy_leaves_with_its_own_unsubscribe_link_and_message_id(app, smtp, make, hold):  # noqa: F811
    petition = signers(make, 3)
    smtp.start()
    broadcast = broadcast_to(petition)
    assert broadcast.recipient_count == 3 and hold == [broadcast.id]
    run = sender.send_broadcast(broadcast.id)
    assert (run.sent, run.done) == (3, True)

    received = {m["To"]: m for m in smtp.handler.messages}
    assert sorted(received) == [f"reader{i}@example.com" for i in range(3)]
    links = set()
    for copy in copies(broadcast):
        message = received[copy.recipient]
        assert copy.status is MessageStatus.SENT
        assert message["Message-ID"] == copy.message_id
        header = message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = header.strip("<>")
        assert link.startswith("http://advocacy.test/unsubscribe/")
        token = link.rsplit("/", 1)[1]
        # one click leaves the organisation; the footer also offers just this petition
        assert suppression.read_unsubscribe_token(token) == (
            copy.recipient, petition.organization_id, None,
        )  # fmt: skip
        [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
        text = plain.get_payload(decode=True).decode()
        assert link in text and "unsubscribe.advocacy.invalid" not in text
        footer = re.search(r"^Unsubscribe: (\S+)", text, re.M).group(1)
        assert suppression.read_unsubscribe_token(footer.rsplit("/", 1)[1]) == (
            copy.recipient, petition.organization_id, petition.id,
        )  # fmt: skip
        links.add(link)
    assert len(links) == 3
    assert len({c.message_id for c in copies(broadcast)}) == 3


def test_unsubscribed_and_suppressed_addresses_are_left_out_when_queued(app, make, hold):
    petition = signers(make, 4)
    suppression.unsubscribe("reader0@example.com", petition.organization_id, petition.id)
    suppression.unsubscribe("reader1@example.com", petition.organization_id, None)
    mail.suppress("reader2@example.com", "bounce")
    other = make.petition(org=petition.organization)
    # reader3 left another petition, not this one
    suppression.unsubscribe("reader3@example.com", petition.organization_id, other.id)

    broadcast = broadcast_to(petition)
    assert [c.recipient for c in copies(broadcast)] == ["reader3@example.com"]
    assert broadcast.recipient_count == 1


def test_an_unsubscribe_after_queueing_stops_that_copy(app, make, hold):
    petition = signers(make, 2)
    broadcast = broadcast_to(petition)
    suppression.unsubscribe("reader1@example.com", petition.organization_id, None)
    run = sender.send_broadcast(broadcast.id)
    assert (run.sent, run.suppressed) == (1, 1)
    assert [c.status.value for c in copies(broadcast)] == ["sent", "suppressed"]
    assert broadcasts.broadcast_counts(broadcast.id) == {
        "queued": 0, "sent": 1, "failed": 0, "bounced": 0, "not_sent": 1,
    }  # fmt: skip


def test_the_sender_keeps_to_the_rate_in_batches(app, make, hold):
    app.config.update(MAIL_BULK_RATE=10, MAIL_BULK_BATCH=5)
    petition = signers(make, 12)
    broadcast = broadcast_to(petition)
    now = [0.0]
    sleeps: list[float] = []
    batches: list[int] = []
    deliver = delivery.deliver

    def counting_deliver(ids, limit=None):
        batches.append(len(list(ids)))
        return deliver(ids, limit=limit)

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    real_deliver = delivery.deliver
    delivery.deliver = counting_deliver
    try:
        run = sender.send_broadcast(broadcast.id, clock=lambda: now[0], sleep=sleep)
    finally:
        delivery.deliver = real_deliver
    assert run.sent == 12 and run.done
    assert batches == [5, 5, 2]
    assert sleeps == [0.5, 0.5, 0.5]  # 5 messages per half second = 10 a second


def test_a_budget_stops_the_sender_and_the_rest_stays_queued(app, make, hold):
    app.config.update(MAIL_BULK_BATCH=4)
    broadcast = broadcast_to(signers(make, 10))
    now = [0.0]

    def clock():
        now[0] += 1.0
        return now[0]

    run = sender.send_broadcast(broadcast.id, budget=1.5, clock=clock, sleep=lambda s: None)
    assert (run.sent, run.done) == (4, False)
    assert sum(c.status is MessageStatus.QUEUED for c in copies(broadcast)) == 6
    assert db.session.get_one(Broadcast, broadcast.id).sender_until is None  # lease released


def test_one_sender_at_a_time_and_the_sweep_replaces_a_dead_one(app, make, hold):
    broadcast = broadcast_to(signers(make, 3))
    # A sender that died holding the lease: nobody else sends until the lease runs out.
    db.session.execute(update(Broadcast).values(sender_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert sender.send_broadcast(broadcast.id).busy
    hold.clear()
    dispatch.sweep(older_than=0)
    assert hold == []  # the sweep does not start a second sender
    assert all(c.status is MessageStatus.QUEUED for c in copies(broadcast))  # nor sends itself

    db.session.execute(update(Broadcast).values(sender_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sender.orphaned_broadcasts() == [broadcast.id]
    dispatch.sweep(older_than=0)
    assert hold == [broadcast.id]


def test_the_sweep_sends_an_orphaned_broadcast_itself_without_redis(app, make, monkeypatch):
    sent = []
    monkeypatch.setattr(dispatch, "dispatch_broadcast", lambda app, bid, **kw: sent.append(bid))
    broadcast = broadcast_to(signers(make, 3))
    monkeypatch.undo()  # now the real dispatch, as `flask mail sweep` from cron runs it
    app.config["MAIL_SYNC"] = False
    delivered, _ = dispatch.sweep(older_than=0)
    assert [c.status.value for c in copies(broadcast)] == ["sent"] * 3


def test_server_down_mid_broadcast_then_back_delivers_every_copy_once(app, smtp, make, hold):  # noqa: F811
    app.config.update(MAIL_BULK_BATCH=2)
    broadcast = broadcast_to(signers(make, 5))
    run = sender.send_broadcast(broadcast.id)  # the server is not running
    assert (run.sent, run.retrying, run.done) == (0, 1, False)
    assert [c.attempts for c in copies(broadcast)] == [1, 0, 0, 0, 0]  # one attempt spent

    smtp.start()
    dispatch.sweep(older_than=0)  # MAIL_RETRY_SECONDS=0: the retry is due; sweep restarts it
    assert hold == [broadcast.id, broadcast.id]
    run = sender.send_broadcast(broadcast.id)
    assert run.sent == 5 and run.done
    ids = [m["Message-ID"] for m in smtp.handler.messages]
    assert len(ids) == len(set(ids)) == 5


def test_a_hard_bounce_naming_the_message_marks_it_bounced(app, make, hold):
    broadcast = broadcast_to(signers(make, 2))
    sender.send_broadcast(broadcast.id)
    first = copies(broadcast)[0]
    bare = re.sub(r"^<|>$", "", first.message_id)
    assert outbox.mark_bounced(bare)
    assert not outbox.mark_bounced("<unknown@advocacy.localhost>")
    assert broadcasts.broadcast_counts(broadcast.id)["bounced"] == 1


def test_the_development_outbox_shows_a_copy_with_its_links(app, client, make, hold):
    broadcast = broadcast_to(signers(make, 1))
    sender.send_broadcast(broadcast.id)
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Thank you. Next we take it to the government." in page
    assert "http://advocacy.test/unsubscribe/" in page
    copy = copies(broadcast)[0]
    assert copy.text_body == ""  # the body was not written back into the row


@pytest.fixture
def redis(app):
    """The app queueing mail on a real, empty Redis (TEST_REDIS_URL; CI sets it)."""
    if not TEST_REDIS_URL:
        pytest.skip("needs TEST_REDIS_URL=redis://…")
    from redis import Redis

    connection = Redis.from_url(TEST_REDIS_URL)
    connection.flushdb()
    app.config.update(REDIS_URL=TEST_REDIS_URL, MAIL_SYNC=False)
    app.extensions.pop("advocacy_redis", None)
    return connection


@pytest.mark.redis
def test_with_redis_the_job_sends_in_slices_and_queues_itself_again(app, make, redis):
    from rq import Queue, SimpleWorker

    app.config.update(MAIL_BULK_BATCH=3, MAIL_BULK_JOB_SECONDS=0)  # a batch per job, then requeue
    broadcast = broadcast_to(signers(make, 7))
    queue = Queue("mail", connection=redis)
    assert queue.count == 1
    assert all(c.status is MessageStatus.QUEUED for c in copies(broadcast))
    SimpleWorker([queue], connection=redis).work(burst=True)
    assert [c.status.value for c in copies(broadcast)] == ["sent"] * 7
    # 3 + 3 + 1 copies in three jobs, and a fourth that found nothing left
    assert len(queue.finished_job_registry.get_job_ids()) == 4
    assert queue.count == 0


@pytest.mark.redis
def test_a_job_lost_on_redis_is_made_good_by_the_sweep(app, make, redis):
    broadcast = broadcast_to(signers(make, 2))
    redis.flushdb()  # Redis lost the job (restarted without persistence)
    app.config["REDIS_URL"] = None  # and a cron sweep on a box without a worker
    dispatch.sweep(older_than=0)
    # The queued job holds the lease: until it runs out nobody starts a second sender.
    assert {c.status for c in copies(broadcast)} == {MessageStatus.QUEUED}
    db.session.execute(update(Broadcast).values(sender_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    dispatch.sweep(older_than=0)
    assert [c.status.value for c in copies(broadcast)] == ["sent", "sent"]


@pytest.mark.redis
def test_a_queued_job_holds_the_lease_so_the_sweep_queues_no_second_one(app, make, redis):
    from rq import Queue

    broadcast_to(signers(make, 2))
    dispatch.sweep(older_than=0)
    dispatch.sweep(older_than=0)
    assert Queue("mail", connection=redis).count == 1


def test_send_pending_leaves_copies_to_the_paced_sender(app, make, runner, hold):
    broadcast = broadcast_to(signers(make, 3))
    assert delivery.deliver().sent == 0  # "any due message" never includes a broadcast's copies
    result = runner.invoke(args=["mail", "send-pending"])
    assert "Sent 0" in result.output
    assert f"Update (broadcast {broadcast.id})" in result.output and "sent 3" in result.output
    assert [c.status.value for c in copies(broadcast)] == ["sent"] * 3


def test_an_admin_retry_sends_a_broadcasts_failed_copies_back_to_its_sender(app, make, hold):
    broadcast = broadcast_to(signers(make, 3))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast.id)
        .values(status=MessageStatus.FAILED, last_error="451 try later")
    )
    db.session.commit()
    hold.clear()
    assert outbox.retry() == 3
    assert hold == [broadcast.id]  # not delivered at once, all three, past the rate
    assert {c.status for c in copies(broadcast)} == {MessageStatus.QUEUED}


def test_a_sender_that_lost_its_lease_stops_and_leaves_the_new_holder_alone(app, make, hold):
    app.config.update(MAIL_BULK_BATCH=1)
    broadcast = broadcast_to(signers(make, 3))
    deliver = delivery.deliver

    def taken_over_after_first_batch(ids, limit=None):
        report = deliver(ids, limit=limit)
        # Meanwhile the lease ran out and another sender took it.
        db.session.execute(
            update(Broadcast).values(
                sender_token="other", sender_until=utcnow() + timedelta(minutes=5)
            )
        )
        db.session.commit()
        return report

    delivery.deliver = taken_over_after_first_batch
    try:
        run = sender.send_broadcast(broadcast.id)
    finally:
        delivery.deliver = deliver
    assert (run.sent, run.busy, run.done) == (1, True, False)
    db.session.expire_all()
    assert db.session.get_one(Broadcast, broadcast.id).sender_token == "other"  # not released
    assert sender.send_broadcast(broadcast.id).busy  # and a third sender stays out
