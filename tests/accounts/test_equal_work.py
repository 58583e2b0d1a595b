"""Resend-confirmation and forgot-password do the same work for an address without an
account as for one with: the same statements, in the same order, the same mail handed to
delivery (which then finds nothing to send for the unknown one), the same page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from advocacy.accounts import members, services
from advocacy.extensions import db
from advocacy.mail import outbox
from advocacy.mail.models import OutboxMessage
from tests.factories import PASSWORD


def _shape(statement: str) -> str:
    """A statement without its literals: savepoint names and ids differ between runs."""
    statement = re.sub(r"sa_savepoint_\d+", "sp", statement)
    return re.sub(r"\b\d+\b", "n", " ".join(statement.split()))


def _work(run, email: str) -> tuple[list[str], int]:
    """The SQL statements ``run(email)`` sends, and how many message ids it hands to
    delivery after its commit."""
    statements: list[str] = []
    handed: list[int] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(_shape(statement))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    original = outbox.take_pending

    def spy(session):
        # Recorded, not delivered: delivery runs in a worker, not in the request measured
        # here (in tests MAIL_SYNC would deliver inline).
        ids, broadcasts = original(session)
        handed.extend(ids)
        return [], broadcasts

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(outbox, "take_pending", spy)
            run(email)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements, len(handed)


def _differences(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


@pytest.mark.parametrize(
    ("run", "prepare"),
    [
        (members.request_password_reset, {"confirmed": True}),
        (members.resend_confirmation, {"confirmed": False}),
    ],
    ids=["forgot-password", "resend-confirmation"],
)
def test_an_unknown_address_costs_the_same_statements(app, mailbox, run, prepare):
    services.new_user("known@example.org", "Kim Known", PASSWORD, **prepare)
    db.session.commit()
    db.session.expire_all()
    run("warm@example.org")  # the first call loads templates and caches

    known, known_handed = _work(run, "known@example.org")
    db.session.expire_all()
    unknown, unknown_handed = _work(run, "nobody@example.org")

    assert known_handed == unknown_handed == 1
    assert len(known) == len(unknown)
    # The one difference: the savepoint is kept for the account, rolled back without one.
    assert _differences(known, unknown) == [("RELEASE SAVEPOINT sp", "ROLLBACK TO SAVEPOINT sp")]
    assert [m.recipient for m in mailbox.messages()] == ["known@example.org"]


def test_a_confirmed_or_inactive_account_gets_the_same_nothing(app, make, mailbox):
    make.organizer(email="olive@example.org")  # confirmed: nothing to resend
    inactive = services.new_user("gone@example.org", "Gus Gone", PASSWORD, confirmed=False)
    inactive.active = False
    db.session.commit()

    members.resend_confirmation("olive@example.org")
    members.resend_confirmation("gone@example.org")
    members.request_password_reset("gone@example.org")

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_pages_and_the_mail_queue_agree_for_both(client, make, mailbox):
    make.organizer(email="olive@example.org")
    known = client.post("/password/forgot", data={"email": "olive@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("olive", "X") == unknown.text.replace("nobody", "X")
    assert [m.kind for m in mailbox.messages()] == ["password_reset"]
    # The rolled-back message left no row for delivery to find, now or later.
    assert mailbox.messages(to="nobody@example.org") == []
