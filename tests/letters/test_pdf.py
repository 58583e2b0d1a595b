"""Printed letters: US Letter, the business-letter blocks in order, names in any script,
text printed as written (never as markup), pages numbered only when there are several."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace

import pytest

from advocacy.letters import pdf
from advocacy.letters.pdf import PrintedLetter, render_pdf

from . import pdftext

LETTER = PrintedLetter(
    date=datetime.date(2026, 12, 1),
    sender_lines=["Maria Okonkwo", "100 S Salina St", "Syracuse, NY 13202"],
    inside_address=[
        "The Honorable Charles E. Schumer",
        "United States Senate",
        "322 Hart Senate Office Building",
        "Washington, DC 20510",
    ],
    salutation="Dear Senator Schumer:",
    body=(
        "I am writing as your constituent to ask you to cosponsor S. 2439.\n\n"
        "I graduated from medical school in 2023 and have applied to residency twice."
    ),
    signer="Maria Okonkwo",
    reference="Letter 12 · rpsra-senate",
)
LONG_BODY = "\n\n".join(
    f"Paragraph {n}. " + "Residency positions matter in shortage areas. " * 25 for n in range(1, 4)
)


def read(letters):
    data = render_pdf(letters)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    return pdftext.read(data)


def test_one_letter_is_one_us_letter_page():
    doc = read([LETTER])
    assert len(doc.pages) == 1
    assert doc.pages[0].media_box == [0, 0, 612, 792]


def test_the_blocks_in_business_letter_order():
    text = read([LETTER]).text
    lines = text.splitlines()
    order = [
        "Maria Okonkwo",
        "100 S Salina St",
        "Syracuse, NY 13202",
        "December 1, 2026",
        "The Honorable Charles E. Schumer",
        "United States Senate",
        "322 Hart Senate Office Building",
        "Washington, DC 20510",
        "Dear Senator Schumer:",
        "Sincerely,",
    ]
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)
    assert lines[positions[-1] + 1] == "Maria Okonkwo"  # the typed name under the signature
    assert "cosponsor S. 2439." in text
    assert "applied to residency twice." in text
    assert "Letter 12 · rpsra-senate" in text
    assert "Page " not in text  # one page: no number


def test_metadata_title_and_author():
    doc = read([LETTER])
    assert doc.info["Title"] == "Letter to The Honorable Charles E. Schumer"
    assert doc.info["Author"] == "Maria Okonkwo"


def test_a_long_body_flows_onto_numbered_pages():
    doc = read([replace(LETTER, body=LONG_BODY)])
    assert len(doc.pages) == 2
    assert "Page 1 of 2" in doc.pages[0].text
    assert "Page 2 of 2" in doc.pages[1].text
    assert "Paragraph 3." in doc.pages[1].text
    # the closing and the signature are never alone on the last page
    last = doc.pages[1].text
    assert last.index("Sincerely,") > last.index("Paragraph 3.")


def test_several_letters_one_per_page_numbered_separately():
    other = replace(
        LETTER,
        inside_address=["The Honorable Kirsten E. Gillibrand", "United States Senate"],
        salutation="Dear Senator Gillibrand:",
        reference="Letter 13",
    )
    doc = read([replace(LETTER, body=LONG_BODY), other, LETTER])
    assert len(doc.pages) == 4
    assert "Page 2 of 2" in doc.pages[1].text
    assert "Dear Senator Gillibrand:" in doc.pages[2].text
    assert "Page" not in doc.pages[2].text
    assert "Letter 13" in doc.pages[2].text
    assert doc.pages[3].text.count("Dear Senator Schumer:") == 1
    assert doc.info["Title"] == "3 letters"


@pytest.mark.parametrize("name", ["Łukasz Wróbel", "Nguyễn Thị Minh", "Zoë Brontë", "Ñúñez Peña"])
def test_names_in_any_latin_script_print_in_the_shipped_font(name):
    letter = replace(LETTER, sender_lines=[name, "1 Main St"], signer=name, body=f"From {name}.")
    doc = read([letter])
    assert doc.text.count(name) == 3  # sender block, body, typed name
    assert doc.pages[0].fonts  # and no fallback font is used for any text
    assert all("DejaVuSerif" in font for font in doc.pages[0].fonts)
    assert doc.info["Author"] == name


def test_markup_characters_are_printed_as_written():
    nasty = 'Ann <script>alert(1)</script> & Co. <b>bold</b> <font size="40">x</font>'
    letter = replace(
        LETTER,
        sender_lines=[nasty, "1 <br/> St"],
        salutation="Dear <i>Senator</i> & friends:",
        body=f"{nasty}\n\nA &amp; B &lt; C <para>",
        signer=nasty,
        reference="<ref> & more",
    )
    text = " ".join(read([letter]).text.split())  # a long line may wrap anywhere
    assert text.count(nasty) == 3
    assert "1 <br/> St" in text
    assert "Dear <i>Senator</i> & friends:" in text
    assert "A &amp; B &lt; C <para>" in text
    assert "<ref> & more" in text


def test_control_characters_do_not_break_the_build():
    letter = replace(LETTER, body="Bell\x07 here\x00.\x1b\tTabbed.", signer="Maria\x0bOkonkwo")
    text = read([letter]).text
    assert "Bell here. Tabbed." in text
    assert "MariaOkonkwo" in text


def test_single_newlines_in_a_paragraph_are_kept():
    letter = replace(LETTER, body="First line\nsecond line\n\nNext paragraph")
    lines = read([letter]).text.splitlines()
    assert lines.index("second line") == lines.index("First line") + 1


def test_a_very_long_word_wraps_inside_the_margins():
    url = "https://advocacy.example.org/" + "x" * 400
    doc = read([replace(LETTER, body=url)])
    assert len(doc.pages) == 1
    assert re.sub(r"\s", "", doc.text).count(url) == 1


def test_no_letters_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        render_pdf([])


def test_fonts_ship_with_their_licence():
    assert (pdf.FONT_DIR / "DejaVuSerif.ttf").is_file()
    assert (pdf.FONT_DIR / "DejaVuSerif-Bold.ttf").is_file()
    licence = (pdf.FONT_DIR / "LICENSE-DejaVu.txt").read_text()
    assert "Bitstream Vera" in licence
    assert pdf.register_fonts() == pdf.register_fonts() == ("LetterSerif", "LetterSerif-Bold")
