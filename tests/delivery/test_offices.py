"""Which offices get a packet, and who is counted, named and listed apart in each."""

from __future__ import annotations

import csv
import io
from datetime import date

from advocacy.delivery import packets, services
from advocacy.letters.models import Channel, Letter, LetterStatus, Writer
from tests.delivery.conftest import pdf_text, signed
from tests.letters.conftest import campaign, target

GILLIBRAND = "legislator:G000555"


def _office(petition, key):
    office = services.office_for(petition, key)
    assert office is not None, key
    return office


def _names(petition, office, possible=False):
    return [m.name for b in services.members(petition.id, office, possible=possible) for m in b]


def test_gillibrand_lists_exactly_the_confirmed_ny_signers_who_agreed(make, directory):
    petition = make.petition()
    shown = signed(make, petition, "13202", first_name="Ada", last_name="Shown")
    signed(make, petition, "13202", first_name="Hidden", last_name="Person", public=False)
    signed(make, petition, "13202", first_name="Not", last_name="Confirmed", confirmed=False)
    split = signed(make, petition, "10001", first_name="Split", last_name="Zip")
    signed(make, petition, "94110", first_name="Cal", last_name="Ifornian", state="CA")
    other = make.petition()
    signed(make, other, "13202", first_name="Other", last_name="Petition")

    office = _office(petition, GILLIBRAND)
    # Ada, Hidden and Split (split between two NY districts: still a New Yorker).
    assert (office.constituents, office.possible) == (3, 0)
    assert _names(petition, office) == ["Ada Shown", "Split Zip"]
    assert shown.id < split.id

    text = pdf_text(petition, office)
    assert "Dear Senator Gillibrand:" in text
    assert "The Honorable Kirsten E. Gillibrand" in text
    assert "Ada Shown" in text and "Split Zip" in text
    for absent in ("Hidden Person", "Not Confirmed", "Cal Ifornian", "Other Petition"):
        assert absent not in text
    assert "Confirmed constituents who signed: 3" in text


def test_split_zip_is_possibly_a_constituent_of_each_candidate_district(make, directory):
    petition = make.petition()
    signed(make, petition, "10001", first_name="Split", last_name="Zip")
    signed(make, petition, "10018", first_name="Sure", last_name="Twelve")
    offices = {o.key: o for o in services.offices_for(petition)}
    house = [o for o in offices.values() if o.chamber == "us_house"]
    by_district = {o.district: o for o in house}
    assert {"10", "12"} <= set(by_district)
    ten, twelve = by_district["10"], by_district["12"]
    assert (ten.constituents, ten.possible) == (0, 1)
    assert _names(petition, ten) == [] and _names(petition, ten, possible=True) == ["Split Zip"]
    assert _names(petition, twelve, possible=True) == ["Split Zip"]
    text = pdf_text(petition, ten)
    assert "Possibly your constituents" in text and "Split Zip" in text
    assert "Possibly your constituents (ZIP code crosses district lines): 1" in text


def test_a_zip_across_state_lines_is_possibly_a_constituent_of_both_senators(make, directory):
    petition = make.petition()
    signed(make, petition, "99033", first_name="Border", last_name="Town", state="WA")
    offices = services.offices_for(petition)
    senators = {o.state: o for o in offices if o.chamber == "us_senate"}
    assert set(senators) == {"ID", "WA"}
    assert all((o.constituents, o.possible) == (0, 1) for o in senators.values())
    assert _names(petition, senators["ID"], possible=True) == ["Border Town"]


