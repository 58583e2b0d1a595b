"""One office's packet: a PDF (cover letter, petition text, counts, the named signers) and the
same list as CSV, each written to a file object as the members are read.

The PDF is a platypus document fed lazily: the story is a list that refills itself from a
generator while ReportLab consumes it, so only one batch of members (``services.BATCH``) is in
Python at a time. The table is drawn by a small flowable (a page's worth of rows each) rather
than platypus ``Table``, which measures every cell twice and is many times slower; the pages
ReportLab keeps until it saves are compressed content streams, a few kilobytes each. Fonts
and escaping are the letters' own (``letters.pdf``).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

import nh3
from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
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

from advocacy.core.csvsafe import safe_cell
from advocacy.core.text import render_markdown
from advocacy.delivery.services import Member, Office, members
from advocacy.letters.pdf import FONT, FONT_BOLD, LEADING, MARGIN, plain, register_fonts
from advocacy.petitions.models import Petition

PAGE_WIDTH, PAGE_HEIGHT = LETTER
WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = Color(0.35, 0.35, 0.35)
RULE = Color(0.82, 0.82, 0.82)
ROWS_PER_BLOCK = 40
TABLE_SIZE = 8.5
TABLE_LEADING = 10.5
CELL_PAD = 3
GUTTER = 8  # white space between columns
# name, city, ZIP, signed, comment (points; together the text width, 468)
COLUMNS = (("Name", 110.0), ("City", 86.0), ("ZIP", 44.0), ("Signed", 56.0), ("Comment", 172.0))
COMMENT_LINES = 14  # 500 characters at most; never cut in practice
CSV_HEADER = ("name", "city", "zip", "signed", "comment", "constituent")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- CSV --------------------------------------------------------------------------------------


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


class CsvSink:
    """Writes the office's list as CSV while the PDF reads it: one pass over the members."""

    def __init__(self, out: IO[bytes]):
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        self._writer = csv.writer(self._text)
        self._writer.writerow(CSV_HEADER)
        self.written = 0

    def rows(self, batch: list[Member], label: str) -> None:
        self._writer.writerows(
            [*map(safe_cell, (m.name, m.city, m.zip)), _day(m.signed_at), safe_cell(m.comment),
             label]
            for m in batch
        )  # fmt: skip
        self.written += len(batch)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


def write_csv(out: IO[bytes], petition: Petition, office: Office) -> int:
    """The office's named signers as CSV (UTF-8 with BOM, for spreadsheets); constituents
    first ("yes"), then those who are possibly constituents ("possibly"). Rows written."""
    sink = CsvSink(out)
    for possible, label in ((False, "yes"), (True, "possibly")):
        for batch in members(petition.id, office, possible=possible):
            sink.rows(batch, label)
    sink.close()
    return sink.written


# --- the PDF ----------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "packet", fontName=FONT, fontSize=11, leading=LEADING, splitLongWords=True
    )
    return {
        "line": base,
        "body": ParagraphStyle("body", parent=base, spaceAfter=LEADING * 0.6),
        "bold": ParagraphStyle("bold", parent=base, fontName=FONT_BOLD),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=8
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            spaceBefore=10,
            spaceAfter=6,
        ),  # fmt: skip
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=12, textColor=GREY),
    }


def markdown_paragraphs(source: str | None) -> list[str]:
    """The petition body (Markdown) as plain paragraphs: markup dropped, list items kept as
    "• item" lines, headings as their own paragraph."""
    # A newline inside a paragraph is a soft break (CommonMark): a space, not a new line.
    rendered = render_markdown(source).replace("\n", " ")
    rendered = re.sub(r"<li[^>]*>", "• ", rendered)
    rendered = re.sub(r"<br\s*/?>", "\n", rendered)
    rendered = re.sub(r"</(li)>", "\n\n", rendered)
    rendered = re.sub(r"</(p|h[1-6]|blockquote|pre|ul|ol|table|tr)>", "\n\n", rendered)
    text = html.unescape(nh3.clean(rendered, tags=set()))
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        block = "\n".join(line for line in lines if line)
        if block:
            paragraphs.append(block)
    return paragraphs


