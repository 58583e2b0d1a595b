"""History: confirmed signatures and letters made with the member's email join the member
once the email is confirmed, and stay with them; letters' PDFs are the owner's alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from advocacy.accounts import links, members
from advocacy.core.db import utcnow
from advocacy.letters.models import CampaignStatus, Letter, Writer
from advocacy.petitions.models import PetitionStatus, Signature
from advocacy.privacy import services as privacy
from advocacy.profile import history
from tests.factories import PASSWORD, sign_form
from tests.letters.conftest import campaign, sign_and_confirm, writing_page

from .conftest import member, path_of, sign_up_and_confirm

NOTE = "I am an unmatched graduate in Syracuse."


def _owner(db, model, email: str):
    db.session.expire_all()
    return [row.user_id for row in db.session.scalars(select(model).where(model.email == email))]


def test_signatures_and_letters_made_before_sign_up_join_at_confirmation(
    app, client, db, mailbox, make, directory
):
    petition = make.petition(title="Pass the Resident Physician Shortage Reduction Act")
    campaign(petition=petition)
    signer = app.test_client()
    page = writing_page(signer, sign_and_confirm(signer, mailbox, petition, "maria@example.org"))
    signer.post(f"{page}/districts", data={"state_lower": "NY-129"})
    signer.post(page, data={"personal_note": NOTE})
    signer.post(f"{page}/send")
    unconfirmed = make.petition(title="Never confirmed")
    make.signature(unconfirmed, email="maria@example.org", confirmed=False)
    someone_else = make.signature(petition, email="ola@example.org")

    client.post(
        "/signup", data={"name": "Maria", "email": "maria@example.org", "password": PASSWORD}
    )
    assert _owner(db, Signature, "maria@example.org") == [None, None]  # not confirmed yet
    link = path_of(mailbox.last_link("maria@example.org", "account_confirm"))
    client.post(link)
    client.post("/login", data={"email": "maria@example.org", "password": PASSWORD})

    assert None in _owner(db, Signature, "maria@example.org")  # the unconfirmed one stays out
    assert _owner(db, Writer, "maria@example.org") != [None]
    page = client.get("/account/history").text
    assert "Pass the Resident Physician Shortage Reduction Act" in page
    assert "Never confirmed" not in page
    assert "Charles E. Schumer" in page and "Bill Magnarelli" in page and NOTE in page
    assert "Download the letter as a PDF" in page
    db.session.refresh(someone_else)
    assert someone_else.user_id is None


def test_a_signature_confirmed_after_the_account_joins_in_the_confirming_statement(
    client, db, mailbox, make
):
    sign_up_and_confirm(client, mailbox)
    petition = make.petition(title="Expand collaborative practice")
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email="maria@example.org"))
    assert _owner(db, Signature, "maria@example.org") == [None]
    client.post(path_of(mailbox.last_link("maria@example.org")))
    user_ids = _owner(db, Signature, "maria@example.org")
    assert user_ids[0] is not None
    assert "Expand collaborative practice" in client.get("/account/history").text


def test_a_writer_confirmed_from_the_action_page_joins_the_member(client, db, mailbox, directory):
    sign_up_and_confirm(client, mailbox)
    c = campaign()
    client.post(
        f"/act/{c.slug}",
        data={**sign_form(email="maria@example.org"), "address": "120 Walton St",
              "city": "Syracuse"},
    )  # fmt: skip
    assert _owner(db, Writer, "maria@example.org") == [None]
    link = path_of(mailbox.last_link("maria@example.org", "confirm_writer"))
    client.post(link)
    assert _owner(db, Writer, "maria@example.org")[0] is not None


def test_an_email_change_keeps_the_old_history_and_adds_the_new_addresss(client, db, mailbox, make):
    user = member(db)
    old_sig = make.signature(make.petition(title="Old address petition"), email=user.email)
    new_sig = make.signature(make.petition(title="New address petition"), email="new@example.org")
    history.link_history(user)
    db.session.commit()
    members.apply_email_change(links.email_change_token(user, "new@example.org"))
    db.session.refresh(old_sig)
    db.session.refresh(new_sig)
    assert old_sig.user_id == user.id and new_sig.user_id == user.id
    # Whoever takes the old address later does not get the old history.
    newcomer = member(db, "maria@example.org", "Someone New")
    history.link_history(newcomer)
    db.session.commit()
    db.session.refresh(old_sig)
    assert old_sig.user_id == user.id
    assert history.signatures_of(newcomer) == []


def test_a_password_reset_that_confirms_the_account_links_its_history(db, make):
    user = member(db, confirmed=False)
    signature = make.signature(make.petition(), email=user.email)
    members.reset_password(links.reset_token(user), "a brand new passphrase")
    db.session.refresh(signature)
    assert signature.user_id == user.id


def test_an_unconfirmed_account_links_nothing(db, make):
    user = member(db, confirmed=False)
    signature = make.signature(make.petition(), email=user.email)
    assert history.link_history(user) == 0
    db.session.refresh(signature)
    assert signature.user_id is None


def test_the_pdf_is_the_owners_only(app, client, db, mailbox, make, directory):
    petition = make.petition()
    campaign(petition=petition)
    sign_up_and_confirm(client, mailbox)
    page = writing_page(client, sign_and_confirm(client, mailbox, petition, "maria@example.org"))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    client.post(page, data={"personal_note": NOTE})
    client.post(f"{page}/send")
    letter = db.session.scalars(select(Letter).order_by(Letter.id)).first()
    assert client.get(f"/account/letters/{letter.id}.pdf").status_code == 200

    other = app.test_client()
    member(db, "ola@example.org", "Ola Other")
    other.post("/login", data={"email": "ola@example.org", "password": PASSWORD})
    assert other.get(f"/account/letters/{letter.id}.pdf").status_code == 404
    assert other.get("/account/letters/99999999999999999999.pdf").status_code == 404
    assert other.get("/account/letters/0.pdf").status_code == 404
    assert app.test_client().get(f"/account/letters/{letter.id}.pdf").status_code == 302


def test_retention_takes_anonymised_rows_out_of_the_history(
    app, client, db, mailbox, make, directory
):
    petition = make.petition(title="Long closed petition")
    c = campaign(petition=petition)
    sign_up_and_confirm(client, mailbox)
    page = writing_page(client, sign_and_confirm(client, mailbox, petition, "maria@example.org"))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    client.post(page, data={"personal_note": NOTE})
    client.post(f"{page}/send")
    assert "Long closed petition" in client.get("/account/history").text
    long_ago = utcnow() - timedelta(days=app.config["PRIVACY_CLOSED_PETITION_DAYS"] + 1)
    petition.status, petition.closed_at = PetitionStatus.CLOSED, long_ago
    c.status = CampaignStatus.CLOSED
    db.session.commit()
    report = privacy.purge()
    assert report.anonymised == 1 and report.writers == 1
    db.session.expire_all()
    assert db.session.scalars(select(Signature.user_id)).all() == [None]
    assert db.session.scalars(select(Writer.user_id)).all() == [None]
    html = client.get("/account/history").text
    assert "Long closed petition" not in html and "No letter yet" in html
