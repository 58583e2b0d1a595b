"""State entries: the sourcing rule (service and database), validation, reading order."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from advocacy.resources import services
from advocacy.resources.models import Kind, PathwayStatus, StateResource
from advocacy.resources.services import EntryData, ResourceError

SOURCE = "https://example.org/source"


def entry(**kw) -> EntryData:
    base = {"state": "ny", "kind": Kind.NOTE, "title": "A note", "source_url": SOURCE}
    base.update(kw)
    return EntryData(**base)


def test_add_entry_cleans_and_records_history(db):
    added = services.add_entry(entry(title="  A note  ", body="**bold**"), by="Ana")
    assert (added.state, added.title, added.published) == ("NY", "A note", True)
    assert [c.action for c in added.changes] == ["created"]
    assert added.changes[0].changed_by == "Ana"
    assert added.changes[0].diff["title"] == [None, "A note"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"source_url": None}, "source_url"),
        ({"source_url": "   "}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "ftp://example.org/x"}, "source_url"),
        ({"url": "not a url"}, "url"),
        ({"state": "ZZ"}, "state"),
        ({"state": "N\x00"}, "state"),
        ({"state": 12}, "state"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "bad\x00byte"}, "title"),
        ({"body": "x" * 20_001}, "body"),
        ({"kind": Kind.PATHWAY}, "status"),
        ({"status": PathwayStatus.ENACTED}, "status"),
        ({"effective_on": date(2020, 5, 1), "ended_on": date(2020, 4, 1)}, "ended_on"),
    ],
)
def test_bad_entries_are_refused_with_their_field(db, kw, field):
    with pytest.raises(ResourceError) as caught:
        services.add_entry(entry(**kw), by="Ana")
    assert caught.value.field == field
    assert db.session.query(StateResource).count() == 0


def test_an_unpublished_draft_may_lack_its_source(db):
    draft = services.add_entry(entry(source_url=None, published=False), by="Ana")
    assert draft.published is False
    assert services.published_entries("NY") == []


def test_the_database_refuses_a_published_entry_without_source(db):
    db.session.add(StateResource(state="NY", kind=Kind.NOTE, title="x", published=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_reading_order_statuses_and_highlights(db):
    services.add_entry(entry(kind=Kind.BOARD, title="Board"), by="a")
    services.add_entry(
        entry(kind=Kind.PATHWAY, title="Pathway", status=PathwayStatus.PENDING), by="a"
    )
    services.add_entry(entry(title="Old order", historical=True), by="a")
    services.add_entry(entry(title="Ended", ended_on=date(2020, 6, 1)), by="a")
    services.add_entry(entry(state="TX", kind=Kind.PATHWAY, status=PathwayStatus.ENACTED,
                             title="TX pathway"), by="a")  # fmt: skip
    titles = [e.title for e in services.published_entries("NY")]
    assert titles == ["Pathway", "Board", "Ended", "Old order"]
    assert services.pathway_statuses() == {"NY": PathwayStatus.PENDING, "TX": PathwayStatus.ENACTED}
    assert [e.title for e in services.highlights("ny")] == ["Pathway", "Board"]
    assert services.highlights(None) == []
    assert services.highlights("XX") == []
    assert [e.title for e in services.published_entries("NY", [Kind.BOARD])] == ["Board"]