def test_senators_lists_read_in_small_batches_are_the_whole_lists(make, directory):
    """Keyset batches of a senator's list (on PostgreSQL, each batch reads the state's House
    rows above the last id) give every signer once, in order, settled and "possibly" apart."""
    petition = make.petition()
    for i, zip_code in enumerate(["13202", "10001", "99033", "12203", "13202", "99033"]):
        signed(make, petition, zip_code, first_name="Signer", last_name=str(i))
    signed(make, petition, "13202", first_name="Hidden", last_name="NY", public=False)
    other = make.petition()
    signed(make, other, "13202", first_name="Other", last_name="Petition")
    senators = {o.state: o for o in services.offices_for(petition) if o.chamber == "us_senate"}
    for state, possible, expected in [
        ("NY", False, ["Signer 0", "Signer 1", "Signer 3", "Signer 4"]),
        ("NY", True, []),
        ("WA", False, []),
        ("WA", True, ["Signer 2", "Signer 5"]),
        ("ID", True, ["Signer 2", "Signer 5"]),
    ]:
        batches = list(services.members(petition.id, senators[state], possible=possible, batch=1))
        assert [m.name for b in batches for m in b] == expected, (state, possible)
        assert all(len(b) == 1 for b in batches)


def test_letters_counted_per_office_and_targets_get_packets(make, directory):
    petition = make.petition()
    signed(make, petition, "13202")
    c = campaign(petition=petition)
    aamc = target(c)
    writer = Writer(campaign_id=c.id, first_name="W", last_name="R", email="w@example.com",
                    zip="13202")  # fmt: skip
    from advocacy.extensions import db

    db.session.add(writer)
    db.session.flush()
    for key, status in [
        (GILLIBRAND, LetterStatus.SENT),
        (f"target:{aamc.id}", LetterStatus.QUEUED),
        ("legislator:S000148", LetterStatus.DRAFTED),  # not confirmed: not counted
    ]:
        db.session.add(Letter(campaign_id=c.id, writer_id=writer.id, recipient_key=key,
                              recipient_kind="legislator", recipient_name="X",
                              recipient_salutation="Dear X:", channel=Channel.EMAIL,
                              status=status, subject="S", body="B"))  # fmt: skip
    db.session.commit()
    offices = {o.key: o for o in services.offices_for(petition)}
    assert offices[GILLIBRAND].letters == 1
    assert offices["legislator:S000148"].letters == 0
    assert offices[f"target:{aamc.id}"].letters == 1
    assert offices[f"target:{aamc.id}"].constituents == 1
    assert list(offices)[-1] == f"target:{aamc.id}"
    text = pdf_text(petition, offices[f"target:{aamc.id}"])
    assert "Dear Dr. Skorton:" in text and "Letters sent to this office: 1" in text


def test_csv_is_formula_safe_and_lists_the_possible_apart(make, directory):
    petition = make.petition()
    signed(make, petition, "10001", first_name="=HYPERLINK(\"x\")", last_name="Evil",
           comment="@SUM(1+1)", city="-Town")  # fmt: skip
    signed(make, petition, "10018", first_name="Plain", last_name="Person", comment="+1 yes")
    office = _office(petition, GILLIBRAND)
    rows = list(csv.reader(io.StringIO(packets.csv_bytes(petition, office).decode("utf-8-sig"))))
    assert rows[0] == list(packets.CSV_HEADER)
    for row in rows[1:]:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row), row
    assert rows[1][:2] == ['\'=HYPERLINK("x") Evil', "'-Town"]
    assert rows[1][4] == "'@SUM(1+1)" and rows[2][4] == "'+1 yes"
    house12 = next(o for o in services.offices_for(petition) if o.chamber == "us_house"
                   and o.district == "12")  # fmt: skip
    table = packets.csv_bytes(petition, house12).decode("utf-8-sig").splitlines()
    assert table[1].endswith(",yes") and "Plain Person" in table[1]
    assert table[2].endswith(",possibly") and "Evil" in table[2]


