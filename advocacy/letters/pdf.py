"""Printed letters: US Letter PDFs in the block business-letter layout, with ReportLab.

Each letter starts on a new page: the sender's name and address, the date, the inside
address, the salutation, the body, the closing, room for a handwritten signature and the
typed name. 1-inch margins; a long letter flows on to more pages, which are numbered
"Page 2 of 3" (a one-page letter carries no number). The font is DejaVu Serif, shipped in
``advocacy/static/fonts`` (free licence, covers accented and non-Latin-1 names), registered
once per process. Every text given here is the organizer's or the supporter's: it is
escaped before ReportLab's paragraph markup sees it, so ``<b>`` or ``&`` print as written.
"""

from __future__ import annotations

import datetime
import io
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "LetterSerif"
FONT_BOLD = "LetterSerif-Bold"
PAGE_WIDTH, PAGE_HEIGHT = LETTER  # 612 x 792 points
MARGIN = inch
BODY_SIZE = 11.5
LEADING = 15
SIGNATURE_SPACE = 0.75 * inch  # room to sign by hand, above the typed name
FOOTER_GREY = Color(0.35, 0.35, 0.35)

# C0 controls other than tab and newline (and DEL) would end up as boxes or break the markup.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")


@dataclass(frozen=True)
class PrintedLetter:
    """One letter as it is printed; every text is plain (no markup)."""

    date: datetime.date
    sender_lines: Sequence[str]  # the supporter's name, then the address lines
    inside_address: Sequence[str]  # "The Honorable …", the body, the street, the city
    salutation: str  # "Dear Senator Schumer:"
    body: str  # paragraphs separated by blank lines
    signer: str  # the supporter's name, typed under the signature
    closing: str = "Sincerely,"
    reference: str | None = None  # a small footer line: "Letter 12 · campaign-slug"


_PROGRAMS_LOCK = threading.Lock()


class _SubsetCachingFace(TTFontFace):
    """A TrueType face that keeps the compressed font programs of the last subsets it made.

    Each PDF embeds the subset of the font it uses, made when the file is written: the glyphs
    copied out of the font (about 0.9 ms for DejaVu Serif) and deflated (about 1.2 ms). A
    packet build writes thousands of PDFs whose subsets are the same characters in the same
    order (the platform's own text, ASCII names), so the program is made once and the next
    documents embed the same bytes. ``addSubsetObjects`` is ReportLab's own (5.1), with the
    stream given already deflated, which ``PDFStream`` leaves as it is when "Filter" is set,
    and the descriptor formatted once per subset name.
    """

    KEEP = 32  # subsets kept (tens of kilobytes each)

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:  # noqa: N802
        programs = self.__dict__.setdefault("_programs", OrderedDict())
        key = tuple(subset)
        # Web threads render letters at once: the cache is shared, and makeSubset reads the
        # font file through the face's own cursor, which two threads must not move together.
        with _PROGRAMS_LOCK:
            found = programs.get(key)
            if found is None:
                raw = self.makeSubset(subset)
                found = programs[key] = (len(raw), zlib.compress(raw))
                if len(programs) > self.KEEP:
                    programs.popitem(last=False)
            else:
                programs.move_to_end(key)
        length, deflated = found
        font_file = pdfdoc.PDFStream()
        font_file.dictionary["Length1"] = length
        if doc.compression:
            font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            font_file.content = deflated
        else:
            font_file.content = zlib.decompress(deflated)
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        descriptors = self.__dict__.setdefault("_descriptors", {})
        with _PROGRAMS_LOCK:
            parts = descriptors.get(fontname)
            if parts is None:
                descriptor = pdfdoc.PDFDictionary(
                    {
                        "Type": "/FontDescriptor",
                        "Ascent": self.ascent,
                        "CapHeight": self.capHeight,
                        "Descent": self.descent,
                        "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                        "FontBBox": pdfdoc.PDFArray(self.bbox),
                        "FontName": pdfdoc.PDFName(fontname),
                        "ItalicAngle": self.italicAngle,
                        "StemV": self.stemV,
                        "FontFile2": _hole("FontFile2"),
                        "MissingWidth": self.defaultWidth,
                    }
                )
                parts = descriptors[fontname] = _template(descriptor, doc)
        formatted = _Formatted(parts, {"FontFile2": font_file_ref})
        return doc.Reference(formatted, "fontDescriptor:" + fontname)


