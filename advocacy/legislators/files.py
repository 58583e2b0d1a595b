"""The directory's file format: the CSV files ``flask legislators import --from DIR`` reads.

The shared data folder (``../shared/data``) is in this format, and ``flask legislators sync``
converts the upstream publications into it before importing, so one loader reads both.
A ZIP table may carry an optional ``share`` column (0–1, the part of the ZIP's land area in
that district, as the Census relationship files give it).
"""

from __future__ import annotations

FEDERAL = "federal_legislators.csv"
STATE = "state_legislators.csv"
ZIP_CD = "zip_congressional_districts.csv"
ZIP_SLD = "zip_state_legislative_districts.csv"
SLD = "state_legislative_districts.csv"  # optional: Census codes and names of state districts
SOURCES = "sources.json"  # optional: where the snapshot came from, and when

COLUMNS: dict[str, tuple[str, ...]] = {
    FEDERAL: (
        "bioguide_id", "chamber", "state", "district", "first_name", "last_name", "nickname",
        "suffix", "full_name", "party", "phone", "office_address", "website", "contact_form",
        "term_start", "term_end", "senate_class", "state_rank", "voting",
    ),
    STATE: (
        "openstates_id", "state", "chamber", "district", "seat", "source_district", "name",
        "given_name", "family_name", "party", "email", "capitol_phone", "capitol_address",
        "district_phone", "district_address", "website", "role_start",
    ),
    ZIP_CD: ("zip", "state", "district", "candidates"),
    ZIP_SLD: ("zip", "state", "chamber", "district", "candidates"),
    SLD: ("state", "chamber", "district", "census_code", "census_name", "zips", "legislators"),
}  # fmt: skip
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {ZIP_CD: ("share",), ZIP_SLD: ("share",)}
REQUIRED_FILES = (FEDERAL, STATE, ZIP_CD, ZIP_SLD)
