"""ZIP code shape checks and the USPS ZIP-prefix → state table.

The prefix table is the USPS's own allocation of three-digit prefixes; it names the
state a ZIP belongs to for display ("Syracuse, NY"). The district lookup that needs more
than the state uses the imported Census relationship tables instead.
"""

from __future__ import annotations

import re

ZIP_RE = re.compile(r"^\s*(\d{5})(?:[-\s]?(\d{4}))?\s*$")

_PREFIX_RANGES = (
    ("005", "005", "NY"), ("006", "007", "PR"), ("008", "008", "VI"), ("009", "009", "PR"),
    ("010", "027", "MA"), ("028", "029", "RI"), ("030", "038", "NH"), ("039", "049", "ME"),
    ("050", "054", "VT"), ("055", "055", "MA"), ("056", "059", "VT"), ("060", "069", "CT"),
    ("070", "089", "NJ"), ("090", "098", "AE"), ("100", "149", "NY"), ("150", "196", "PA"),
    ("197", "199", "DE"), ("200", "200", "DC"), ("201", "201", "VA"), ("202", "205", "DC"),
    ("206", "219", "MD"), ("220", "246", "VA"), ("247", "268", "WV"), ("270", "289", "NC"),
    ("290", "299", "SC"), ("300", "319", "GA"), ("320", "339", "FL"), ("340", "340", "AA"),
    ("341", "349", "FL"), ("350", "369", "AL"), ("370", "385", "TN"), ("386", "397", "MS"),
    ("398", "399", "GA"), ("400", "427", "KY"), ("430", "459", "OH"), ("460", "479", "IN"),
    ("480", "499", "MI"), ("500", "528", "IA"), ("530", "549", "WI"), ("550", "567", "MN"),
    ("569", "569", "DC"), ("570", "577", "SD"), ("580", "588", "ND"), ("590", "599", "MT"),
    ("600", "629", "IL"), ("630", "658", "MO"), ("660", "679", "KS"), ("680", "693", "NE"),
    ("700", "715", "LA"), ("716", "729", "AR"), ("730", "732", "OK"), ("733", "733", "TX"),
    ("734", "749", "OK"), ("750", "799", "TX"), ("800", "816", "CO"), ("820", "831", "WY"),
    ("832", "838", "ID"), ("840", "847", "UT"), ("850", "865", "AZ"), ("870", "884", "NM"),
    ("885", "885", "TX"), ("889", "898", "NV"), ("900", "961", "CA"), ("962", "966", "AP"),
    ("967", "968", "HI"), ("969", "969", "GU"), ("970", "979", "OR"), ("980", "994", "WA"),
    ("995", "999", "AK"),
)  # fmt: skip


def normalise_zip(value: str) -> str | None:
    """``"13202"``, ``"13202-1234"`` or ``"132021234"`` → ``"13202"`` / ``"13202-1234"``."""
    match = ZIP_RE.match(value or "")
    if not match:
        return None
    five, four = match.groups()
    return f"{five}-{four}" if four else five


def state_for_zip(zip_code: str) -> str | None:
    """The state (USPS code) a ZIP's prefix is allocated to, or None for an unused prefix."""
    prefix = zip_code[:3]
    for low, high, state in _PREFIX_RANGES:
        if low <= prefix <= high:
            return state
    return None


_CITY_RE = re.compile(r",\s*([A-Za-z][A-Za-z .'-]{1,60}?)\s*,\s*([A-Za-z]{2})\b")


def city_from_address(address: str | None, state: str | None) -> str | None:
    """The city of a one-line address such as "1 Main St, Syracuse, NY 13202", if it has one."""
    if not address:
        return None
    match = _CITY_RE.search(address)
    if match and (state is None or match.group(2).upper() == state):
        return match.group(1).strip().title()
    return None
