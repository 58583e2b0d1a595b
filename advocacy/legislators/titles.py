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
NON_VOTING_HOUSE_TITLES = {
    "PR": RESIDENT_COMMISSIONER,
    "DC": DELEGATE,
    "GU": DELEGATE,
    "VI": DELEGATE,
    "AS": DELEGATE,
    "MP": DELEGATE,
}

# Where Open States' metadata gives a plural or a generic word rather than a member's title
# (the territories' legislatures, which the shared directory does not hold today).
_TITLE_CORRECTIONS = {
    ("AS", "upper"): "Senator",  # American Samoa Fono: Senate
    ("AS", "lower"): "Representative",  # and House of Representatives
    ("MP", "upper"): "Senator",
    ("MP", "lower"): "Representative",
    ("GU", "legislature"): "Senator",  # the Guam Legislature's members are senators
}

# The body as an inside address names it, where it is not "<State> Senate" or
# "<State> House of Representatives" (each chamber's official name).
_UPPER_NAMES = {
    "CA": "California State Senate",
    "CT": "Connecticut State Senate",
    "GA": "Georgia State Senate",
    "LA": "Louisiana State Senate",
    "MS": "Mississippi State Senate",
    "NY": "New York State Senate",
    "OR": "Oregon State Senate",
    "PA": "Pennsylvania State Senate",
    "UT": "Utah State Senate",
    "VA": "Senate of Virginia",
    "WA": "Washington State Senate",
    "WI": "Wisconsin State Senate",
    "PR": "Senate of Puerto Rico",
    "AS": "American Samoa Senate",
    "MP": "Northern Mariana Islands Senate",
}
_LOWER_NAMES = {
    "CA": "California State Assembly",
    "NY": "New York State Assembly",
    "WI": "Wisconsin State Assembly",
    "NJ": "New Jersey General Assembly",
    "NV": "Nevada Assembly",
    "MD": "Maryland House of Delegates",
    "VA": "Virginia House of Delegates",
    "WV": "West Virginia House of Delegates",
    "PR": "House of Representatives of Puerto Rico",
    "AS": "American Samoa House of Representatives",
    "MP": "Northern Mariana Islands House of Representatives",
}
# One-chamber bodies, and a whole legislature where a row names no chamber.
_LEGISLATURE_NAMES = {
    "NE": "Nebraska Legislature",
    "DC": "Council of the District of Columbia",
    "GU": "Guam Legislature",
    "VI": "Legislature of the Virgin Islands",
    "NJ": "New Jersey Legislature",  # the metadata spells it "New jersey"
}


def federal_title(chamber: Chamber | str, state: str, voting: bool = True) -> str:
    """ "Senator", "Representative", or the title of a non-voting House member: the
    delegates of DC and the territories, Puerto Rico's Resident Commissioner. Those follow
    from the state, whatever the ``voting`` flag says; ``voting=False`` elsewhere (no such
    seat exists today) is still a Representative."""
    if Chamber(chamber) is Chamber.US_SENATE:
        return US_SENATOR
    return NON_VOTING_HOUSE_TITLES.get(state, US_REPRESENTATIVE)


@cache
def _state(state: str) -> openstates_metadata.State | None:
    try:
        return openstates_metadata.lookup(abbr=state)
    except KeyError:
        return None


def state_name(state: str) -> str:
    """ "New York" for "NY" (Open States' name; the code itself when it knows none)."""
    meta = _state(state)
    return str(meta.name) if meta is not None else state


def _chamber(state: str, chamber: Chamber | str) -> openstates_metadata.Chamber | None:
    meta = _state(state)
    if meta is None:
        return None
    if meta.unicameral:  # Nebraska's Legislature, the DC Council: one chamber
        return meta.legislature
    return meta.upper if Chamber(chamber) is Chamber.STATE_UPPER else meta.lower


def _kind(state: str, chamber: Chamber | str) -> str:
    """ "upper", "lower" or "legislature", as Open States and the import files say."""
    meta = _state(state)
    value = Chamber(chamber)
    if (meta is not None and meta.unicameral) or value is Chamber.STATE_LEGISLATURE:
        return "legislature"
    return "upper" if value is Chamber.STATE_UPPER else "lower"


def state_title(state: str, chamber: Chamber | str) -> str:
    """The member title of a state chamber, from Open States' metadata ("Senator",
    "Representative", "Assembly Member", "Assemblymember", "Delegate", "Councilmember")."""
    corrected = _TITLE_CORRECTIONS.get((state, _kind(state, chamber)))
    if corrected:
        return corrected
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
    """The body a letter is addressed to, as the inside address names it: "United States
    Senate", "New York State Assembly", "Texas House of Representatives", "Nebraska
    Legislature", "Maryland House of Delegates"."""
    value = Chamber(chamber)
    if value is Chamber.US_SENATE:
        return "United States Senate"
    if value is Chamber.US_HOUSE:
        return "United States House of Representatives"
    meta = _state(state)
    if meta is None:
        return value.label
    kind = _kind(state, chamber)
    state_name = str(meta.name)
    if kind == "legislature":
        return _LEGISLATURE_NAMES.get(state) or str(meta.legislature_name or state_name)
    if kind == "upper":
        return _UPPER_NAMES.get(state, f"{state_name} Senate")
    return _LOWER_NAMES.get(state, f"{state_name} House of Representatives")
