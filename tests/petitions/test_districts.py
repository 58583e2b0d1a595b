"""Signatures keep the districts of the signer's ZIP; the signer settles split ZIPs."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.petitions.models import Signature, SignatureDistrict
from tests.factories import sign_form


def districts(db, email: str) -> set[tuple[str, str, str]]:
    db.session.expire_all()
    signature = db.session.scalars(select(Signature).where(Signature.email == email)).one()
    return {(d.chamber, f"{d.state}-{d.district}", d.status) for d in signature.districts}


def sign_and_confirm(client, mailbox, petition, email: str, zip_code: str) -> str:
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email=email, zip=zip_code))
    path = mailbox.last_link(email).replace("http://advocacy.test", "")
    return client.post(path).headers["Location"]


def test_signing_stores_the_districts_found(client, db, make, directory):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="13202-1234"))

    assert districts(db, "maria@example.com") == {
        ("us_house", "NY-22", "matched"),
        ("state_upper", "NY-48", "matched"),
        ("state_lower", "NY-128", "candidate"),
        ("state_lower", "NY-129", "candidate"),
    }


def test_a_repeat_signature_stores_nothing_twice(client, db, make, directory):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="13202"))
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="10001"))

    assert ("us_house", "NY-22", "matched") in districts(db, "maria@example.com")
    assert (
        db.session.scalar(select(SignatureDistrict).where(SignatureDistrict.district == "10"))
        is None
    )


def test_signing_works_without_a_directory(client, db, make, no_directory):
    petition = make.petition()
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="13202"))
    assert response.status_code == 302
    assert districts(db, "maria@example.com") == set()


def test_unknown_zip_signs_and_stores_no_districts(client, db, make, directory):
    petition = make.petition()
    client.post(
        f"/petitions/{petition.slug}/sign", data=sign_form(zip="10118")
    )  # a single-building ZIP
    assert districts(db, "maria@example.com") == set()


def test_thanks_page_asks_split_zip_signers_to_choose(client, db, make, mailbox, directory):
    petition = make.petition()
    thanks = sign_and_confirm(client, mailbox, petition, "ny@example.com", "10001")

    page = client.get(thanks).text
    assert "which districts are yours?" in page
    assert 'name="us_house" value="NY-10"' in page and 'name="us_house" value="NY-12"' in page
    assert 'name="state_upper" value="NY-28"' in page

    response = client.post(thanks + "/districts", data={"us_house": "NY-12"})
    assert response.status_code == 302
    assert districts(db, "ny@example.com") == {
        ("us_house", "NY-12", "chosen"),
        ("state_upper", "NY-28", "candidate"),
        ("state_upper", "NY-47", "candidate"),
        ("state_lower", "NY-75", "matched"),
    }
    page = client.get(response.headers["Location"]).text
    assert "your districts are saved" in page
    assert 'name="us_house"' not in page  # settled
    assert 'name="state_upper"' in page  # still open

    client.post(thanks + "/districts", data={"state_upper": "NY-47"})
    page = client.get(thanks).text
    assert "See who represents you" in page
    assert "us_house=NY-12" in page and "state_upper=NY-47" in page


def test_a_choice_outside_the_candidates_changes_nothing(client, db, make, mailbox, directory):
    petition = make.petition()
    thanks = sign_and_confirm(client, mailbox, petition, "ny@example.com", "10001")
    before = districts(db, "ny@example.com")

    response = client.post(thanks + "/districts", data={"us_house": "NY-3", "state_upper": "NY-47"})
    assert response.status_code == 400
    assert "Choose one of the districts listed." in response.text
    assert districts(db, "ny@example.com") == before

    response = client.post(thanks + "/districts", data={})
    assert response.status_code == 400
    assert "Choose a district" in response.text


def test_choosing_needs_a_valid_token(client, directory):
    response = client.post(
        "/signatures/confirmed/not-a-token/districts", data={"us_house": "NY-12"}
    )
    assert response.status_code == 400


def test_fill_districts_backfills_signatures_made_before_the_directory(
    db, make, runner, no_directory, directory
):
    petition = make.petition()
    make.signature(petition, email="old@example.com", zip="10001")
    make.signature(petition, email="dc@example.com", zip="20001-1234")
    make.signature(petition, email="far@example.com", zip="10118")  # not in the directory

    result = runner.invoke(args=["petitions", "fill-districts"])

    assert "Recorded 6 signature district(s)." in result.output
    assert districts(db, "old@example.com") == {
        ("us_house", "NY-10", "candidate"),
        ("us_house", "NY-12", "candidate"),
        ("state_upper", "NY-28", "candidate"),
        ("state_upper", "NY-47", "candidate"),
        ("state_lower", "NY-75", "matched"),
    }
    assert districts(db, "dc@example.com") == {("us_house", "DC-0", "matched")}
    assert districts(db, "far@example.com") == set()
    # Signatures that have districts are left alone.
    assert (
        "Recorded 0 signature district(s)."
        in runner.invoke(args=["petitions", "fill-districts"]).output
    )


def test_the_directory_corrects_the_state_of_a_zip_across_a_state_line(client, db, make, directory):
    # 06390 (Fishers Island) has a Connecticut prefix but lies in New York.
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="06390"))
    db.session.expire_all()
    signature = db.session.scalars(select(Signature)).one()
    assert signature.state == "NY"
    assert ("us_house", "NY-1", "matched") in districts(db, "maria@example.com")


def test_without_a_directory_the_state_comes_from_the_zip_prefix(client, db, make, no_directory):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="06390"))
    assert db.session.scalars(select(Signature.state)).one() == "CT"
