"""One petition's statistics for its organizer: signatures over time and pace, where supporters
are (tile map, districts with their legislators, letters, packets), the organisation targets of
its letter campaigns (letters, packets), the confirmation funnel, sources and versions.
Everything is read from the rollups (``petitions.stats``) and a few small tables (the
directory's legislators shown, the campaigns' targets, one grouped letter count), never from
the signatures, so the page costs the same at a million signatures as at ten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request, url_for

from advocacy.core import charts
from advocacy.delivery import services as delivery
from advocacy.legislators.titles import chamber_name
from advocacy.letters import addressing
from advocacy.organize import bp
from advocacy.organize.helpers import managed_or_404
from advocacy.petitions import stats
from advocacy.petitions.models import Petition

PAGE_SIZE = 20
TABLES = {
    "senate": ("us_senate",),
    "house": ("us_house",),
    "state": ("state_upper", "state_lower", "state_legislature"),
}
SORT_VALUE = re.compile(r"^(-?)(district|confirmed|possible)$")
PACKET_ENDPOINTS = {  # organize/packets.py
    "pdf": "organize.office_packet_pdf",
    "csv": "organize.office_packet_csv",
}
PACKET_ENDPOINT = PACKET_ENDPOINTS["pdf"]


@dataclass(frozen=True)
class TargetRow:
    """An organisation target of the petition's letter campaigns as the page shows it."""

    recipient: addressing.Recipient
    confirmed: int  # every confirmed signer is delivered to a target
    letters: int

    @property
    def key(self) -> str:
        return self.recipient.key

    @property
    def detail(self) -> str:
        """ "President and CEO, AAMC": what tells two people of one organisation apart."""
        return ", ".join(p for p in (self.recipient.title, self.recipient.organization) if p)


def target_rows(petition: Petition, letters: dict[str, int]) -> list[TargetRow]:
    """The petition's organisation targets (one query) with the counts their packets give:
    the petition's confirmed signers (its counter, what the packet prints) and ``letters``, the
    page's one grouped letter count, so no query is made per target."""
    return [
        TargetRow(recipient, petition.signature_count, letters.get(recipient.key, 0))
        for recipient in map(addressing.from_target, delivery.campaign_targets(petition))
    ]


@dataclass
class Table:
    """A district table as the page shows it: one page of rows, sorted as asked."""

    name: str
    rows: list[stats.DistrictRow]
    total_rows: int
    sort: str  # district | confirmed | possible
    descending: bool
    page: int
    pages: int

    def sort_link(self, column: str) -> str:
        """The header link: sort by ``column``, flipping the direction if it is already."""
        descending = not self.descending if column == self.sort else column != "district"
        value = ("-" if descending else "") + column
        return _self_url(table=self.name, sort=value) + f"#{self.name}"

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def page_link(self, page: int) -> str:
        value = ("-" if self.descending else "") + self.sort
        return _self_url(table=self.name, sort=value, page=str(page)) + f"#{self.name}"


def _self_url(**args: Any) -> str:
    petition_id = (request.view_args or {})["petition_id"]
    return url_for("organize.petition_stats", petition_id=petition_id, **args)


def _order(name: str) -> tuple[str, bool, int]:
    """The sort, direction and page the query asks of table ``name`` (?table=&sort=&page=);
    values that are not ours are ignored (the default order) rather than refused."""
    sort, descending, page = "confirmed", True, 1
    if request.args.get("table") == name:
        match = SORT_VALUE.match(request.args.get("sort", ""))
        if match:
            descending, sort = match.group(1) == "-", match.group(2)
        raw = request.args.get("page", "")
        if raw.isascii() and raw.isdigit() and len(raw) < 7:
            page = max(int(raw), 1)
    return sort, descending, page


def _table(name: str, petition_id: int) -> Table:
    sort, descending, page = _order(name)
    table = _table_at(name, petition_id, sort, descending, page)
    if page > table.pages:  # past the end: the last page
        table = _table_at(name, petition_id, sort, descending, table.pages)
    return table


def _table_at(name: str, petition_id: int, sort: str, descending: bool, page: int) -> Table:
    if name == "senate":
        found = stats.senate(petition_id, sort, descending, page, PAGE_SIZE)
    else:
        found = stats.districts(petition_id, TABLES[name], sort, descending, page, PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    return Table(name, found.rows, found.total, sort, descending, page, pages)


def _packet_url(petition_id: int) -> Any:
    """A function making the office's packet link (``kind`` "pdf" or "csv"), or None while
    packets are not built."""
    if PACKET_ENDPOINT not in current_app.view_functions:
        return None

    def link(key: str, kind: str = "pdf") -> str:
        return url_for(PACKET_ENDPOINTS[kind], petition_id=petition_id, key=key)

    return link


def _markers(milestones) -> list[charts.Marker]:
    return [
        charts.Marker(m.reached_at.date(), m.signature_count, f"{m.percent}%")
        for m in milestones
        if m.percent < 100
    ] + [
        charts.Marker(m.reached_at.date(), m.signature_count, "Goal")
        for m in milestones
        if m.percent >= 100
    ]


def stats_context(petition: Petition) -> dict[str, Any]:
    # A closed petition's chart ends when it closed, not in a tail of empty days to today.
    days = stats.daily(petition.id, until=petition.closed_at.date() if petition.closed_at else None)
    milestones = stats.milestones(petition.id)
    last_days = sum(d.confirmed for d in days[-stats.PACE_DAYS :])
    funnel = stats.funnel(petition.id)
    state_counts = stats.states(petition.id)
    tables = {name: _table(name, petition.id) for name in TABLES}
    # Per office key, legislators' and targets' alike: the count the packets print.
    letters = delivery.letter_counts(petition.id)
    return {
        "petition": petition,
        "days": days,
        "recent_days": list(reversed(days[-60:])),
        "timelines": [
            charts.timeline(
                [d.day for d in days],
                [d.confirmed for d in days],
                petition.goal,
                _markers(milestones),
                label=f"Confirmed signatures of “{petition.title}” over time",
                compact=compact,
            )
            for compact in (False, True)
        ],
        "milestones": milestones,
        "pace": stats.pace(petition.signature_count, petition.goal, petition.deadline, last_days),
        "funnel": funnel,
        "tile_map": charts.tile_map(state_counts),
        "map_legend": charts.map_legend(state_counts),
        "state_counts": sorted(
            ((s, c) for s, c in state_counts.items() if c), key=lambda sc: (-sc[1], sc[0])
        ),
        "unknown_state": state_counts.get("", 0),
        "tables": tables,
        "letters": letters,
        "targets": target_rows(petition, letters),
        "packet_url": _packet_url(petition.id),
        "chamber_name": chamber_name,
        "domains": stats.domains(petition.id, funnel.share),
        "sources": stats.sources(petition.id),
        "versions": stats.versions(petition.id),
    }


@bp.get("/petitions/<int:petition_id>/stats")
def petition_stats(petition_id: int):
    petition = managed_or_404(petition_id)
    return render_template("organize/stats.html", **stats_context(petition))