def _hole(name: str) -> bytes:
    """A stand-in for a reference in an object formatted once (bytes are written as is)."""
    return b"\0" + name.encode() + b"\0"


def _template(obj: Any, doc: Any) -> list[bytes | str]:
    """``obj`` formatted, as bytes between the names of its holes (``_hole``)."""
    parts = re.split(rb"\0(\w+)\0", obj.format(doc))
    return [part if i % 2 == 0 else part.decode() for i, part in enumerate(parts)]


class _Formatted(pdfdoc.PDFObject):
    """A PDF object formatted once (``_template``), its holes filled with this document's
    references when it is written: ReportLab's bytes, without formatting them again."""

    __RefOnly__ = 1

    def __init__(self, parts: list[bytes | str], refs: dict[str, Any]):
        self.parts, self.refs = parts, refs

    def format(self, document: Any) -> bytes:
        return b"".join(
            part if isinstance(part, bytes) else self.refs[part].format(document)
            for part in self.parts
        )


class _SubsetCachingFont(TTFont):
    """A TrueType font whose subsets' PDF objects reuse what the last documents made.

    Besides its program and descriptor (``_SubsetCachingFace``), each subset a PDF embeds has
    a font dictionary with a widths array (one number a glyph, each formatted by ReportLab in
    Python) and a ToUnicode map (built as text and deflated), the same for every document that
    uses the same subset. They are kept formatted (``_Formatted``) and deflated, as bytes,
    which ReportLab writes as they are; the output is byte for byte ReportLab's own.
    ``addObjects`` is ReportLab's (5.1) otherwise.
    """

    KEEP = 32  # subsets kept (a few kilobytes each)

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - ReportLab's name
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        parts = self.__dict__.setdefault("_parts", OrderedDict())
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            face = self.face
            base_name = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
            key = (internal_name, base_name, tuple(subset))
            with _PROGRAMS_LOCK:
                found = parts.get(key)
                if found is None:
                    widths = pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset])
                    cmap = makeToUnicodeCMap(base_name, subset)
                    pdf_font = pdfdoc.PDFTrueTypeFont()
                    pdf_font.Name = internal_name
                    pdf_font.BaseFont = base_name
                    pdf_font.FirstChar = 0
                    pdf_font.LastChar = len(subset) - 1
                    pdf_font.Widths = widths
                    pdf_font.ToUnicode = _hole("ToUnicode")
                    pdf_font.FontDescriptor = _hole("FontDescriptor")
                    template = _template(pdf_font, doc)
                    found = parts[key] = (template, cmap, pdfdoc.PDFZCompress.encode(cmap))
                    if len(parts) > self.KEEP:
                        parts.popitem(last=False)
                else:
                    parts.move_to_end(key)
            template, cmap, deflated = found
            cmap_stream = pdfdoc.PDFStream()
            if doc.compression:
                cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray(
                    [pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)]
                )
                cmap_stream.content = deflated
            else:
                cmap_stream.content = cmap
            refs = {
                "ToUnicode": doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name),
                "FontDescriptor": self.face.addSubsetObjects(doc, base_name, subset),
            }
            pdf_font = _Formatted(template, refs)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


def _font(name: str, path: Path) -> TTFont:
    font = TTFont(name, str(path))
    font.__class__ = _SubsetCachingFont  # widths and ToUnicode maps kept
    font.face.__class__ = _SubsetCachingFace  # the parsed face, with subsets kept
    return font


