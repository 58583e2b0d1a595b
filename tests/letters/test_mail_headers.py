"""A letter to an office leaves from the platform's address in the writer's name."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.utils import getaddresses

from advocacy.extensions import db
from advocacy.mail import delivery, outbox
from tests.mail.test_delivery import smtp  # noqa: F401 - the fixture


def test_from_name_reply_to_and_cc_reach_the_server(app, smtp):  # noqa: F811
    smtp.start()
    from advocacy.petitions.models import Petition

    petition = db.session.query(Petition).first()
    message_id = outbox.enqueue(
        "already_signed",
        "may@nysenate.gov",
        "already_signed",
        from_name="Maria Okonkwo via Doctors for Access",
        reply_to="maria@example.com",
        cc="maria@example.com",
        petition=petition,
        signature=type("S", (), {"first_name": "Ana", "signer_number": 3})(),
        petition_url="http://advocacy.test/p",
    )
    plain_id = outbox.enqueue(
        "already_signed",
        "ana@example.com",
        "already_signed",
        petition=petition,
        signature=type("S", (), {"first_name": "Ana", "signer_number": 3})(),
        petition_url="http://advocacy.test/p",
    )
    db.session.commit()
    delivery.deliver([message_id, plain_id])

    letter, plain = smtp.handler.messages
    ((name, address),) = getaddresses([letter["From"]])
    assert str(make_header(decode_header(name))) == "Maria Okonkwo via Doctors for Access"
    assert address == "no-reply@advocacy.localhost"
    assert letter["Reply-To"] == "maria@example.com"
    assert letter["Cc"] == "maria@example.com"
    assert letter["To"] == "may@nysenate.gov"
    assert str(make_header(decode_header(plain["From"]))) == app.config["MAIL_DEFAULT_SENDER"]
    assert plain["Reply-To"] is None and plain["Cc"] is None
