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