def _date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def cover_story(petition: Petition, office: Office, today: date) -> list[Flowable]:
    """The cover letter from the organisation, then the petition's text and the counts."""
    s = _styles()
    org = petition.organization.name
    recipient = office.recipient
    gap = Spacer(1, LEADING)
    story: list[Flowable] = [Paragraph(plain(org), s["bold"]), gap]
    story += [Paragraph(_date(today), s["line"]), gap]
    story += [Paragraph(plain(line), s["line"]) for line in recipient.address_lines if line]
    story += [gap, Paragraph(plain(recipient.salutation), s["body"])]
    if office.target_id is None:
        who = f"{_plural(office.constituents, 'of your constituents', 'of your constituents')}"
        signed = (
            f"On behalf of {org}, we deliver the petition “{petition.title}”, signed and "
            f"confirmed by {who}."
        )
        if office.possible:
            signed += (
                f" {_plural(office.possible, 'more signer')} may also be your "
                f"{'constituent' if office.possible == 1 else 'constituents'}: their ZIP code "
                "crosses district lines and they have not told us which district is theirs; "
                "they are listed apart."
            )
    else:
        signed = (
            f"On behalf of {org}, we deliver the petition “{petition.title}”, signed and "
            f"confirmed by {_plural(office.constituents, 'person', 'people')}."
        )
    paragraphs = [signed]
    if office.letters:
        paragraphs.append(
            f"{_plural(office.letters, 'letter')} from the petition’s supporters "
            f"{'was' if office.letters == 1 else 'were'} also sent to your office."
        )
    paragraphs.append(
        "The petition’s text follows, then the signers who agreed to be named, with their "
        "city, ZIP code, the date they signed and the comment they left. The same list comes "
        "as a spreadsheet (CSV)."
    )
    paragraphs.append("Thank you for your attention to the concerns of those who signed.")
    story += [Paragraph(plain(p), s["body"]) for p in paragraphs]
    story += [KeepTogether([Paragraph("Sincerely,", s["line"]), Spacer(1, LEADING * 2),
                            Paragraph(plain(org), s["line"])])]  # fmt: skip
    story += [PageBreak(), Paragraph(plain(petition.title), s["h1"])]
    if petition.summary:
        story.append(Paragraph(plain(petition.summary), s["bold"]))
        story.append(Spacer(1, LEADING * 0.6))
    story += [
        Paragraph("<br/>".join(plain(x) for x in p.splitlines()), s["body"])
        for p in markdown_paragraphs(petition.body)
    ]
    story.append(Paragraph("In numbers", s["h2"]))
    facts = [
        (
            "Confirmed constituents who signed"
            if office.target_id is None
            else "Confirmed signers",
            office.constituents,
        ),
    ]
    if office.target_id is None:
        facts.append(("Possibly your constituents (ZIP code crosses district lines)",
                      office.possible))  # fmt: skip
    facts.append(("Letters sent to this office", office.letters))
    story += [Paragraph(plain(f"{label}: {n:,}"), s["line"]) for label, n in facts]
    story.append(
        Paragraph(
            "Only signers who agreed to have their name shown are named below; the counts "
            "include everyone who confirmed.",
            s["note"],
        )
    )
    return story


class _Rows(Flowable):
    """A block of table rows (with the column heads), split across pages between rows."""

    def __init__(self, rows: list[tuple[float, list[list[str]]]]):
        super().__init__()
        self.rows = rows
        self.head = TABLE_LEADING + 2 * CELL_PAD

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = WIDTH
        self.height = self.head + sum(h for h, _ in self.rows)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room, taken = available_height - self.head, 0
        for used, (height, _) in enumerate(self.rows):
            if room < height:
                taken = used
                break
            room -= height
        else:
            return [self]
        if not taken:
            return []
        return [_Rows(self.rows[:taken]), _Rows(self.rows[taken:])]

    def draw(self) -> None:
        canvas = self.canv
        y = self.height - CELL_PAD - TABLE_SIZE
        canvas.setFont(FONT_BOLD, TABLE_SIZE)
        x = 0.0
        for label, width in COLUMNS:
            canvas.drawString(x, y, label)
            x += width
        y = self.height - self.head
        canvas.setStrokeColor(GREY)
        canvas.line(0, y, WIDTH, y)
        # The rows' text as raw PDF operators in one text object: ReportLab's textOut
        # measures every string and formats every number in pure Python, which made the table
        # cost half a millisecond a row. The glyphs still go through the font's own subset
        # mapping (``splitString``), so the embedded subset holds exactly what is shown.
        font, doc, escape = getFont(FONT), canvas._doc, canvas._escape
        size = f"{TABLE_SIZE} Tf"
        code, subset_now = ["BT"], None
        rules = []
        for height, cells in self.rows:
            x = 0.0
            for lines, (_, width) in zip(cells, COLUMNS, strict=True):
                line_y = y - CELL_PAD - TABLE_SIZE
                for line in lines:
                    if line:
                        code.append(f"1 0 0 1 {x:.2f} {line_y:.2f} Tm")
                        for subset, chunk in font.splitString(line, doc):
                            if subset != subset_now:
                                code.append(f"{font.getSubsetInternalName(subset, doc)} {size}")
                                subset_now = subset
                            code.append(f"({escape(chunk)}) Tj")
                    line_y -= TABLE_LEADING
                x += width
            y -= height
            rules.append((0, y, WIDTH, y))
        code.append("ET")
        canvas._code.append("\n".join(code))
        canvas.setStrokeColor(RULE)
        canvas.lines(rules)


