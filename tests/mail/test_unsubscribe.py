"""Non-transactional mail: List-Unsubscribe headers, one-click unsubscribe, and respect for it."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from advocacy import mail
from advocacy.extensions import db
from advocacy.mail import dispatch, outbox
from advocacy.mail.models import MessageStatus, OutboxMessage, Unsubscribe

from .test_delivery import (
    smtp,  # noqa: F401 - the fixture
    statuses,
)


def update_to(petition, email: str, *, petition_scoped: bool = True) -> int:
    message_id = mail.enqueue(
        "update",
        email,
        "update",
        transactional=False,
        organization_id=petition.organization_id,
        petition_id=petition.id if petition_scoped else None,
        subject="We passed 5,000 signatures",
        body_text="Thank you. Next: delivering it to the AAMC.",
        body_html="<p>Thank you. Next: delivering it to the AAMC.</p>",
        organization=petition.organization,
        petition=petition if petition_scoped else None,
    )
    db.session.commit()
    return message_id


def path(url: str) -> str:
    return url.replace("http://advocacy.test", "")


def test_updates_carry_one_click_unsubscribe_headers_and_links(app, smtp, make):  # noqa: F811
    smtp.start()
    petition = db.session.scalars(select(type(make.petition()))).first()
    message_id = update_to(petition, "ana@example.com")
    dispatch.sweep(older_than=0)

    [received] = smtp.handler.messages
    link = db.session.get_one(OutboxMessage, message_id).unsubscribe_url
    assert received["List-Unsubscribe"] == f"<{link}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in db.session.get_one(OutboxMessage, message_id).text_body


def test_transactional_mail_has_no_unsubscribe_header(app, smtp):  # noqa: F811
    from .test_outbox import queue_one

    smtp.start()
    queue_one("ana@example.com")
    db.session.commit()
    dispatch.sweep(older_than=0)
    [received] = smtp.handler.messages
    assert received["List-Unsubscribe"] is None


def test_one_click_post_without_login_stops_further_updates(client, make):
    petition = make.petition()
    first = update_to(petition, "ana@example.com")
    link = path(db.session.get_one(OutboxMessage, first).unsubscribe_url)

    # What a mail client sends for RFC 8058: a POST, no cookies, no CSRF token.
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    rows = db.session.scalars(select(Unsubscribe)).all()
    # The one-click link leaves the organisation, not only this petition.
    assert [(u.email, u.petition_id) for u in rows] == [("ana@example.com", None)]
    again = update_to(petition, "ana@example.com")
    elsewhere = update_to(make.petition(petition.organization), "ana@example.com")
    other = update_to(petition, "ben@example.com")
    assert statuses([first, again, elsewhere, other]) == [
        ("sent", 1), ("suppressed", 0), ("suppressed", 0), ("sent", 1),
    ]  # fmt: skip
    # A confirmation the person asks for still goes.
    from .test_outbox import queue_one

    transactional = queue_one("ana@example.com")
    db.session.commit()
    assert statuses([transactional.id]) == [("sent", 1)]
    # Unsubscribing twice is harmless.
    assert client.post(link).status_code == 200
    assert len(db.session.scalars(select(Unsubscribe)).all()) == 1


def test_the_page_offers_this_petition_or_everything_from_the_organisation(client, make):
    petition = make.petition()
    other_petition = make.petition(petition.organization)
    body = db.session.get_one(OutboxMessage, update_to(petition, "ana@example.com")).text_body
    link = path(re.search(r"^Unsubscribe: (\S+)$", body, re.M).group(1))  # the footer's link

    page = client.get(link).text
    assert "Stop updates to <strong>ana@example.com</strong>" in page
    assert "Unsubscribe from everything" in page

    everything = page.split("Unsubscribe from everything")[0].rsplit('action="', 1)[1].split('"')[0]
    assert client.post(path(everything)).status_code == 200
    later = update_to(other_petition, "ana@example.com")
    assert statuses([later]) == [("suppressed", 0)]


@pytest.mark.parametrize("token", ["nonsense", "WyJhbmFAZXhhbXBsZS5jb20iLDEsbnVsbF0.forged"])
def test_a_bad_token_changes_nothing(client, token):
    assert client.get(f"/unsubscribe/{token}").status_code == 400
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 400
    assert "not valid" in response.text
    assert db.session.scalars(select(Unsubscribe)).all() == []


def signed(app, payload) -> str:
    """A token signed with the app's real key and salt, as only we could have made it."""
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps(payload)


