"""Markdown sanitising, names, ZIP codes and number formatting."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest

from advocacy.core.db import utcnow
from advocacy.core.templating import number, pluralize, timeago
from advocacy.core.text import markdown_to_text, name_problem, render_markdown, slugify
from advocacy.core.zipcodes import city_from_address, normalise_zip, state_for_zip


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "![x](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_never_yields_active_content(source):
    tags = _tags(render_markdown(source))
    assert not {name for name, _ in tags} & {"script", "iframe", "object", "embed", "style"}
    for _name, attrs in tags:
        for attr, value in attrs:
            assert not attr.startswith("on")
            if attr in {"href", "src"}:
                assert (value or "").split(":")[0].lower() in {"http", "https", "mailto", ""}


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_markdown_keeps_formatting_and_marks_links_nofollow():
    html = render_markdown("## Why\n\n**Act** now: [AAMC](https://www.aamc.org)\n\n- one\n- two")
    assert "<h2>Why</h2>" in html and "<strong>Act</strong>" in html and "<li>one</li>" in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert markdown_to_text("**Act** now") == "Act now"


@pytest.mark.parametrize("name", ["María José", "O'Brien", "Nguyễn", "Anne-Marie", "D'Souza"])
def test_real_names_are_fine(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["=SUM(A1)", "+1", "-x", "@me", "see http://x.y", "www.spam", "buy.com", "a<b>"]
)
def test_spreadsheet_and_link_names_are_refused(name):
    assert name_problem(name)


def test_zip_codes():
    assert normalise_zip(" 13202 ") == "13202"
    assert normalise_zip("13202-1234") == "13202-1234"
    assert normalise_zip("132021234") == "13202-1234"
    for bad in ("1320", "abcde", "132021", "13202-12", ""):
        assert normalise_zip(bad) is None
    assert state_for_zip("13202") == "NY" and state_for_zip("94103") == "CA"
    assert state_for_zip("99501") == "AK" and state_for_zip("00000") is None
    assert city_from_address("1 Main St, Syracuse, NY 13202", "NY") == "Syracuse"
    assert city_from_address("1 Main St", "NY") is None


def test_numbers_plurals_and_times():
    assert number(6912) == "6,912" and number(1_000_000) == "1,000,000"
    assert pluralize(1, "signature") == "signature" and pluralize(0, "signature") == "signatures"
    now = utcnow()
    assert timeago(now - timedelta(seconds=5), now) == "just now"
    assert timeago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert timeago(now - timedelta(hours=3), now) == "3 hours ago"
    assert slugify("AAMC: let unmatched applicants re-apply!") == (
        "aamc-let-unmatched-applicants-re-apply"
    )
