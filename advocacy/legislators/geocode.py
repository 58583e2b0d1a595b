"""Optional, online: place a street address in its districts with the Census Geocoder.

The directory maps ZIP codes to districts offline; a ZIP that touches several districts is
"ambiguous" until the signer chooses. When ``ADDRESS_GEOCODER_URL`` is configured,
``lookup.find_legislators`` asks the U.S. Census Bureau Geocoder (public, free, no key) where
the signer's street address lies and uses the answer as the choice for those chambers. Without
the setting nothing here runs: no request, no query.

The address is sent to the Census Bureau and nowhere else: it is never logged, stored or put
in an error message.

The Census Geocoder, as used here
---------------------------------
Confirmed (the Census "Geocoding Services Web API" document, and responses recorded from the
live service by client libraries and applications):

- ``GET https://geocoding.geo.census.gov/geocoder/{returntype}/{searchtype}``; ``returntype``
  ``geographies`` adds the geographic lookup (the districts) to the match. ``searchtype``
  ``address`` takes ``street`` plus ``zip`` (or ``city`` and ``state``); ``onelineaddress``
  takes ``address``. Both take ``benchmark``, ``vintage``, ``layers`` and ``format=json``.
- ``benchmark=Public_AR_Current`` (id 4, "Public Address Ranges - Current Benchmark") with
  ``vintage=Current_Current`` (id 4, "Current Vintage - Current Benchmark"): the current
  address ranges and the current district boundaries.
- The JSON: ``{"result": {"input": {…}, "addressMatches": [{"matchedAddress": …,
  "coordinates": {"x", "y"}, "addressComponents": {…}, "tigerLine": {…}, "geographies":
  {"<layer name>": [{"GEOID": …, "STATE": …, "BASENAME": …, "NAME": …, …}]}}]}}``. No match is
  an empty ``addressMatches`` list. Without ``layers`` only States, Counties, Census Tracts and
  Census Blocks come back, so the district layers must be asked for.
- The current vintage's layer names are ``"119th Congressional Districts"`` (fields
  ``GEOID`` = state FIPS + 2-digit district, ``STATE``, ``CD119``, ``BASENAME``, ``NAME``;
  ``00`` at-large, ``98`` for the delegate districts of DC and Puerto Rico) and
  ``"2024 State Legislative Districts - Upper"`` / ``"- Lower"`` (``GEOID`` = state FIPS +
  3-character district code, ``STATE``, ``SLDU`` / ``SLDL``, ``BASENAME``, ``NAME``), the same
  codes as the Census relationship files the directory is built from.

Assumed (not confirmed against the live service from here):

- The ``layers`` ids ``54,56,58`` select those three layers in ``Current_Current`` (they are
  the TIGERweb "current" map service's ids for Congressional Districts and State Legislative
  Districts Upper and Lower, and widely used so). The ids can move when the Census republishes
  the service; the parser therefore finds layers by the stable part of their names
  (``… Congressional Districts``, ``… State Legislative Districts - Upper``), not by the
  Congress number or year, and a layer that is missing simply gives no choice.
- An error answer (a bad street, say) comes with a non-200 status (the service answers
  ``{"errors": […], "status": "400"}`` with HTTP 400); it is a ``GeocodeError`` here.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from flask import current_app
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.legislators.models import Chamber, DirectorySnapshot, District
from advocacy.legislators.upstream import FIPS_TO_STATE

log = logging.getLogger(__name__)

USER_AGENT = "Advocacy legislator lookup"
BENCHMARK = "Public_AR_Current"
VINTAGE = "Current_Current"
# Congressional Districts, State Legislative Districts - Upper, - Lower (see the notes above).
LAYERS = "54,56,58"
# Seconds ``resolve`` waits for the service: it runs inside a page or API request.
TIMEOUT_SECONDS = 5.0
# A geographies answer for three layers is a few kilobytes; refuse anything absurd.
MAX_RESPONSE_BYTES = 1024 * 1024

_CD_LAYER = re.compile(r"congressional districts$", re.IGNORECASE)
_SLD_LAYERS = {
    Chamber.STATE_UPPER: re.compile(r"state legislative districts - upper$", re.IGNORECASE),
    Chamber.STATE_LOWER: re.compile(r"state legislative districts - lower$", re.IGNORECASE),
}
_SLD_FIELDS = {Chamber.STATE_UPPER: "SLDU", Chamber.STATE_LOWER: "SLDL"}
# Census congressional district codes that mean "the state's one seat": at-large, and the
# delegate districts (DC, PR). The directory calls both "0".
_AT_LARGE = frozenset({0, 98})


class GeocodeError(Exception):
    """The geocoder could not be reached or gave an answer that is not one (never says
    the address)."""


def resolve(street: str | None, zip5: str) -> dict[str, str]:
    """The choices (``{"us_house": "NY-12", …}``) for a street address in ``zip5``.

    ``{}`` when ``ADDRESS_GEOCODER_URL`` is not configured, the street is blank, the service
    does not know the address, or it fails (a warning is logged, without the address).
    """
    url = current_app.config.get("ADDRESS_GEOCODER_URL")
    if not url or not street or not street.strip():
        return {}
    try:
        return address_choices(street.strip(), zip5, url=url, timeout=TIMEOUT_SECONDS)
    except GeocodeError as exc:
        log.warning("Address geocoder unavailable, the lookup stays ZIP-based: %s", exc)
        return {}


def address_choices(street: str, zip5: str, *, url: str, timeout: float = 5.0) -> dict[str, str]:
    """Ask the Census Geocoder at ``url`` for the districts of ``street`` in ``zip5``.

    Returns ``{"us_house": "NY-12", "state_upper": "NY-47", "state_lower": "NY-75"}`` for the
    layers the answer has (district keys as ``lookup.district_key`` makes them, state
    districts named as the directory names them); ``{}`` when the address is not matched.
    Raises ``GeocodeError`` for network errors, timeouts, a non-200 status or a body that is
    not the service's JSON.
    """
    payload = _fetch(_request_url(url, street, zip5), timeout)
    geographies = _first_match_geographies(payload)
    if not geographies:
        return {}
    choices: dict[str, str] = {}
    house = _congressional(geographies)
    if house is not None:
        choices[Chamber.US_HOUSE.value] = f"{house[0]}-{house[1]}"
    codes = {
        chamber: found
        for chamber in _SLD_LAYERS
        if (found := _state_legislative(geographies, chamber)) is not None
    }
    if codes:
        names = _district_names(codes)
        for chamber, (state, code) in codes.items():
            district = names.get((state, chamber.value, code), code)
            choices[chamber.value] = f"{state}-{district}"
    return choices


def _request_url(url: str, street: str, zip5: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodeError("ADDRESS_GEOCODER_URL must be an http(s) URL")
    if parts.path.rstrip("/").endswith("onelineaddress"):
        address: dict[str, str] = {"address": f"{street}, {zip5}"}
    else:
        address = {"street": street, "zip": zip5}
    query = urllib.parse.urlencode(
        {
            **dict(urllib.parse.parse_qsl(parts.query)),
            **address,
            "benchmark": BENCHMARK,
            "vintage": VINTAGE,
            "layers": LAYERS,
            "format": "json",
        }
    )
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _fetch(request_url: str, timeout: float) -> Any:
    """The decoded JSON body. Errors name the failure, never the URL (it holds the address);
    exception chains are cut for the same reason."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in _request_url
        request_url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            if response.status != 200:
                raise GeocodeError(f"HTTP {response.status}")
            body = _read(response, deadline)
    except GeocodeError:
        raise
    except urllib.error.HTTPError as exc:
        raise GeocodeError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = "timed out" if isinstance(exc.reason, TimeoutError) else "unreachable"
        raise GeocodeError(f"service {reason} ({type(exc.reason).__name__})") from None
    except TimeoutError:
        raise GeocodeError("service timed out") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # reset, bad status line…
        raise GeocodeError(f"service failed ({type(exc).__name__})") from None
    try:
        return json.loads(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise GeocodeError("malformed JSON") from None


def _read(response: Any, deadline: float) -> bytes:
    """The body, within the overall deadline (the socket timeout bounds each read only)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise GeocodeError("response too large")
        if time.monotonic() > deadline:
            raise GeocodeError("service timed out")
        chunks.append(chunk)
    return b"".join(chunks)


def _first_match_geographies(payload: Any) -> dict[str, Any]:
    result = payload.get("result") if isinstance(payload, dict) else None
    matches = result.get("addressMatches") if isinstance(result, dict) else None
    if not isinstance(matches, list):
        raise GeocodeError("unexpected response (no result.addressMatches)")
    if not matches:
        return {}
    match = matches[0]
    geographies = match.get("geographies") if isinstance(match, dict) else None
    return geographies if isinstance(geographies, dict) else {}


def _layer(geographies: dict[str, Any], pattern: re.Pattern[str]) -> dict[str, Any] | None:
    """The first feature of the layer whose name matches (the newest, if several do:
    "119th Congressional Districts" over "118th …")."""
    names = sorted(
        (name for name in geographies if pattern.search(name.strip())),
        key=lambda name: int(m[1]) if (m := re.match(r"\s*(\d+)", name)) else -1,
        reverse=True,
    )
    for name in names:
        features = geographies[name]
        if isinstance(features, list) and features and isinstance(features[0], dict):
            return features[0]
    return None


def _text(feature: dict[str, Any], key: str) -> str:
    value = feature.get(key)
    return str(value).strip() if value is not None else ""


def _state(feature: dict[str, Any], geoid: str) -> str | None:
    fips = _text(feature, "STATE") or geoid[:2]
    return FIPS_TO_STATE.get(fips.zfill(2))


def _congressional(geographies: dict[str, Any]) -> tuple[str, str] | None:
    """(state, district) of the congressional layer: ``3612`` → ("NY", "12"); at-large and
    delegate districts → "0"."""
    feature = _layer(geographies, _CD_LAYER)
    if feature is None:
        return None
    geoid = _text(feature, "GEOID")
    if len(geoid) == 4:
        code = geoid[2:]
    else:
        field = next((k for k in feature if re.fullmatch(r"CD\d+", k)), None)
        code = _text(feature, field) if field else ""
    state = _state(feature, geoid)
    if state is None or not code.isdigit():  # "ZZ": in no district (water)
        return None
    number = int(code)
    return state, "0" if number in _AT_LARGE else str(number)


def _state_legislative(geographies: dict[str, Any], chamber: Chamber) -> tuple[str, str] | None:
    """(state, Census code without zero padding) of a state legislative layer:
    ``36047`` → ("NY", "47"), ``0200A`` → ("AK", "A"), ``25D01`` → ("MA", "D01")."""
    feature = _layer(geographies, _SLD_LAYERS[chamber])
    if feature is None:
        return None
    geoid = _text(feature, "GEOID")
    code = _text(feature, _SLD_FIELDS[chamber]) or (geoid[2:] if len(geoid) == 5 else "")
    state = _state(feature, geoid)
    if state is None or not code or set(code.upper()) == {"Z"}:  # "ZZZ": in no district
        return None
    return state, code.lstrip("0") or "0"


def _district_names(codes: dict[Chamber, tuple[str, str]]) -> dict[tuple[str, str, str], str]:
    """(state, chamber, Census code) → the directory's district name, in one query on the
    loaded snapshot (Massachusetts, New Hampshire and Vermont name their districts)."""
    rows = db.session.execute(
        select(District.state, District.chamber, District.census_code, District.district)
        .join(DirectorySnapshot, DirectorySnapshot.id == District.snapshot_id)
        .where(
            DirectorySnapshot.active,
            District.state.in_(sorted({state for state, _ in codes.values()})),
            District.chamber.in_(sorted(chamber.value for chamber in codes)),
            District.census_code.in_(sorted({code for _, code in codes.values()})),
        )
    ).all()
    return {(row.state, row.chamber, row.census_code): row.district for row in rows}