def test_the_petition_body_is_plain_text(make, directory):
    # Raw HTML is text in organizer Markdown (as on the petition page).
    petition = make.petition(body="# Why\n\nWe ask **Congress** to <b>act</b>.\n\n- one\n- two")
    assert packets.markdown_paragraphs(petition.body) == [
        "Why", "We ask Congress to <b>act</b>.", "• one", "• two"
    ]  # fmt: skip
    # A hard-wrapped paragraph (soft breaks) reads as one paragraph, not broken lines.
    assert packets.markdown_paragraphs("Hospitals are\nstretched thin.\n\nNext.") == [
        "Hospitals are stretched thin.",
        "Next.",
    ]
    signed(make, petition, "13202", comment="<b>bold</b> & more")
    text = pdf_text(petition, _office(petition, GILLIBRAND))
    assert "We ask Congress to <b>act</b>." in text and "**" not in text
    assert "<b>bold</b> & more" in text


def test_a_large_office_is_split_over_pages(make, directory, db):
    from advocacy.petitions.models import Signature, SignatureDistrict

    petition = make.petition()
    rows = [Signature(petition_id=petition.id, first_name="Many", last_name=f"N{i:04d}",
                      email=f"m{i}@example.com", zip="13202", state="NY",
                      confirmed_at=petition.created_at, comment="word " * (i % 60))
            for i in range(600)]  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    from advocacy.petitions import services as petitions

    petitions.fill_districts(petition.id)
    assert db.session.query(SignatureDistrict).count() >= 600
    office = _office(petition, GILLIBRAND)
    names = _names(petition, office)
    assert len(names) == 600 and names == sorted(names)
    from datetime import date

    from tests.letters.pdftext import read

    document = read(packets.pdf_bytes(petition, office, date(2026, 12, 1)))
    assert len(document.pages) > 10
    assert all(f"Many N{i:04d}" in document.text for i in (0, 299, 599))


def test_hostile_text_still_sets_a_packet(make, directory):
    """Words wider than the page, scripts the font lacks, markup and PDF syntax in the
    organizer's and the signers' text: the packet is built and reads back as written."""
    from tests.letters.pdftext import read

    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
    petition = make.petition(
        title=f"({long_word[:150]}) \\ ) ( <b>",  # titles hold 200 characters
        summary="日本語 🩺 ٱلْعَرَبِيَّة — mixed scripts",
        body=f"{long_word}\n\n" + "%PDF-1.4 endstream endobj (unbalanced \\",
    )
    signed(make, petition, "13202", first_name="Nguyễn", last_name=long_word[:60],
           comment="BT /F1 12 Tf (x) Tj ET " * 20, city="Ŵrexham")  # fmt: skip
    office = _office(petition, GILLIBRAND)
    document = read(packets.pdf_bytes(petition, office, date(2026, 12, 1)))
    text = document.text.replace("\n", "")
    assert "%PDF-1.4 endstream endobj (unbalanced \\" in text
    assert long_word in text.replace(" ", "")  # cut over lines, every letter kept
    assert "Nguyễn" in text and "Ŵrexham" in text and "BT /F1 12 Tf (x) Tj ET" in text


def test_a_build_reads_a_states_senators_once_and_nothing_outside_it(make, directory, db):
    from sqlalchemy import event

    petition = make.petition()
    signed(make, petition, "13202", first_name="Ada", last_name="Shown")
    schumer, gillibrand = (_office(petition, f"legislator:{i}") for i in ("S000148", "G000555"))
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with services.senate_shared():
            first = _names(petition, schumer)
            read = len(statements)
            assert _names(petition, gillibrand) == first == ["Ada Shown"]
            assert len(statements) == read  # the second senator's list came from the first
        signed(make, petition, "13202", first_name="Late", last_name="Comer")
        statements.clear()
        assert _names(petition, gillibrand) == ["Ada Shown", "Late Comer"]  # read afresh
        assert statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_shared_senate_lists_belong_to_the_building_thread():
    """A build in a thread of the web server shares nothing with the requests beside it."""
    import threading

    seen = []
    with services.senate_shared():
        other = threading.Thread(target=lambda: seen.append(getattr(services._senate, "on", False)))
        other.start()
        other.join()
        assert services._senate.on is True
    assert seen == [False] and services._senate.on is False
