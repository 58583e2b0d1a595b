"""What each office is called: member titles and chamber names, per state and chamber.

State titles and chamber names come from the ``openstates-metadata`` package (maintained by
Open States / Plural Policy; it lists each chamber's member title: "Assembly Member" in New
York, "Assemblymember" in California, "Delegate" in Maryland's House of Delegates,
"Representative" in Wisconsin's Assembly). Congress is the same everywhere but for its
non-voting House members: the delegates of DC and the territories and Puerto Rico's
Resident Commissioner. Nothing here is guessed from a district's name.
"""

from __future__ import annotations

from functools import cache

import openstates_metadata

from advocacy.legislators.models import Chamber

# Congress.
US_SENATOR = "Senator"
US_REPRESENTATIVE = "Representative"
RESIDENT_COMMISSIONER = "Resident Commissioner"  # Puerto Rico's member of the House
DELEGATE = "Delegate"  # DC, Guam, the Virgin Islands, American Samoa, Northern Marianas
NON_VOTING_HOUSE_TITLES = {"PR": RESIDENT_COMMISSIONER}


def federal_title(chamber: Chamber | str, state: str, voting: bool = True) -> str:
    """ "Senator", "Representative", or the title of a non-voting House member."""
    if Chamber(chamber) is Chamber.US_SENATE:
        return US_SENATOR
    if voting and state not in NON_VOTING_HOUSE_TITLES and state != "DC":
        return US_REPRESENTATIVE
    return NON_VOTING_HOUSE_TITLES.get(state, DELEGATE)


@cache
def _state(state: str) -> openstates_metadata.State | None:
    try:
        return openstates_metadata.lookup(abbr=state)
    except KeyError:
        return None


def _chamber(state: str, chamber: Chamber | str) -> openstates_metadata.Chamber | None:
    meta = _state(state)
    if meta is None:
        return None
    if meta.unicameral:  # Nebraska's Legislature, the DC Council: one chamber
        return meta.legislature
    return meta.upper if Chamber(chamber) is Chamber.STATE_UPPER else meta.lower


def state_title(state: str, chamber: Chamber | str) -> str:
    """The member title of a state chamber, from Open States' metadata ("Senator",
    "Representative", "Assembly Member", "Assemblymember", "Delegate", "Councilmember")."""
    found = _chamber(state, chamber)
    if found is None:
        return "Senator" if Chamber(chamber) is Chamber.STATE_UPPER else "Representative"
    return str(found.title)


def member_title(chamber: Chamber | str, state: str, voting: bool = True) -> str:
    """The title of a member of any chamber the directory holds."""
    if Chamber(chamber) in (Chamber.US_SENATE, Chamber.US_HOUSE):
        return federal_title(chamber, state, voting)
    return state_title(state, chamber)


def chamber_name(chamber: Chamber | str, state: str) -> str:
    """The body a letter is addressed to: "United States Senate", "New York State Assembly",
    "Nebraska Legislature", "Maryland House of Delegates"."""
    value = Chamber(chamber)
    if value is Chamber.US_SENATE:
        return "United States Senate"
    if value is Chamber.US_HOUSE:
        return "United States House of Representatives"
    meta = _state(state)
    found = _chamber(state, chamber)
    if meta is None or found is None:
        return value.label
    if meta.unicameral:
        return str(meta.legislature_name or found.name)
    name = str(found.name)
    if name == "House" and str(found.title) == DELEGATE:
        name = "House of Delegates"
    elif name == "House":
        name = "House of Representatives"
    state_name = str(meta.name)
    return f"{state_name} State {name}"
