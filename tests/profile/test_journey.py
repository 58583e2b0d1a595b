"""Issue 12's done-when: sign up, confirm, an address in Syracuse, the right legislators, the
demo's Resident Physician Shortage Reduction Act letter from the profile, then the history
with its PDF (which no other member can open)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.demo import services as demo
from advocacy.letters.models import LetterCampaign, LetterStatus, Writer
from tests.factories import PASSWORD
from tests.letters import pdftext

from .conftest import SYRACUSE, member, path_of, results, sign_up_and_confirm

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
RPSRA = "write-for-the-resident-physician-shortage-reduction-act"
NOTE = "I graduated in 2023 and am still waiting for a residency match in Syracuse."


@pytest.fixture
def demo_loaded(db, directory):
    demo.load_demo(DATA_DIR, scale=0.002)
    return db.session.scalar(select(LetterCampaign).where(LetterCampaign.slug == RPSRA))


def test_a_member_writes_the_rpsra_letter_from_the_profile(app, client, db, mailbox, demo_loaded):
    sign_up_and_confirm(client, mailbox)
    account = client.get("/account")
    assert 'href="/account/legislators"' in account.text and "My legislators" in account.text

    empty = client.get("/account/legislators")
    assert empty.status_code == 200 and empty.headers["Cache-Control"] == "no-store"
    assert "Add your address" in empty.text

    saved = client.post("/account/address", data=SYRACUSE)
    assert saved.status_code == 302 and saved.location.endswith("/account/legislators")
    page = client.get("/account/legislators").text
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May"):
        assert name in page
    # 13202 lies in two Assembly districts: asked, never guessed.
    assert "Which district is yours?" in page
    assert "Pamela Hunter" in page and "Bill Magnarelli" in page
    chose = client.post("/account/legislators/districts", data={"state_lower": "NY-129"})
    assert chose.status_code == 302
    page = client.get("/account/legislators").text
    assert "Which district is yours?" not in page and "your choice" in page
    assert "Bill Magnarelli" in results(page) and "Pamela Hunter" not in results(page)
    # Every contact channel the directory has: the senators' forms, the state emails, phones.
    assert "Contact form" in page and "mailto:" in page and "tel:" in page
    assert demo_loaded.title in page

    started = client.post(f"/account/campaigns/{demo_loaded.id}/write")
    assert started.status_code == 302 and "/letters/" in started.location
    writing = path_of(started.location)
    html = client.get(writing).text
    assert "Which district is yours?" not in html  # the profile's choice came along
    assert client.post(writing, data={"personal_note": NOTE}).status_code == 302
    assert client.post(f"{writing}/send").status_code == 302

    writer = db.session.scalar(select(Writer).where(Writer.campaign_id == demo_loaded.id))
    assert writer.email == "maria@example.org" and writer.user_id is not None
    assert (writer.address, writer.city, writer.zip) == ("120 Walton St", "Syracuse", "13202")

    history = client.get("/account/history")
    assert history.status_code == 200 and history.headers["Cache-Control"] == "no-store"
    text = history.text
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May",
                 "Bill Magnarelli"):  # fmt: skip
        assert f"To Senator {name}" in text or name in text
    assert demo_loaded.title in text
    assert "Ready for you to send" in text  # the senators and the House: web forms
    assert "Sent by email" in text or "Queued to send" in text  # the state legislators
    assert NOTE in text  # the final text
    letters = sorted(writer_letters(db, writer), key=lambda x: x.id)
    assert len(letters) == 5 and all(x.status is not LetterStatus.DRAFTED for x in letters)
    pdf = client.get(f"/account/letters/{letters[0].id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    assert "Maria Okonkwo" in pdftext.read(pdf.data).text

    other = app.test_client()
    member(db, "ola@example.org", "Ola Other")
    other.post("/login", data={"email": "ola@example.org", "password": PASSWORD})
    assert other.get(f"/account/letters/{letters[0].id}.pdf").status_code == 404
    assert "Rachel May" not in other.get("/account/history").text


def writer_letters(db, writer):
    from advocacy.letters.models import Letter

    db.session.expire_all()
    return list(db.session.scalars(select(Letter).where(Letter.writer_id == writer.id)))
