"""The packet typesetter: wrapping, the fast glyph encoding, and font subsets made once."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from advocacy.delivery import typeset
from advocacy.letters import pdf as letter_pdf
from tests.letters.pdftext import read

FONT, BOLD = letter_pdf.register_fonts()


@pytest.mark.parametrize(
    "text",
    [
        "Thousands of qualified doctors go unmatched every year while patients wait.",
        "a " * 200,
        "https://example.org/" + "x" * 300 + " then more words after the long one",
        "Nguyễn Thị Minh Khai — “quoted” words…",
        "",
    ],
)
def test_wrap_keeps_every_word_in_order_and_within_the_width(text):
    width = 120.0
    lines = typeset.wrap(text, FONT, 11, width)
    assert all(stringWidth(line, FONT, 11) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if text.strip():
        assert lines and all(lines)
    else:
        assert lines == []


def test_wrap_fills_lines_rather_than_breaking_early():
    words = ["word"] * 60
    lines = typeset.wrap(" ".join(words), FONT, 11, 200)
    for line, following in zip(lines, lines[1:], strict=False):
        first = following.split()[0]
        assert stringWidth(f"{line} {first}", FONT, 11) > 200


def _canvas() -> Canvas:
    return Canvas(io.BytesIO())


def test_the_encoder_gives_reportlabs_own_codes():
    """The translate short cut and ReportLab's splitString agree on every text, including
    characters first seen late, a no-break space and a character the font lacks."""
    texts = ["Plain ASCII", "café “quotes”", "Nguyễn\u00a0Văn", "café again", "日本", "Ωmega"]
    fast_doc, slow_doc = _canvas()._doc, _canvas()._doc
    fast = typeset.Encoder(FONT, fast_doc, common="“”")
    font = getFont(FONT)
    font.splitString("“”", slow_doc)
    for text in texts * 2:
        assert fast.chunks(text) == list(font.splitString(text, slow_doc)), text


def _pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    page = typeset.Typesetter(canvas, margin=72, footer=lambda c, n: None, fonts=(FONT, BOLD))
    for line in lines:
        page.paragraph(line, FONT, 11, 15)
    page.finish()
    canvas.save()
    return buffer.getvalue()


def test_text_set_by_the_typesetter_reads_back_and_flows_over_pages():
    names = [f"Signer Nguyễn {i:03d} — “ok”" for i in range(120)]
    document = read(_pdf(names))
    assert len(document.pages) >= 3
    for name in (names[0], names[59], names[-1]):
        assert name in document.text


def test_each_font_subset_is_made_once_for_documents_that_use_the_same_characters(
    monkeypatch,
):
    face = getFont(FONT).face
    calls = []
    real = face.makeSubset
    monkeypatch.setattr(face, "makeSubset", lambda subset: calls.append(1) or real(subset))
    first = _pdf(["A line only this test sets: qzx 123 ŵ"])
    made = len(calls)
    second = _pdf(["A line only this test sets: qzx 123 ŵ"])
    assert made >= 1 and len(calls) == made  # the second document reused the program
    assert read(second).text == read(first).text
    third = _pdf(["A different character: ŷ"])
    assert len(calls) > made and "ŷ" in read(third).text


@pytest.mark.parametrize("compression", [1, 0])
def test_kept_font_objects_write_the_same_bytes_as_reportlab(monkeypatch, compression):
    """The subsets' programs, widths and ToUnicode maps kept between documents
    (``letters.pdf``) make exactly the file ReportLab's own TrueType font makes."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random file id
    plain = ("PlainSerif", "PlainSerif-Bold")
    for name, file in zip(plain, ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"), strict=True):
        # Beside (not through) registerFont, which would hand back the registered face.
        font = TTFont(name, str(letter_pdf.FONT_DIR / file))
        assert type(font) is TTFont and type(font.face) is TTFontFace
        monkeypatch.setitem(pdfmetrics._fonts, name, font)

    def document(fonts: tuple[str, str]) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pageCompression=compression)
        page = typeset.Typesetter(canvas, margin=72, footer=lambda c, n: None, fonts=fonts)
        for i in range(80):
            page.paragraph(f"Signer {i} Nguyễn — “ok” 日本 Ωmega", fonts[i % 2], 11, 15)
        page.finish()
        canvas.save()
        return buffer.getvalue()

    expected = document(plain)
    assert document((FONT, BOLD)) == expected
    assert document((FONT, BOLD)) == expected  # from the kept objects this time


def test_a_row_writes_what_its_lines_set_one_by_one_write():
    """``Typesetter.row`` (the table's fast path) against ``text_at`` line by line: the same
    operators, through first-seen characters, later subsets, empty lines and a colour."""
    cells = [
        ["Ada Lovelace", "Nguyễn Văn (A)"],
        [""],
        ["日本", "Ωmega\\back"],
        ["plain", "again", "three"],
    ]
    lefts = [72.0, 180.5, 260.25, 330.0]

    def setter() -> typeset.Typesetter:
        page = typeset.Typesetter(_canvas(), margin=72, footer=lambda c, n: None,
                                  fonts=(FONT, BOLD))  # fmt: skip
        page.text_at(72, 700, "grey first", BOLD, 9, colour=(0.5, 0.5, 0.5))
        return page

    by_row, by_line = setter(), setter()
    for _ in range(2):  # the second time, every character is known
        by_row.row(zip(lefts, cells, strict=True), FONT, 8.5, 10.5, first=650)
        for left, lines in zip(lefts, cells, strict=True):
            for i, line in enumerate(lines):
                by_line.text_at(left, 650 - i * 10.5, line, FONT, 8.5)
    assert "\n".join(by_row._text) == "\n".join(by_line._text)  # as the page's stream
    assert any("Tf" in op for op in by_row._text[3:])  # a later subset was switched to


@pytest.mark.parametrize(
    "text",
    ["Ada Lovelace", " Ada", "Ada ", "Ada  Lovelace", "Ada\tLovelace", "Ada\u00a0Lovelace",
     "Ada\u2028Lovelace", "Ada\x00\x07Love\x1flace", "Nguyễn Văn", "", "  ", "x" * 400],
)  # fmt: skip
def test_table_cells_are_cleaned_whatever_path_they_take(text):
    """A clean cell skips the clean-up (checked in C); any other loses its control characters
    and runs of white space, as every cell did before."""
    from advocacy.delivery import packets

    lines = packets._fit(text, 110.0, 3)
    assert lines == packets._fit(" ".join(packets._CONTROL.sub("", text).split()), 110.0, 3)
    for line in lines:
        assert line.isprintable() and "  " not in line and line == line.strip()
