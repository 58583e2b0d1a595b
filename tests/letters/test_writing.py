"""Writing: from a confirmed signature to drafted letters, one per office."""

from __future__ import annotations

from advocacy.letters.models import Channel, LetterStatus

from .conftest import letters_of, sign_and_confirm, writing_page


def test_thanks_page_offers_letters_and_13202_writes_to_every_own_legislator(
    client, mailbox, petition_campaign
):
    petition = petition_campaign.petition
    page = writing_page(client, sign_and_confirm(client, mailbox, petition))
    html = client.get(page).get_data(as_text=True)
    assert "Which district is yours?" in html
    assert "NY-128" in html and "NY-129" in html
    response = client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Which district is yours?" not in html
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May",
                 "Bill Magnarelli"):  # fmt: skip
        assert name in html
    assert "Pamela Hunter" not in html
    assert "Offices give more weight to letters in your own words" in html

    note = "My daughter matched in Syracuse; the hospital needs more slots."
    response = client.post(page, data={"personal_note": note})
    assert response.status_code == 302, response.get_data(as_text=True)
    letters = {x.recipient_name: x for x in letters_of("maria@example.com")}
    assert set(letters) == {"Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion",
                            "Rachel May", "Bill Magnarelli"}  # fmt: skip
    assert letters["Charles E. Schumer"].recipient_salutation == "Dear Senator Schumer:"
    assert letters["John W. Mannion"].recipient_salutation == "Dear Representative Mannion:"
    assert letters["Bill Magnarelli"].recipient_salutation == "Dear Assembly Member Magnarelli:"
    assert letters["Rachel May"].recipient_salutation == "Dear Senator May:"
    assert letters["Charles E. Schumer"].channel is Channel.WEB_FORM
    assert letters["John W. Mannion"].channel is Channel.WEB_FORM
    assert letters["Rachel May"].channel is Channel.EMAIL
    assert letters["Bill Magnarelli"].channel is Channel.EMAIL
    for letter in letters.values():
        assert letter.status is LetterStatus.DRAFTED
        assert note in letter.body
        assert 0 < letter.personal_share < 1
    assert "H.R. 3890, S. 2439" in letters["Rachel May"].subject


def test_the_writer_signs_with_a_prefix_and_postal_address_kept_for_every_letter(
    client, mailbox, petition_campaign
):
    from advocacy.letters.writing import full_text

    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    html = client.get(page).get_data(as_text=True)
    assert "Your name and address on the letters" in html

    # A prefix that is not offered is refused beside its field; the other entries are kept.
    bad = {"prefix": "Sir", "address": "100 S Salina St", "city": "Syracuse",
           "personal_note": "I am a medical graduate."}  # fmt: skip
    response = client.post(page, data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid choice" in html
    assert 'value="100 S Salina St"' in html and "I am a medical graduate." in html
    assert letters_of("maria@example.com") == []

    response = client.post(page, data={**bad, "prefix": "Dr."})
    assert response.status_code == 302
    letters = letters_of("maria@example.com")
    assert len(letters) == 5
    writer = letters[0].writer
    assert (writer.prefix, writer.address, writer.city) == ("Dr.", "100 S Salina St", "Syracuse")
    for letter in letters:
        text = full_text(letter)
        assert text.endswith("Maria Okonkwo\n100 S Salina St\nSyracuse, NY 13202"), text
        assert "As your constituent in Syracuse" in letter.body

    # Clearing the address on a redraft takes it off the letters again.
    client.post(page, data={"prefix": "", "address": "", "city": "", "personal_note": "Again."})
    writer = letters_of("maria@example.com")[0].writer
    assert (writer.prefix, writer.address, writer.city) == (None, None, None)


def test_the_district_choice_names_who_holds_each_district(client, mailbox, petition_campaign):
    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    html = client.get(page).get_data(as_text=True)
    assert 'NY District 128 <span class="muted">· Pamela Hunter</span>' in html
    assert 'NY District 129 <span class="muted">· Bill Magnarelli</span>' in html


def test_a_district_chosen_on_either_page_is_chosen_on_both(client, mailbox, petition_campaign):
    from advocacy.extensions import db
    from advocacy.petitions.models import Signature

    def signature_lower(email):
        db.session.expire_all()
        signature = db.session.scalars(db.select(Signature).where(Signature.email == email)).one()
        return sorted((r.key, r.status) for r in signature.districts if r.chamber == "state_lower")

    # Chosen on the writing page: the signature (which packets count) is settled too.
    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    assert signature_lower("maria@example.com") == [("NY-129", "chosen")]

    # Chosen on the thank-you page after the letters were started: the writer follows.
    thanks = sign_and_confirm(client, mailbox, petition_campaign.petition, email="sam@example.com")
    page = writing_page(client, thanks)
    assert "Which district is yours?" in client.get(page).get_data(as_text=True)
    client.post(f"{thanks}/districts", data={"state_lower": "NY-128"})
    html = client.get(page).get_data(as_text=True)
    assert "Which district is yours?" not in html
    assert "Pamela Hunter" in html and "Bill Magnarelli" not in html