def test_a_token_signed_with_our_key_opens_the_page(app, client, make):
    petition = make.petition()
    token = signed(app, ["ana@example.com", petition.organization_id, petition.id])
    assert client.get(f"/unsubscribe/{token}").status_code == 200


def test_the_page_names_the_organisation_and_the_petition_it_was_given(app, client, make):
    """Mail imports no domain: the names come from the lookup the app factory registered."""
    petition = make.petition(title="Let doctors help")
    name = petition.organization.name
    this = signed(app, ["ana@example.com", petition.organization_id, petition.id])
    page = client.get(f"/unsubscribe/{this}").text
    assert f"from {name} about “Let doctors help”?" in page
    assert f"Unsubscribe from everything {name} sends" in page
    done = client.post(f"/unsubscribe/{this}").text
    assert f"no more updates from {name} about “Let doctors help”." in done
    # A petition that no longer exists: the page offers the organisation only.
    gone = signed(app, ["ben@example.com", petition.organization_id, petition.id + 1000])
    page = client.get(f"/unsubscribe/{gone}").text
    assert f"from {name}?" in page and "Unsubscribe from everything" not in page
    # No such organisation: not a link we issued.
    nobody = signed(app, ["ana@example.com", petition.organization_id + 1000, None])
    assert client.get(f"/unsubscribe/{nobody}").status_code == 400


def test_mail_imports_nothing_from_the_domains():
    """Mail is the leaf every domain sends through: it never imports one of them."""
    import ast
    from pathlib import Path

    import advocacy.mail

    domains = ("accounts", "petitions", "organize", "legislators", "api", "demo")
    found = []
    for source in Path(advocacy.mail.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [
                f"{source.name}: {name}"
                for name in names
                if name.split(".")[:2] in (["advocacy", d] for d in domains)
            ]
    assert found == []


@pytest.mark.parametrize(
    "payload",
    [
        lambda org, pet: ["ana@example.com", 2**70, None],
        lambda org, pet: ["ana@example.com", org, 2**70],
        lambda org, pet: ["ana@example.com", 2**63, pet],
        lambda org, pet: ["ana@example.com", -1, None],
        lambda org, pet: ["ana@example.com", org, -1],
        lambda org, pet: ["ana@example.com", org, 0],
        lambda org, pet: ["ana@example.com", str(org), None],
        lambda org, pet: ["ana@example.com", org, str(pet)],
        lambda org, pet: ["ana@example.com", True, None],
        lambda org, pet: ["ana@example.com", org, 1.5],
        lambda org, pet: [" Ana@Example.com", org, pet],
        lambda org, pet: ["a" * 250 + "@example.com", org, pet],
        lambda org, pet: [None, org, pet],
        lambda org, pet: ["ana@example.com", org],
        lambda org, pet: {"email": "ana@example.com", "org": org, "pet": pet},
        lambda org, pet: "ana@example.com",
    ],
    ids=[
        "organisation id beyond 64 bits",
        "petition id beyond 64 bits",
        "organisation id 2**63",
        "negative organisation id",
        "negative petition id",
        "petition id zero",
        "string organisation id",
        "string petition id",
        "true for an id",
        "float petition id",
        "address not normalised",
        "address too long",
        "no address",
        "two fields",
        "an object",
        "a string",
    ],
)
def test_a_signed_token_we_did_not_issue_is_the_invalid_link_page(app, client, make, payload):
    """Validly signed (a leaked or reused key) but not what we issue: 400, never a 500 (an id
    past 64 bits used to reach the database and overflow), and never a wider unsubscribe."""
    petition = make.petition()
    token = signed(app, payload(petition.organization_id, petition.id))
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 400 and "not valid" in page.text
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 400 and "not valid" in response.text
    assert db.session.scalars(select(Unsubscribe)).all() == []


def test_non_transactional_mail_needs_an_organisation(app, make):
    make.petition()
    with pytest.raises(ValueError, match="organization_id"):
        mail.enqueue("update", "a@example.com", "update", transactional=False)


def test_suppressed_status_counts(make):
    petition = make.petition()
    update_to(petition, "ana@example.com")
    assert outbox.status_counts()[MessageStatus.SENT.value] == 1
