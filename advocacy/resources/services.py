"""The state entries' use cases: add one (refused without a source when published), read a
state's published entries, the map's statuses, and the few entries a thank-you page shows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from advocacy.core.errors import DomainError
from advocacy.core.inputs import has_control
from advocacy.extensions import db
from advocacy.resources.models import (
    Kind,
    PathwayStatus,
    StateResource,
    StateResourceChange,
    WaiverType,
)
from advocacy.resources.states import normalise_state

# The order a state page and the thank-you box read in: what IMGs ask first.
KIND_ORDER = (Kind.PATHWAY, Kind.VOLUNTEER, Kind.WAIVER, Kind.BOARD, Kind.NOTE)
_LIMITS = {"title": 200, "reference": 200, "name": 200, "url": 500, "phone": 40,
           "source_url": 500, "source_title": 200, "reviewed_by": 120, "body": 20_000}  # fmt: skip


class ResourceError(DomainError):
    """An entry the rules refuse; ``field`` names the field."""


@dataclasses.dataclass
class EntryData:
    """An entry as an organizer (or the demo, or an import) gives it."""

    state: str
    kind: Kind
    title: str
    source_url: str | None = None
    source_title: str | None = None
    body: str = ""
    status: PathwayStatus | None = None
    reference: str | None = None
    name: str | None = None
    url: str | None = None
    phone: str | None = None
    waiver: WaiverType | None = None
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    effective_on: date | None = None
    ended_on: date | None = None
    historical: bool = False
    published: bool = True


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def check_entry(data: EntryData) -> EntryData:
    """The entry cleaned (stripped, state upper-cased) or a ResourceError naming the field."""
    state = normalise_state(data.state)
    if state is None:
        raise ResourceError("Choose a U.S. state, DC or territory.", "state")
    fields: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        value = getattr(data, name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ResourceError("This must be text.", name)
        value = value.strip()
        if len(value) > limit:
            raise ResourceError(f"Keep this under {limit:,} characters.", name)
        if has_control(value, multiline=name == "body"):
            raise ResourceError("This contains characters that cannot be saved.", name)
        fields[name] = value or (None if name != "body" else "")
    clean = dataclasses.replace(data, state=state, **fields)
    if not clean.title:
        raise ResourceError("Give the entry a title.", "title")
    for name in ("source_url", "url"):
        value = getattr(clean, name)
        if value and not _is_web_url(value):
            raise ResourceError("Enter a full web address starting with https://.", name)
    if clean.published and not clean.source_url:
        raise ResourceError("An entry needs its source before it can be published.", "source_url")
    if clean.kind is Kind.PATHWAY and clean.status is None:
        raise ResourceError("Say whether a pathway is enacted, pending or none known.", "status")
    if clean.kind is not Kind.PATHWAY and clean.status is not None:
        raise ResourceError("Only a licensure pathway has a status.", "status")
    if clean.kind is not Kind.WAIVER and clean.waiver is not None:
        raise ResourceError("Only a waiver has a waiver type.", "waiver")
    if clean.effective_on and clean.ended_on and clean.ended_on < clean.effective_on:
        raise ResourceError("The end date is before the start date.", "ended_on")
    return clean


def _as_json(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PathwayStatus | WaiverType | Kind):
        return value.value
    return value


def add_entry(data: EntryData, *, by: str, by_id: int | None = None) -> StateResource:
    """Add a checked entry with a "created" history row; one commit."""
    clean = check_entry(data)
    entry = StateResource(**dataclasses.asdict(clean), created_by_id=by_id)
    entry.changes.append(
        StateResourceChange(
            changed_by=by[:120],
            changed_by_id=by_id,
            action="created",
            diff={k: [None, _as_json(v)] for k, v in dataclasses.asdict(clean).items() if v},
        )
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _order(entries: Iterable[StateResource]) -> list[StateResource]:
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(
        entries,
        key=lambda e: (
            rank[e.kind],
            e.is_history,  # in force first, history after
            -(e.effective_on or date.min).toordinal(),
            e.title,
        ),
    )


def published_entries(state: str, kinds: Sequence[Kind] = ()) -> list[StateResource]:
    """A state's published entries in reading order (pathway, registration, waivers, board,
    notes; what is in force before what has ended)."""
    query = select(StateResource).where(
        StateResource.state == state, StateResource.published.is_(True)
    )
    if kinds:
        query = query.where(StateResource.kind.in_(list(kinds)))
    return _order(db.session.scalars(query))


def pathway_statuses() -> dict[str, PathwayStatus]:
    """Each state's current IMG pathway status, from its published, not-ended pathway entry
    (enacted wins over pending over none known when there are several)."""
    rows = db.session.execute(
        select(
            StateResource.state,
            StateResource.status,
            StateResource.ended_on,
            StateResource.historical,
        ).where(StateResource.kind == Kind.PATHWAY, StateResource.published.is_(True))
    )
    strength = {PathwayStatus.ENACTED: 3, PathwayStatus.PENDING: 2, PathwayStatus.NONE: 1}
    today = date.today()
    found: dict[str, PathwayStatus] = {}
    for state, status, ended_on, historical in rows:
        if status is None or historical or (ended_on is not None and ended_on <= today):
            continue
        if state not in found or strength[status] > strength[found[state]]:
            found[state] = status
    return found


def kinds_by_state() -> dict[str, set[Kind]]:
    """Which kinds of published entry each state has (the table's columns and filters)."""
    rows = db.session.execute(
        select(StateResource.state, StateResource.kind)
        .where(StateResource.published.is_(True))
        .distinct()
    )
    found: dict[str, set[Kind]] = {}
    for state, kind in rows:
        found.setdefault(state, set()).add(kind)
    return found


def highlights(state: str | None, limit: int = 3) -> list[StateResource]:
    """The entries a thank-you page shows for the signer's state: in force (no ended history),
    in reading order, at most ``limit``."""
    code = normalise_state(state)
    if code is None:
        return []
    return [e for e in published_entries(code) if not e.is_history][:limit]
