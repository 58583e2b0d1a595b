"""CSV that opens safely in a spreadsheet: formula cells neutralised, rows streamed in chunks.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(…)`` can leak data or run
commands). Following OWASP's advice on CSV injection, such a cell gets a leading single quote,
which spreadsheets show as text and do not evaluate. Quoting of commas, quotes and line breaks
is the ``csv`` module's (RFC 4180, ``QUOTE_MINIMAL``, CRLF line ends).

``stream_rows`` yields the CSV in chunks of a few hundred rows, so a caller can hand it to a
streamed response and memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

FORMULA_STARTS = frozenset("=+-@\t\r")
BOM = "\ufeff"  # lets Excel read the file as UTF-8; LibreOffice and csv readers skip it
CHUNK_ROWS = 500


def safe_cell(value: object) -> str:
    """The text of one cell: ``None`` is empty, booleans are yes/no, datetimes ISO 8601, and a
    text that a spreadsheet would take for a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        return "yes" if value else "no"
    elif isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


def stream_rows(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, bom: bool = False
) -> Iterator[str]:
    """The CSV text of ``header`` then ``rows``, every cell through ``safe_cell``, in chunks of
    ``CHUNK_ROWS`` rows (the header comes with the first chunk). ``bom`` starts the text with a
    UTF-8 byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    writer.writerow([safe_cell(cell) for cell in header])
    pending = 0
    formula = FORMULA_STARTS
    for row in rows:
        # The common cells (a text that is no formula, or None, which csv writes as an
        # empty cell) skip the call: this runs once per cell of a million-row export.
        writer.writerow(
            [
                (cell if not cell or cell[0] not in formula else "'" + cell)
                if cell.__class__ is str
                else (cell if cell is None else safe_cell(cell))
                for cell in row
            ]
        )
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    tail = buffer.getvalue()
    if tail:
        yield tail
