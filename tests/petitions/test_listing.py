"""Finding petitions: the home page's victories and closed lists, the lists, title search.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (ILIKE, escaping, NULLS LAST).
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from advocacy.core.db import utcnow
from advocacy.petitions import services
from advocacy.petitions.models import PetitionStatus

CLOSED = PetitionStatus.CLOSED
WON = PetitionStatus.WON


def titles(html: str) -> list[str]:
    """The petition titles on a page, in order, from the cards' headings."""
    return [unescape(t) for t in re.findall(r'<h2><a href="/petitions/[^"]+">(.*?)</a></h2>', html)]


def section(html: str, id_: str) -> str:
    match = re.search(rf'id="{id_}".*?(?=<section|</main>)', html, re.S)
    return match.group(0) if match else ""


def test_home_keeps_won_and_closed_petitions_findable(client, make):
    make.petition(title="Still open")
    make.petition(title="We won this", status=WON, closed_at=utcnow())
    make.petition(title="Closed by hand", status=CLOSED, closed_at=utcnow())
    make.petition(title="Past its deadline", deadline=utcnow() - timedelta(days=1))
    make.petition(title="Secret draft", status=PetitionStatus.DRAFT)

    html = client.get("/").text

    assert titles(section(html, "open-petitions")) == ["Still open"]
    assert titles(section(html, "won-petitions")) == ["We won this"]
    assert sorted(titles(section(html, "closed-petitions"))) == [
        "Closed by hand",
        "Past its deadline",
    ]
    assert "Secret draft" not in html
    assert "See the result" in html and 'role="search"' in html


def test_home_links_to_every_victory_when_there_are_more(client, make):
    now = utcnow()
    for i in range(5):
        make.petition(title=f"Win {i}", status=WON, closed_at=now - timedelta(days=i))
    html = client.get("/").text
    assert titles(section(html, "won-petitions")) == ["Win 0", "Win 1", "Win 2"]  # newest first
    assert 'href="/petitions?status=won">See all 5</a>' in html
    assert "closed-petitions" not in html


def test_status_list_paginates_and_never_shows_drafts(client, make):
    now = utcnow()
    for i in range(services.PAGE_SIZE + 2):
        make.petition(title=f"Win {i:02}", status=WON, closed_at=now - timedelta(hours=i))
    make.petition(title="Draft", status=PetitionStatus.DRAFT)

    first = client.get("/petitions?status=won").text
    second = client.get("/petitions?status=won&page=2").text

    assert titles(first) == [f"Win {i:02}" for i in range(services.PAGE_SIZE)]
    assert titles(second) == [
        f"Win {i:02}" for i in range(services.PAGE_SIZE, services.PAGE_SIZE + 2)
    ]
    assert "page 1 of 2" in first and 'href="/petitions?page=2&amp;status=won"' in first
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("query", ["status=draft", "status=bogus", "status="])
def test_unknown_list_is_404(client, query):
    assert client.get(f"/petitions?{query}").status_code == 404


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999"])
def test_odd_page_numbers_never_500(client, make, page):
    make.petition(title="Won", status=WON)
    response = client.get(f"/petitions?status=won&page={page}")
    assert response.status_code == 200


def test_search_needs_every_word_in_any_case_and_skips_drafts(client, make):
    make.petition(title="Fund Residency Positions in Rural States")
    make.petition(title="Residency caps hurt patients", status=WON)
    make.petition(title="Rural clinics need doctors", status=CLOSED)
    make.petition(title="Rural residency draft", status=PetitionStatus.DRAFT)

    html = client.get("/petitions?q=rural  RESIDENCY").text
    assert titles(html) == ["Fund Residency Positions in Rural States"]
    assert "1 petition with “rural  RESIDENCY” in the title" in unescape(html)

    assert sorted(titles(client.get("/petitions?q=residency").text)) == [
        "Fund Residency Positions in Rural States",
        "Residency caps hurt patients",
    ]


def test_search_lists_open_petitions_before_ended_ones(client, make):
    now = utcnow()
    make.petition(title="Doctors A won", status=WON, published_at=now)
    make.petition(title="Doctors B open", published_at=now - timedelta(days=30))
    assert titles(client.get("/petitions?q=doctors").text) == ["Doctors B open", "Doctors A won"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100%", ["A 100% match"]),  # % is a letter, not "anything"
        ("%", ["A 100% match"]),
        ("_", ["snake_case title"]),
        ("e_c", ["snake_case title"]),
        ("\\", ["back\\slash"]),
    ],
)
def test_search_wildcards_are_plain_characters(client, make, query, expected):
    make.petition(title="A 100% match")
    make.petition(title="A 1000 match")
    make.petition(title="snake_case title")
    make.petition(title="snakeXcase title")
    make.petition(title="back\\slash")
    response = client.get("/petitions", query_string={"q": query})
    assert response.status_code == 200
    assert titles(response.text) == expected


def test_search_without_a_match_says_so_and_offers_the_lists(client, make):
    make.petition(title="Fund residencies")
    html = client.get("/petitions?q=<b>zebra</b>").text
    assert "<b>zebra" not in html and "&lt;b&gt;zebra&lt;/b&gt;" in html  # text, not markup
    html = client.get("/petitions?q=zebra").text
    assert "No petitions match “zebra”" in unescape(html)
    for href in ('href="/"', 'href="/petitions?status=won"', 'href="/petitions?status=closed"'):
        assert href in html
    assert titles(html) == []


def test_blank_search_asks_for_words(client, make):
    response = client.get("/petitions?q=+++")
    assert response.status_code == 200
    assert "Type a few words from a petition’s title to search." in unescape(response.text)


def test_over_long_search_gets_a_clear_message(client, make):
    make.petition(title="a" * 20)
    response = client.get("/petitions", query_string={"q": "a " * 100 + "a"})  # 201 characters
    assert response.status_code == 400
    assert "Search with at most 200 characters" in response.text
    assert titles(response.text) == []
    assert client.get("/petitions", query_string={"q": "a " * 99 + "a"}).status_code == 200


def test_bare_listing_goes_home(client):
    response = client.get("/petitions")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "\u202e", "🙂", "'; DROP TABLE petitions; --"])
def test_odd_search_input_never_500s(client, make, q):
    make.petition(title="Fund residencies")
    response = client.get("/petitions", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert titles(response.text) == []
