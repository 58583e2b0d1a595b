"""``flask privacy purge`` beyond petitions: writers of standalone action pages, and the
outbox's old messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.letters.models import CampaignStatus, Letter, LetterStatus, Writer
from advocacy.mail import enqueue
from advocacy.mail.models import MessageStatus, OutboxMessage
from advocacy.privacy import services as privacy
from tests.letters.conftest import campaign
from tests.privacy.test_purge import writer_with_letter

DAY = timedelta(days=1)


def standalone_writer(action, email, **kw) -> Writer:
    return writer_with_letter(db, action, email=email, **kw)


def test_writers_of_a_long_closed_action_page_are_anonymised(app, db):
    action = campaign(status=CampaignStatus.CLOSED, closed_at=utcnow())
    writer = standalone_writer(action, "ana@example.com")
    open_action = campaign(slug="still-open")
    waiting = standalone_writer(open_action, "ben@example.com")
    days = app.config["PRIVACY_CLOSED_PETITION_DAYS"]

    assert privacy.purge(now=action.closed_at + days * DAY).writers == 0  # the edge
    report = privacy.purge(now=action.closed_at + days * DAY + timedelta(seconds=1))

    assert (report.writers, report.letters) == (1, 1)
    db.session.expire_all()
    w = db.session.get(Writer, writer.id)
    assert (w.first_name, w.address, w.personal_note, w.zip) == ("", None, None, "13202")
    assert w.email == f"anonymised.{w.id}@anonymised.invalid"
    letter = db.session.scalars(select(Letter).where(Letter.writer_id == w.id)).one()
    assert (letter.body, letter.status) == ("", LetterStatus.HANDED_OVER)
    assert db.session.get(Writer, waiting.id).first_name == "Ana"  # its campaign is open
    assert privacy.purge(now=action.closed_at + (days + 1) * DAY).writers == 0


def test_unconfirmed_writers_go_after_the_unconfirmed_setting(app, db):
    action = campaign()
    days = app.config["PRIVACY_UNCONFIRMED_DAYS"]
    old = standalone_writer(
        action, "old@example.com", confirmed=False, created_at=utcnow() - (days + 1) * DAY
    )
    recent = standalone_writer(action, "new@example.com", confirmed=False)
    confirmed = standalone_writer(action, "yes@example.com", created_at=utcnow() - (days + 1) * DAY)
    old_id, kept = old.id, [recent.id, confirmed.id]

    assert privacy.purge(dry_run=True).writers_deleted == 1
    assert db.session.get(Writer, old_id) is not None
    assert privacy.purge().writers_deleted == 1

    db.session.expire_all()
    assert db.session.scalars(select(Writer.id).order_by(Writer.id)).all() == kept
    # The draft went with its writer (the database's cascade).
    assert db.session.scalar(select(func.count()).where(Letter.writer_id == old_id)) == 0
    assert privacy.purge().writers_deleted == 0


def queue_mail(to: str, status: MessageStatus, age_days: int) -> int:
    message_id = enqueue(
        "account_exists", to, "account_exists", login_url="https://x/l", forgot_url="https://x/f"
    )
    db.session.commit()
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == message_id)
        .values(status=status.value, created_at=utcnow() - age_days * DAY, reply_to=to, cc=to)
    )
    db.session.commit()
    return message_id


def test_old_finished_messages_are_emptied_and_keep_their_status(app, db):
    days = app.config["PRIVACY_OUTBOX_DAYS"]
    old_sent = queue_mail("ana@example.com", MessageStatus.SENT, days + 1)
    old_bounced = queue_mail("ben@example.com", MessageStatus.BOUNCED, days + 1)
    old_queued = queue_mail("cleo@example.com", MessageStatus.QUEUED, days + 1)
    recent = queue_mail("dan@example.com", MessageStatus.SENT, days - 1)

    assert privacy.purge(dry_run=True).messages == 2
    assert privacy.purge().messages == 2

    db.session.expire_all()
    finished = ((old_sent, MessageStatus.SENT), (old_bounced, MessageStatus.BOUNCED))
    for message_id, status in finished:
        m = db.session.get(OutboxMessage, message_id)
        assert m.recipient == f"anonymised.{m.id}@anonymised.invalid"
        assert (m.subject, m.text_body, m.html_body, m.reply_to, m.cc) == ("", "", None, None, None)
        assert (m.status, m.kind) == (status, "account_exists")
    for message_id in (old_queued, recent):  # not finished, or not old enough
        m = db.session.get(OutboxMessage, message_id)
        assert "@example.com" in m.recipient and m.text_body
    assert privacy.purge().messages == 0


def test_the_command_reports_the_new_counts_and_refuses_a_bad_outbox_setting(app, runner):
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "Would delete 0 unconfirmed letter writer(s)." in result.output
    assert "Would anonymise 0 sent email(s)" in result.output

    app.config["PRIVACY_OUTBOX_DAYS"] = "90"
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code != 0
    assert "PRIVACY_OUTBOX_DAYS must be a whole number of days" in result.output