@cache
def register_fonts() -> tuple[str, str]:
    """Register the shipped fonts with ReportLab, once per process; their names."""
    pdfmetrics.registerFont(_font(FONT, FONT_DIR / "DejaVuSerif.ttf"))
    pdfmetrics.registerFont(_font(FONT_BOLD, FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return FONT, FONT_BOLD


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "letter",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=LEADING,
        splitLongWords=True,
        allowWidows=0,
        allowOrphans=0,
    )
    return {
        "line": ParagraphStyle("line", parent=base),
        "sender_name": ParagraphStyle("sender_name", parent=base, fontName=FONT_BOLD),
        "body": ParagraphStyle("body", parent=base, spaceAfter=LEADING * 0.75),
        "salutation": ParagraphStyle("salutation", parent=base, spaceAfter=LEADING * 0.75),
    }


def plain(text: str) -> str:
    """``text`` as ReportLab paragraph markup that shows exactly that text: markup
    characters escaped, control characters dropped, tabs as spaces."""
    return escape(_CONTROL.sub("", str(text)).replace("\t", " "))


def _lines(text: str) -> str:
    """Several lines of text in one paragraph, each kept on its own line."""
    return "<br/>".join(plain(line) for line in str(text).splitlines())


def _date(value: datetime.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


class _LetterStart(Flowable):
    """Marks on the canvas which letter the page belongs to (numbering, footer)."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._letter_index = self.index


def _story(letter: PrintedLetter, index: int) -> list[Flowable]:
    styles = _styles()
    line, gap = styles["line"], Spacer(1, LEADING)
    story: list[Flowable] = [_LetterStart(index)]
    senders = [s for s in letter.sender_lines if str(s).strip()]
    if senders:
        story.append(Paragraph(plain(senders[0]), styles["sender_name"]))
        story += [Paragraph(plain(s), line) for s in senders[1:]]
        story.append(gap)
    story += [Paragraph(_date(letter.date), line), gap]
    story += [Paragraph(plain(s), line) for s in letter.inside_address if str(s).strip()]
    story += [gap, Paragraph(plain(letter.salutation), styles["salutation"])]
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(str(letter.body).strip()) if p.strip()]
    body = [Paragraph(_lines(p), styles["body"]) for p in paragraphs]
    ending = [
        Paragraph(plain(letter.closing), line),
        Spacer(1, SIGNATURE_SPACE),
        Paragraph(plain(letter.signer), line),
    ]
    # The closing and the signature never stand alone on a page: the last paragraph
    # goes with them.
    story += body[:-1]
    story.append(KeepTogether(body[-1:] + ending))
    return story


def _canvas_class(letters: Sequence[PrintedLetter]) -> type[Canvas]:
    """A canvas that holds pages back until the end, to number each letter's pages."""

    class LetterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._letter_index = 0
            self._pages: list[tuple[dict[str, Any], int]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append((dict(self.__dict__), self._letter_index))
            self._startPage()

        def save(self) -> None:
            totals: dict[int, int] = {}
            for _, index in self._pages:
                totals[index] = totals.get(index, 0) + 1
            seen: dict[int, int] = {}
            for state, index in self._pages:
                self.__dict__.update(state)
                seen[index] = seen.get(index, 0) + 1
                self._footer(letters[index], seen[index], totals[index])
                super().showPage()
            super().save()

        def _footer(self, letter: PrintedLetter, number: int, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(FOOTER_GREY)
            y = MARGIN / 2
            if letter.reference:
                self.drawString(MARGIN, y, _CONTROL.sub("", letter.reference)[:120])
            if total > 1:
                self.drawRightString(PAGE_WIDTH - MARGIN, y, f"Page {number} of {total}")
            self.restoreState()

    return LetterCanvas


def render_pdf(letters: Sequence[PrintedLetter]) -> bytes:
    """The letters as one PDF, each starting on a new page."""
    if not letters:
        raise ValueError("render_pdf needs at least one letter")
    register_fonts()
    buffer = io.BytesIO()
    signers = list(dict.fromkeys(_CONTROL.sub("", letter.signer) for letter in letters))
    first = letters[0]
    title = (
        f"Letter to {_CONTROL.sub('', first.inside_address[0])}"
        if len(letters) == 1 and first.inside_address
        else f"{len(letters)} letters"
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=", ".join(signers[:3]) + (" and others" if len(signers) > 3 else ""),
        subject=_CONTROL.sub("", first.salutation) if len(letters) == 1 else "Letters",
        creator="Advocacy",
    )
    frame = Frame(
        MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN, id="body",
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="letter", frames=[frame])])
    story: list[Flowable] = []
    for index, letter in enumerate(letters):
        if index:
            story.append(PageBreak())
        story += _story(letter, index)
    doc.build(story, canvasmaker=_canvas_class(letters))
    return buffer.getvalue()


__all__ = ["PrintedLetter", "register_fonts", "render_pdf"]