def _fit(text: str, width: float, most: int) -> list[str]:
    text = " ".join(_CONTROL.sub("", text).split())
    if not text:
        return [""]
    # No glyph of DejaVu Serif is wider than 1 em: short texts need no measuring, and one
    # measure settles most of the rest (simpleSplit measures every word).
    room = width - GUTTER
    if len(text) * TABLE_SIZE * 1.0 <= room or stringWidth(text, FONT, TABLE_SIZE) <= room:
        return [text]
    lines = simpleSplit(text, FONT, TABLE_SIZE, room)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and stringWidth(last + "…", FONT, TABLE_SIZE) > room:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


def _row(member: Member) -> tuple[float, list[list[str]]]:
    widths = [w for _, w in COLUMNS]
    cells = [
        _fit(member.name, widths[0], 3),
        _fit(member.city, widths[1], 3),
        [member.zip[:10]],
        [_day(member.signed_at)],
        _fit(member.comment, widths[4], COMMENT_LINES),
    ]
    return max(len(c) for c in cells) * TABLE_LEADING + 2 * CELL_PAD - 2, cells


def _blocks(batches: Iterable[list[Member]]) -> Iterator[Flowable]:
    for batch in batches:
        for start in range(0, len(batch), ROWS_PER_BLOCK):
            yield _Rows([_row(m) for m in batch[start : start + ROWS_PER_BLOCK]])


def _tee(batches: Iterable[list[Member]], sink: CsvSink | None, label: str):
    for batch in batches:
        if sink is not None:
            sink.rows(batch, label)
        yield batch


def _section(heading: str, note: str, batches: Iterable[list[Member]]) -> Iterator[Flowable]:
    s = _styles()
    yield Paragraph(plain(heading), s["h2"])
    yield Paragraph(plain(note), s["note"])
    yield Spacer(1, 4)
    empty = True
    for block in _blocks(batches):
        empty = False
        yield block
    if empty:
        yield Paragraph("No one to list here.", s["line"])


def _story(
    petition: Petition, office: Office, today: date, sink: CsvSink | None
) -> Iterator[Flowable]:
    yield from cover_story(petition, office, today)
    if office.target_id is None:
        heading = "Your constituents who signed"
        note = "Confirmed signers whose district is yours, who agreed to be named."
    else:
        heading = "The signers"
        note = "Confirmed signers who agreed to be named."
    yield from _section(heading, note, _tee(members(petition.id, office), sink, "yes"))
    if office.target_id is None:
        yield from _section(
            "Possibly your constituents",
            "Their ZIP code crosses district lines and they have not told us which district "
            "is theirs: yours is one of the candidates. Counted apart from the figure above.",
            _tee(members(petition.id, office, possible=True), sink, "possibly"),
        )


class _Feed(list[Flowable]):
    """A story that refills itself from a generator as ReportLab takes flowables off it."""

    def __init__(self, more: Iterator[Flowable]):
        super().__init__()
        self._more: Iterator[Flowable] | None = more

    def __len__(self) -> int:
        if super().__len__() < 2 and self._more is not None:
            for _ in range(8):
                flowable = next(self._more, None)
                if flowable is None:
                    self._more = None
                    break
                self.append(flowable)
        return super().__len__()


def write_pdf(
    out: IO[bytes],
    petition: Petition,
    office: Office,
    today: date,
    csv_out: IO[bytes] | None = None,
) -> None:
    """The office's packet as a PDF written to ``out``; with ``csv_out``, the same list as
    CSV written there in the same pass over the members."""
    register_fonts()
    footer = _CONTROL.sub("", f"{petition.title} · packet for {office.recipient.display_name}")

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        # Cut to the width left of the page number, never under it.
        room = PAGE_WIDTH - 2 * MARGIN - canvas.stringWidth("Page 9999", FONT, 8) - 12
        text = footer
        while text and canvas.stringWidth(text, FONT, 8) > room:
            text = text[:-2]
        if text != footer:
            text = text.rstrip() + "…"
        canvas.drawString(MARGIN, MARGIN / 2, text)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2, f"Page {doc.page}")
        canvas.restoreState()

    doc = BaseDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_CONTROL.sub("", f"{petition.title}: packet for {office.recipient.display_name}"),
        author=_CONTROL.sub("", petition.organization.name),
        creator="Advocacy",
    )
    frame = Frame(MARGIN, MARGIN, WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="packet", frames=[frame], onPage=on_page)])
    sink = CsvSink(csv_out) if csv_out is not None else None
    # Binary (deflated only) streams: ASCII85 on top costs a tenth of the build in pure Python
    # and makes the file a quarter larger. rl_config is read when the file is written.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(_Feed(_story(petition, office, today, sink)))
    finally:
        rl_config.useA85 = a85
    if sink is not None:
        sink.close()


def pdf_bytes(petition: Petition, office: Office, today: date) -> bytes:
    buffer = io.BytesIO()
    write_pdf(buffer, petition, office, today)
    return buffer.getvalue()


def csv_bytes(petition: Petition, office: Office) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, petition, office)
    return buffer.getvalue()
