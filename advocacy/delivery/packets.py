"""One office's packet: a PDF (cover letter, petition text, counts, the named signers) and the
same list as CSV, each written to a file object as the members are read.

The PDF is set by ``typeset.Typesetter`` straight on ReportLab's canvas: the members are read a
batch (``services.BATCH``) at a time and each row is set as it comes, so only ReportLab's
compressed page streams (a few kilobytes a page) grow with an office. A build sets thousands of
packets, so what every packet repeats is done once: the petition's paragraphs are parsed and
wrapped once, and the fonts' embedded subsets are made once (``letters.pdf.register_fonts``).
Fonts are the letters' own.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import IO

import nh3
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from advocacy.core.csvsafe import safe_cell
from advocacy.core.text import render_markdown
from advocacy.delivery.services import Member, Office, members
from advocacy.delivery.typeset import Typesetter, wrap
from advocacy.letters.pdf import FONT, FONT_BOLD, LEADING, MARGIN, register_fonts
from advocacy.petitions.models import Petition

PAGE_WIDTH, PAGE_HEIGHT = LETTER
WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = (0.35, 0.35, 0.35)
RULE = (0.82, 0.82, 0.82)
BODY = 11  # the cover letter and the petition text (points)
NOTE, NOTE_LEADING = 9, 12
FOOTER = 8
TABLE_SIZE = 8.5
TABLE_LEADING = 10.5
CELL_PAD = 3
GUTTER = 8  # white space between columns
# name, city, ZIP, signed, comment (points; together the text width, 468)
COLUMNS = (("Name", 110.0), ("City", 86.0), ("ZIP", 44.0), ("Signed", 56.0), ("Comment", 172.0))
COMMENT_LINES = 14  # 500 characters at most; never cut in practice
CSV_HEADER = ("name", "city", "zip", "signed", "comment", "constituent")
COMMON = "“”‘’…·•—–"  # the packet's own characters beyond ASCII (typeset.Encoder)
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


@lru_cache(maxsize=16)
def _petition_paragraphs(body: str | None) -> tuple[str, ...]:
    """``markdown_paragraphs`` once per build (every office's packet prints the same text)."""
    return tuple(_clean(p) for p in markdown_paragraphs(body))


def _clean(text: str | None) -> str:
    """Text as it is set: control characters dropped, tabs as spaces (nothing is markup)."""
    return _CONTROL.sub("", str(text or "")).replace("\t", " ")


def _date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _cover_paragraphs(petition: Petition, office: Office, org: str) -> list[str]:
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
    paragraphs += _COVER_END
    return paragraphs


# The cover's last paragraphs, the same in every packet (wrapped once: ``cached``).
_COVER_END = (
    "The petition’s text follows, then the signers who agreed to be named, with their city, "
    "ZIP code, the date they signed and the comment they left. The same list comes as a "
    "spreadsheet (CSV).",
    "Thank you for your attention to the concerns of those who signed.",
)


def _cover(page: Typesetter, petition: Petition, office: Office, today: date) -> None:
    """The cover letter from the organisation, then the petition's text and the counts."""
    org = _clean(petition.organization.name)
    gap = LEADING
    page.paragraph(org, FONT_BOLD, BODY, LEADING, after=gap, cached=True)
    page.paragraph(_date(today), FONT, BODY, LEADING, after=gap)
    address = [_clean(line) for line in office.recipient.address_lines if line]
    page.paragraph("\n".join(address), FONT, BODY, LEADING, after=gap, keep=len(address))
    after = LEADING * 0.6
    page.paragraph(_clean(office.recipient.salutation), FONT, BODY, LEADING, after=after)
    for text in _cover_paragraphs(petition, office, org):
        page.paragraph(_clean(text), FONT, BODY, LEADING, after=after, cached=text in _COVER_END)
    # "Sincerely," never stands alone at the foot of a page.
    page.ensure(LEADING * 4)
    page.paragraph("Sincerely,", FONT, BODY, LEADING, after=LEADING * 2)
    page.paragraph(org, FONT, BODY, LEADING, cached=True)

    page.new_page()
    page.paragraph(_clean(petition.title), FONT_BOLD, 16, 20, after=8, cached=True)
    if petition.summary:
        page.paragraph(_clean(petition.summary), FONT_BOLD, BODY, LEADING, after=after,
                       cached=True)  # fmt: skip
    for text in _petition_paragraphs(petition.body):
        page.paragraph(text, FONT, BODY, LEADING, after=after, cached=True)
    _heading(page, "In numbers", follow=LEADING * 2)
    if office.target_id is None:
        facts = [
            ("Confirmed constituents who signed", office.constituents),
            ("Possibly your constituents (ZIP code crosses district lines)", office.possible),
        ]
    else:
        facts = [("Confirmed signers", office.constituents)]
    facts.append(("Letters sent to this office", office.letters))
    for label, n in facts:
        page.paragraph(f"{label}: {n:,}", FONT, BODY, LEADING)
    page.skip(4)
    page.paragraph(
        "Only signers who agreed to have their name shown are named below; the counts "
        "include everyone who confirmed.",
        FONT, NOTE, NOTE_LEADING, colour=GREY,
    )  # fmt: skip


def _heading(page: Typesetter, text: str, follow: float) -> None:
    """A section heading, kept on the page with ``follow`` points of what comes after it."""
    page.skip(10)
    page.ensure(17 + 6 + follow)
    page.paragraph(text, FONT_BOLD, 13, 17, after=6)


def _fit(text: str, width: float, most: int) -> list[str]:
    # Most texts are clean already (checked in C); others lose control characters and runs
    # of white space.
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(_CONTROL.sub("", text).split())
    if not text:
        return [""]
    # No glyph of DejaVu Serif is wider than 1 em: short texts need no measuring, and one
    # measure settles most of the rest.
    room = width - GUTTER
    if len(text) * TABLE_SIZE <= room or stringWidth(text, FONT, TABLE_SIZE) <= room:
        return [text]
    lines = wrap(text, FONT, TABLE_SIZE, room)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and stringWidth(last + "…", FONT, TABLE_SIZE) > room:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


_WIDTHS = [w for _, w in COLUMNS]
_LEFTS = [sum(_WIDTHS[:i]) for i in range(len(_WIDTHS))]
ROW_HEAD = TABLE_LEADING + 2 * CELL_PAD


def _cells(member: Member) -> list[list[str]]:
    return [
        _fit(member.name, _WIDTHS[0], 3),
        _fit(member.city, _WIDTHS[1], 3),
        [member.zip[:10]],
        [_day(member.signed_at)],
        _fit(member.comment, _WIDTHS[4], COMMENT_LINES),
    ]


def _row_height(cells: list[list[str]]) -> float:
    # The ZIP and the date are one line each.
    return max(len(cells[0]), len(cells[1]), len(cells[4])) * TABLE_LEADING + 2 * CELL_PAD - 2


def _column_heads(page: Typesetter) -> None:
    baseline = page.y - CELL_PAD - TABLE_SIZE
    for (label, _), left in zip(COLUMNS, _LEFTS, strict=True):
        page.text_at(page.left + left, baseline, label, FONT_BOLD, TABLE_SIZE)
    page.y -= ROW_HEAD
    page.rule(page.left, page.y, page.right, page.y, GREY)


def _table(page: Typesetter, batches: Iterable[list[Member]]) -> bool:
    """The rows, with the column heads at the top of the table on each page; False when
    there was no row."""
    started = False
    lefts = [page.left + left for left in _LEFTS]
    for batch in batches:
        for member in batch:
            cells = _cells(member)
            height = _row_height(cells)
            if not started or height > page.room():
                if started:
                    page.new_page()
                _column_heads(page)
                started = True
            top = page.y
            page.row(zip(lefts, cells, strict=True), FONT, TABLE_SIZE, TABLE_LEADING,
                     first=top - CELL_PAD - TABLE_SIZE)  # fmt: skip
            page.y = top - height
            page.rule(page.left, page.y, page.right, page.y, RULE)
    return started


def _tee(batches: Iterable[list[Member]], sink: CsvSink | None, label: str):
    for batch in batches:
        if sink is not None:
            sink.rows(batch, label)
        yield batch


def _section(page: Typesetter, heading: str, note: str, batches: Iterable[list[Member]]) -> None:
    _heading(page, heading, follow=NOTE_LEADING * 2 + 4 + ROW_HEAD + TABLE_LEADING * 2)
    page.paragraph(note, FONT, NOTE, NOTE_LEADING, colour=GREY, after=4)
    if not _table(page, batches):
        page.paragraph("No one to list here.", FONT, BODY, LEADING)


def _members(petition: Petition, office: Office, possible: bool) -> Iterator[list[Member]]:
    """The office's named members, skipping the query when the counts say there are none."""
    if (office.possible if possible else office.constituents) == 0:
        return iter(())
    return members(petition.id, office, possible=possible)


def _lists(page: Typesetter, petition: Petition, office: Office, sink: CsvSink | None) -> None:
    if office.target_id is None:
        heading = "Your constituents who signed"
        note = "Confirmed signers whose district is yours, who agreed to be named."
    else:
        heading = "The signers"
        note = "Confirmed signers who agreed to be named."
    _section(page, heading, note, _tee(_members(petition, office, False), sink, "yes"))
    if office.target_id is None:
        _section(
            page,
            "Possibly your constituents",
            "Their ZIP code crosses district lines and they have not told us which district "
            "is theirs: yours is one of the candidates. Counted apart from the figure above.",
            _tee(_members(petition, office, True), sink, "possibly"),
        )


def _footer_text(text: str, room: float) -> str:
    """``text`` cut (with an ellipsis) to ``room`` points of the footer's size."""
    if stringWidth(text, FONT, FOOTER) <= room:
        return text
    while text and stringWidth(text + "…", FONT, FOOTER) > room:
        text = text[:-1]
    return text.rstrip() + "…"


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
    name = _clean(office.recipient.display_name)
    # Cut to the width left of the page number, never under it.
    room = WIDTH - stringWidth("Page 9999", FONT, FOOTER) - 12
    footer = _footer_text(f"{_clean(petition.title)} · packet for {name}", room)

    def on_page(page: Typesetter, number: int) -> None:
        # Set with the page's text (the canvas's drawString costs a text object a call).
        page.text_at(MARGIN, MARGIN / 2, footer, FONT, FOOTER, GREY)
        label = f"Page {number}"
        right = PAGE_WIDTH - MARGIN - stringWidth(label, FONT, FOOTER)
        page.text_at(right, MARGIN / 2, label, FONT, FOOTER, GREY)

    canvas = Canvas(out, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"{_clean(petition.title)}: packet for {name}")
    canvas.setAuthor(_clean(petition.organization.name))
    canvas.setCreator("Advocacy")
    page = Typesetter(canvas, margin=MARGIN, footer=on_page, fonts=(FONT, FONT_BOLD),
                      common=COMMON)  # fmt: skip
    sink = CsvSink(csv_out) if csv_out is not None else None
    # Binary (deflated only) streams: ASCII85 on top costs a tenth of the build in pure Python
    # and makes the file a quarter larger. rl_config is read when the file is written.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        _cover(page, petition, office, today)
        _lists(page, petition, office, sink)
        page.finish()
        canvas.save()
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
