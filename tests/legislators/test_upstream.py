"""``upstream``: fetching the official publications and converting them into a directory folder.

The upstream files are written here in their published layouts (column names as
congress-legislators, Open States and the Census Bureau publish them), a few rows each. No app,
no database: the converters are plain functions over files.
"""

from __future__ import annotations

import csv
import functools
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from advocacy.legislators import files, upstream
from advocacy.legislators.upstream import SyncError

# --- upstream layouts -------------------------------------------------------------------------

CONGRESS_HEADER = [
    "last_name", "first_name", "middle_name", "suffix", "nickname", "full_name", "birthday",
    "gender", "type", "state", "district", "senate_class", "party", "url", "address", "phone",
    "contact_form", "rss_url", "twitter", "twitter_id", "facebook", "youtube", "youtube_id",
    "mastodon", "bioguide_id", "thomas_id", "opensecrets_id", "lis_id", "fec_ids", "cspan_id",
    "govtrack_id", "votesmart_id", "ballotpedia_id", "washington_post_id", "icpsr_id",
    "wikipedia_id",
]  # fmt: skip

CONGRESS_ROWS = [
    {
        "last_name": "Murkowski",
        "first_name": "Lisa",
        "full_name": "Lisa Murkowski",
        "type": "sen",
        "state": "AK",
        "senate_class": "3",
        "party": "Republican",
        "url": "https://www.murkowski.senate.gov",
        "address": "522 Hart Senate Office Building Washington DC 20510",
        "phone": "202-224-6665",
        "contact_form": "https://www.murkowski.senate.gov/public/index.cfm/contact",
        "bioguide_id": "M001153",
    },
    {
        "last_name": "Begich",
        "first_name": "Nicholas",
        "suffix": "III",
        "full_name": "Nicholas J. Begich III",
        "type": "rep",
        "state": "AK",
        "district": "0",
        "party": "Republican",
        "url": "https://begich.house.gov",
        "phone": "202-225-5765",
        "bioguide_id": "B001323",
    },
    {
        "last_name": "Norton",
        "first_name": "Eleanor",
        "full_name": "Eleanor Holmes Norton",
        "type": "rep",
        "state": "DC",
        "district": "0",
        "party": "Democrat",
        "url": "https://norton.house.gov",
        "bioguide_id": "N000147",
    },
    {
        "last_name": "Nadler",
        "first_name": "Jerrold",
        "nickname": "Jerry",
        "full_name": "Jerrold Nadler",
        "type": "rep",
        "state": "NY",
        "district": "12",
        "party": "Democrat",
        "url": "https://nadler.house.gov",
        "bioguide_id": "N000002",
    },
    {
        "last_name": "Someone",
        "first_name": "Pat",
        "full_name": "Pat Someone",
        "type": "rep",
        "state": "WY",
        "district": "-1",
        "party": "Republican",
        "bioguide_id": "S009999",
    },
]

OPENSTATES_HEADER = [
    "id", "name", "current_party", "current_district", "current_chamber", "given_name",
    "family_name", "gender", "email", "biography", "birth_date", "death_date", "image", "links",
    "sources", "capitol_address", "capitol_voice", "capitol_fax", "district_address",
    "district_voice", "district_fax", "twitter", "youtube", "instagram", "facebook", "wikidata",
]  # fmt: skip

IDAHO_ROWS = [
    {
        "id": "ocd-person/00000000-0000-0000-0000-00000000000a",
        "name": "Ann Alpha",
        "current_party": "Republican",
        "current_district": "10A",
        "current_chamber": "lower",
        "given_name": "Ann",
        "family_name": "Alpha",
        "email": "aalpha@house.idaho.gov",
        "links": "https://legislature.idaho.gov/legislators/a/;https://example.org/ann",
        "capitol_address": "P.O. Box 83720, Boise, ID 83720",
        "capitol_voice": "208-332-1000",
        "district_voice": "208-555-0101",
        "district_address": "1 Main St, Nampa, ID 83651",
    },
    {
        "id": "ocd-person/00000000-0000-0000-0000-00000000000b",
        "name": "Bo Beta",
        "current_party": "Democratic",
        "current_district": "10B",
        "current_chamber": "lower",
        "given_name": "Bo",
        "family_name": "Beta",
    },
    {
        "id": "ocd-person/00000000-0000-0000-0000-00000000000c",
        "name": "Cy Gamma",
        "current_party": "Republican",
        "current_district": "10",
        "current_chamber": "upper",
        "given_name": "Cy",
        "family_name": "Gamma",
        "links": "https://legislature.idaho.gov/legislators/c/",
    },
]

NEBRASKA_ROWS = [
    {
        "id": "ocd-person/00000000-0000-0000-0000-00000000000d",
        "name": "Dee Delta",
        "current_party": "Nonpartisan",
        "current_district": "26",
        "current_chamber": "legislature",
        "given_name": "Dee",
        "family_name": "Delta",
        "email": "ddelta@leg.ne.gov",
    },
]


def census_header(district: str) -> list[str]:
    """The relationship files' 17 columns, ``district`` being e.g. CD119 or SLDU2024."""
    return [
        f"OID_{district}_20",
        f"GEOID_{district}_20",
        f"NAMELSAD_{district}_20",
        f"AREALAND_{district}_20",
        f"AREAWATER_{district}_20",
        f"MTFCC_{district}_20",
        f"FUNCSTAT_{district}_20",
        "OID_ZCTA5_20",
        "GEOID_ZCTA5_20",
        "NAMELSAD_ZCTA5_20",
        "AREALAND_ZCTA5_20",
        "AREAWATER_ZCTA5_20",
        "MTFCC_ZCTA5_20",
        "CLASSFP_ZCTA5_20",
        "FUNCSTAT_ZCTA5_20",
        "AREALAND_PART",
        "AREAWATER_PART",
    ]


def census_row(geoid: str, name: str, zcta: str, zcta_land: int, land: int, water: int = 0):
    if not zcta:  # a district's area outside every ZCTA
        return ["1", geoid, name, "5000", "0", "G5200", "N", *[""] * 8, str(land), str(water)]
    return [
        "1",
        geoid,
        name,
        "5000",
        "0",
        "G5200",
        "N",
        "2",
        zcta,
        f"ZCTA5 {zcta}",
        str(zcta_land),
        "100",
        "G6350",
        "B5",
        "S",
        str(land),
        str(water),
    ]


CD_ROWS = [
    # 10001 is split between NY-10 and NY-12, and touches NY-7 over water only.
    census_row("3610", "Congressional District 10", "10001", 1000, 300, 10),
    census_row("3612", "Congressional District 12", "10001", 1000, 700, 40),
    census_row("3607", "Congressional District 7", "10001", 1000, 0, 50),
    # At-large states (00) and the non-voting seats (98) are district 0.
    census_row("0200", "Congressional District (at Large)", "99501", 2000, 2000),
    census_row("1198", "Delegate District (at Large)", "20001", 500, 500),
    census_row("7298", "Resident Commissioner District (at Large)", "00601", 800, 800),
    # A part in no district (ZZ), and a district's area outside every ZCTA: skipped.
    census_row("09ZZ", "Congressional Districts not defined", "06437", 900, 0, 70),
    census_row("0903", "Congressional District 3", "06437", 900, 900, 30),
    census_row("0101", "Congressional District 1", "", 0, 5000, 10),
]

SLDU_ROWS = [
    census_row("16010", "State Senate District 10", "83651", 1000, 1000),
    census_row("31026", "Legislative District 26", "68508", 400, 400),
    census_row("0200A", "State Senate District A", "99501", 2000, 1500),
    census_row("0200B", "State Senate District B", "99501", 2000, 500),
    census_row("25D01", "Berkshire-Hampden-Franklin-Hampshire District", "01002", 3000, 3000),
    census_row("50CSE", "Chittenden South East Senatorial District", "05401", 700, 700),
    census_row("11ZZZ", "State Senate Districts not defined", "20001", 500, 500),
]

SLDL_ROWS = [
    census_row("16010", "State Legislative District 10", "83651", 1000, 1000),
    # Nebraska has no lower chamber: its lower-file rows have no district.
    census_row("", "", "68508", 400, 400),
    census_row("24001", "State Legislative District 1", "21502", 100, 60),
    census_row("2401A", "State Legislative Subdistrict 1A", "21502", 100, 40),
    census_row("33101", "State House District Belknap 01", "03246", 250, 250),
    census_row("25001", "1st Barnstable District", "01002", 3000, 0, 5),
]


def write_csv(path: Path, header: list[str], rows: list, delimiter: str = ",", bom: str = ""):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write(bom)
        if rows and isinstance(rows[0], dict):
            writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, restval="")
            writer.writeheader()
            writer.writerows(rows)
        else:
            writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
    return path


def write_census(path: Path, district: str, rows: list[list[str]]) -> Path:
    return write_csv(path, census_header(district), rows, delimiter="|", bom="\ufeff")


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def by(rows: list[dict[str, str]], *keys: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(row[k] for k in keys): row for row in rows}


# --- congress-legislators -----------------------------------------------------------------------


def test_convert_congress(tmp_path):
    src = write_csv(tmp_path / "legislators-current.csv", CONGRESS_HEADER, CONGRESS_ROWS)

    assert upstream.convert_congress(src, tmp_path) == 5

    header, rows = read(tmp_path / files.FEDERAL)
    assert header == list(files.COLUMNS[files.FEDERAL])
    members = by(rows, "bioguide_id")
    senator = members["M001153",]
    assert senator["chamber"] == "senate"
    assert senator["district"] == ""
    assert senator["senate_class"] == "3"
    assert senator["voting"] == "yes"
    assert senator["website"] == "https://www.murkowski.senate.gov"
    assert senator["office_address"] == "522 Hart Senate Office Building Washington DC 20510"
    assert senator["contact_form"].endswith("/contact")
    # The CSV has no term dates or state rank: those stay blank.
    assert (senator["term_start"], senator["term_end"], senator["state_rank"]) == ("", "", "")
    at_large = members["B001323",]
    assert (at_large["chamber"], at_large["district"], at_large["voting"]) == ("house", "0", "yes")
    assert at_large["suffix"] == "III"
    assert at_large["senate_class"] == ""
    delegate = members["N000147",]
    assert (delegate["state"], delegate["district"], delegate["voting"]) == ("DC", "0", "no")
    assert delegate["party"] == "Democrat"  # as upstream says
    assert members["N000002",]["district"] == "12"
    assert members["N000002",]["nickname"] == "Jerry"
    assert members["S009999",]["district"] == "0"  # -1 (unknown) is read as at-large
    # Sorted by state, senators first.
    assert [r["bioguide_id"] for r in rows] == [
        "M001153",
        "B001323",
        "N000147",
        "N000002",
        "S009999",
    ]


def test_convert_congress_keeps_term_columns_when_present(tmp_path):
    header = [*CONGRESS_HEADER, "term_start", "term_end", "state_rank"]
    row = {**CONGRESS_ROWS[0], "term_start": "2023-01-03", "term_end": "2029-01-03"}
    src = write_csv(tmp_path / "legislators.csv", header, [{**row, "state_rank": "senior"}])

    upstream.convert_congress(src, tmp_path)

    _, rows = read(tmp_path / files.FEDERAL)
    assert (rows[0]["term_start"], rows[0]["term_end"]) == ("2023-01-03", "2029-01-03")
    assert rows[0]["state_rank"] == "senior"


def test_convert_congress_wrong_header(tmp_path):
    src = tmp_path / "legislators-current.csv"
    src.write_text("<!DOCTYPE html>\n<html><body>Rate limited</body></html>\n")

    with pytest.raises(SyncError, match=r"legislators-current\.csv line 1: wrong header"):
        upstream.convert_congress(src, tmp_path)
    assert not (tmp_path / files.FEDERAL).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "del"}, "type must be sen or rep"),
        ({"district": "twelve"}, "House district must be a number"),
        ({"state": "XX"}, "unknown state"),
        ({"bioguide_id": ""}, "no bioguide_id"),
        ({"bioguide_id": "M001153"}, "bioguide_id M001153 appears twice"),
    ],
)
def test_convert_congress_bad_row(tmp_path, change, message):
    rows = [*CONGRESS_ROWS[:3], {**CONGRESS_ROWS[3], **change}]
    src = write_csv(tmp_path / "legislators-current.csv", CONGRESS_HEADER, rows)

    with pytest.raises(SyncError, match=rf"legislators-current\.csv line 5: {message}"):
        upstream.convert_congress(src, tmp_path)


# --- Open States -------------------------------------------------------------------------------


def openstates_files(folder: Path) -> list[Path]:
    return [
        write_csv(folder / "id.csv", OPENSTATES_HEADER, IDAHO_ROWS),
        write_csv(folder / "ne.csv", OPENSTATES_HEADER, NEBRASKA_ROWS),
    ]


def test_convert_openstates(tmp_path):
    assert upstream.convert_openstates(openstates_files(tmp_path / "src"), tmp_path) == 4

    header, rows = read(tmp_path / files.STATE)
    assert header == list(files.COLUMNS[files.STATE])
    people = by(rows, "openstates_id")
    ann = people["ocd-person/00000000-0000-0000-0000-00000000000a",]
    assert (ann["state"], ann["chamber"]) == ("ID", "lower")
    assert (ann["district"], ann["seat"], ann["source_district"]) == ("10", "A", "10A")
    assert ann["website"] == "https://legislature.idaho.gov/legislators/a/"  # the first link
    assert ann["capitol_phone"] == "208-332-1000"
    assert ann["capitol_address"] == "P.O. Box 83720, Boise, ID 83720"
    assert ann["district_phone"] == "208-555-0101"
    assert ann["district_address"] == "1 Main St, Nampa, ID 83651"
    assert ann["email"] == "aalpha@house.idaho.gov"
    assert (ann["given_name"], ann["family_name"], ann["party"]) == ("Ann", "Alpha", "Republican")
    assert ann["role_start"] == ""
    bo = people["ocd-person/00000000-0000-0000-0000-00000000000b",]
    assert (bo["district"], bo["seat"], bo["source_district"]) == ("10", "B", "10B")
    assert bo["website"] == ""
    senator = people["ocd-person/00000000-0000-0000-0000-00000000000c",]
    assert (senator["chamber"], senator["district"], senator["seat"]) == ("upper", "10", "")
    # Nebraska's unicameral legislature is "upper", as in the Census files.
    dee = people["ocd-person/00000000-0000-0000-0000-00000000000d",]
    assert (dee["state"], dee["chamber"], dee["district"]) == ("NE", "upper", "26")
    assert dee["seat"] == ""
    assert dee["party"] == "Nonpartisan"


def test_convert_openstates_wrong_header(tmp_path):
    src = write_csv(tmp_path / "id.csv", ["id", "name", "party"], [["x", "y", "z"]])

    with pytest.raises(SyncError, match=r"id\.csv line 1: wrong header.*current_district"):
        upstream.convert_openstates([src], tmp_path)


def test_convert_openstates_bad_row(tmp_path):
    rows = [*IDAHO_ROWS[:2], {**IDAHO_ROWS[2], "current_chamber": "senate"}]
    src = write_csv(tmp_path / "id.csv", OPENSTATES_HEADER, rows)

    with pytest.raises(SyncError, match=r"id\.csv line 4: current_chamber must be"):
        upstream.convert_openstates([src], tmp_path)


def test_convert_openstates_needs_the_state_in_the_file_name(tmp_path):
    src = write_csv(tmp_path / "people.csv", OPENSTATES_HEADER, IDAHO_ROWS)

    with pytest.raises(SyncError, match=r"people\.csv: cannot tell the state"):
        upstream.convert_openstates([src], tmp_path)


# --- Census relationship files ----------------------------------------------------------------


def test_convert_census_cd(tmp_path):
    src = write_census(tmp_path / "tab20_cd11920_zcta520_natl.txt", "CD119", CD_ROWS)

    assert upstream.convert_census_cd(src, tmp_path) == 6

    header, rows = read(tmp_path / files.ZIP_CD)
    assert header == [*files.COLUMNS[files.ZIP_CD], "share"]
    assert [(r["zip"], r["state"], r["district"], r["candidates"], r["share"]) for r in rows] == [
        ("00601", "PR", "0", "1", "1.0"),
        ("06437", "CT", "3", "1", "1.0"),
        ("10001", "NY", "10", "2", "0.3"),
        ("10001", "NY", "12", "2", "0.7"),
        ("20001", "DC", "0", "1", "1.0"),
        ("99501", "AK", "0", "1", "1.0"),
    ]


def test_convert_census_cd_rounds_shares(tmp_path):
    rows = [
        census_row("0601", "Congressional District 1", "95501", 3, 1),
        census_row("0602", "Congressional District 2", "95501", 3, 2),
    ]
    src = write_census(tmp_path / "cd.txt", "CD119", rows)

    upstream.convert_census_cd(src, tmp_path)

    _, out = read(tmp_path / files.ZIP_CD)
    assert [r["share"] for r in out] == ["0.3333", "0.6667"]


def test_convert_census_cd_wrong_header(tmp_path):
    src = write_census(tmp_path / "tab20_sldl202420_zcta520_natl.txt", "SLDL2024", SLDL_ROWS)

    wrong = r"tab20_sldl202420_zcta520_natl\.txt line 1: wrong header"
    with pytest.raises(SyncError, match=wrong):
        upstream.convert_census_cd(src, tmp_path)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (census_row("3612", "CD 12", "10001", 1000, 1)[:-2] + ["lots", "0"], "AREALAND_PART"),
        (census_row("3612", "CD 12", "1001", 1000, 1), "ZCTA must be 5 digits"),
        (census_row("9912", "CD 12", "10001", 1000, 1), "unknown state FIPS"),
        (census_row("361", "CD 12", "10001", 1000, 1), "should be 4 characters"),
    ],
)
def test_convert_census_cd_bad_row(tmp_path, bad, message):
    src = write_census(tmp_path / "cd.txt", "CD119", [*CD_ROWS[:2], bad])

    with pytest.raises(SyncError, match=rf"cd\.txt line 4: .*{message}"):
        upstream.convert_census_cd(src, tmp_path)


def sld_files(folder: Path) -> tuple[Path, Path]:
    return (
        write_census(folder / "tab20_sldu202420_zcta520_natl.txt", "SLDU2024", SLDU_ROWS),
        write_census(folder / "tab20_sldl202420_zcta520_natl.txt", "SLDL2024", SLDL_ROWS),
    )


def test_convert_census_sld(tmp_path):
    upper, lower = sld_files(tmp_path / "src")
    names = {("VT", "upper", "CSE"): "Chittenden Southeast"}

    assert upstream.convert_census_sld(upper, lower, tmp_path, district_names=names) == 11

    header, rows = read(tmp_path / files.ZIP_SLD)
    assert header == [*files.COLUMNS[files.ZIP_SLD], "share"]
    assert [
        (r["zip"], r["state"], r["chamber"], r["district"], r["candidates"], r["share"])
        for r in rows
    ] == [
        # Massachusetts, New Hampshire's House and Vermont name their districts.
        ("01002", "MA", "upper", "Berkshire, Hampden, Franklin and Hampshire", "1", "1.0"),
        ("01002", "MA", "lower", "1st Barnstable", "1", "0.0"),  # water only, but all it has
        ("03246", "NH", "lower", "Belknap 1", "1", "1.0"),
        ("05401", "VT", "upper", "Chittenden Southeast", "1", "1.0"),  # from district_names
        # Zero padding goes: 001 → 1, 01A → 1A, 00A → A.
        ("21502", "MD", "lower", "1", "2", "0.6"),
        ("21502", "MD", "lower", "1A", "2", "0.4"),
        ("68508", "NE", "upper", "26", "1", "1.0"),
        ("83651", "ID", "upper", "10", "1", "1.0"),
        ("83651", "ID", "lower", "10", "1", "1.0"),
        ("99501", "AK", "upper", "A", "2", "0.75"),
        ("99501", "AK", "upper", "B", "2", "0.25"),
    ]

    header, districts = read(tmp_path / files.SLD)
    assert header == list(files.COLUMNS[files.SLD])
    table = by(districts, "state", "chamber", "district")
    assert len(table) == len(districts) == 11
    assert table["MA", "upper", "Berkshire, Hampden, Franklin and Hampshire"] == {
        "state": "MA",
        "chamber": "upper",
        "district": "Berkshire, Hampden, Franklin and Hampshire",
        "census_code": "D01",
        "census_name": "Berkshire-Hampden-Franklin-Hampshire District",
        "zips": "1",
        "legislators": "",  # unknown here: the importer counts them
    }
    assert table["NH", "lower", "Belknap 1"]["census_code"] == "101"
    assert table["AK", "upper", "A"]["census_code"] == "A"
    assert table["MD", "lower", "1A"]["census_code"] == "1A"
    assert table["VT", "upper", "Chittenden Southeast"]["census_code"] == "CSE"
    assert table["ID", "lower", "10"]["zips"] == "1"
    assert not any(row["state"] == "DC" for row in districts)  # 11ZZZ: no district


def test_convert_census_sld_drops_water_only_parts_beside_land(tmp_path):
    upper = write_census(
        tmp_path / "sldu.txt",
        "SLDU2024",
        [
            census_row("36047", "State Senate District 47", "10001", 1000, 1000, 5),
            census_row("36028", "State Senate District 28", "10001", 1000, 0, 9),
        ],
    )
    lower = write_census(tmp_path / "sldl.txt", "SLDL2024", [])

    assert upstream.convert_census_sld(upper, lower, tmp_path) == 1

    _, rows = read(tmp_path / files.ZIP_SLD)
    assert [(r["district"], r["candidates"]) for r in rows] == [("47", "1")]
    _, districts = read(tmp_path / files.SLD)
    assert {(r["district"], r["zips"]) for r in districts} == {("47", "1"), ("28", "0")}


def test_convert_census_sld_bad_row(tmp_path):
    upper, _ = sld_files(tmp_path)
    lower = write_census(
        tmp_path / "sldl.txt",
        "SLDL2024",
        [SLDL_ROWS[0], census_row("24001", "District 1", "21502", 100, -60)],
    )

    with pytest.raises(SyncError, match=r"sldl\.txt line 3: AREALAND_PART must be a whole number"):
        upstream.convert_census_sld(upper, lower, tmp_path)


def test_convert_census_sld_wrong_header(tmp_path):
    _, lower = sld_files(tmp_path)
    upper = write_census(tmp_path / "cd.txt", "CD119", CD_ROWS)

    with pytest.raises(SyncError, match=r"cd\.txt line 1: wrong header, expected one GEOID_SLDU"):
        upstream.convert_census_sld(upper, lower, tmp_path)


def test_census_district_name():
    name = upstream.census_district_name
    assert name("NY", "lower", "075") == "75"
    assert name("MN", "lower", "21A") == "21A"
    assert name("VT", "lower", "A-1", "Addison-1 State House District") == "Addison-1"
    assert name("VT", "upper", "ADD", "Addison Senatorial District") == "Addison"
    assert name("MA", "lower", "001", "1st Barnstable District") == "1st Barnstable"
    # The caller's mapping comes first, under the code as published or without its padding.
    assert name("NY", "lower", "075", "", {("NY", "lower", "75"): "Seventy-five"}) == (
        "Seventy-five"
    )
    assert name("NY", "lower", "075", "", {("NY", "lower", "075"): "Seventy-five"}) == (
        "Seventy-five"
    )


def test_read_district_names(tmp_path):
    upper, lower = sld_files(tmp_path / "src")
    upstream.convert_census_sld(upper, lower, tmp_path)

    names = upstream.read_district_names(tmp_path / files.SLD)

    assert names[("NH", "lower", "101")] == "Belknap 1"
    assert names[("AK", "upper", "A")] == "A"
    assert names[("VT", "upper", "CSE")] == "Chittenden South East"  # no mapping given


# --- fetch -------------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    user_agents: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        self.user_agents.append(self.headers.get("User-Agent", ""))
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 (the http.server signature)
        pass


@pytest.fixture
def http_root(tmp_path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a temporary folder: (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_fetch_file_url(tmp_path):
    src = tmp_path / "legislators-current.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    dest = tmp_path / "out" / "upstream" / "copy.csv"

    meta = upstream.fetch(src.as_uri(), dest)

    assert dest.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert meta["url"] == src.as_uri()
    assert datetime.fromisoformat(meta["retrieved_at"]).utcoffset().total_seconds() == 0
    assert meta["last_modified"]  # urllib gives file URLs a Last-modified header
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.csv"]  # no temporary left


def test_fetch_http(http_root, tmp_path):
    base, root = http_root
    (root / "ne.csv").write_bytes(b"id,name\nocd-person/1,Dee Delta\n")
    dest = tmp_path / "got" / "ne.csv"

    meta = upstream.fetch(f"{base}/ne.csv", dest, timeout=10)

    assert dest.read_bytes() == b"id,name\nocd-person/1,Dee Delta\n"
    assert meta["url"] == f"{base}/ne.csv"
    assert meta["last_modified"]  # SimpleHTTPRequestHandler sends Last-Modified
    assert _QuietHandler.user_agents[-1] == "Advocacy legislator sync"


def test_fetch_http_404(http_root, tmp_path):
    base, _ = http_root
    dest = tmp_path / "got" / "missing.csv"

    with pytest.raises(SyncError, match=r"missing\.csv: HTTP 404"):
        upstream.fetch(f"{base}/missing.csv", dest, timeout=10)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_fetch_keeps_the_previous_file_on_failure(tmp_path):
    dest = tmp_path / "id.csv"
    dest.write_text("previous", encoding="utf-8")

    with pytest.raises(SyncError, match="Could not fetch"):
        upstream.fetch((tmp_path / "nowhere.csv").as_uri(), dest)
    assert dest.read_text(encoding="utf-8") == "previous"


def test_fetch_refuses_other_schemes(tmp_path):
    with pytest.raises(SyncError, match="only http"):
        upstream.fetch("ftp://example.org/file.csv", tmp_path / "file.csv")


# --- the whole chain ---------------------------------------------------------------------------


def upstream_folder(folder: Path) -> dict[str, str]:
    """The five publications in ``folder``; the sources dict pointing at them (file URLs)."""
    write_csv(folder / "legislators-current.csv", CONGRESS_HEADER, CONGRESS_ROWS)
    openstates_files(folder / "people")
    write_census(folder / "cd.txt", "CD119", CD_ROWS)
    sld_files(folder)
    return {
        "congress_legislators": (folder / "legislators-current.csv").as_uri(),
        "openstates_people": (folder / "people").as_uri() + "/{state}.csv",
        "zip_cd": (folder / "cd.txt").as_uri(),
        "zip_sldu": (folder / "tab20_sldu202420_zcta520_natl.txt").as_uri(),
        "zip_sldl": (folder / "tab20_sldl202420_zcta520_natl.txt").as_uri(),
    }


def test_build_directory(tmp_path):
    sources = upstream_folder(tmp_path / "published")
    dest = tmp_path / "directory"

    assert upstream.build_directory(dest, sources=sources, states=["id", "ne"]) == dest

    for name in (files.FEDERAL, files.STATE, files.ZIP_CD, files.ZIP_SLD, files.SLD):
        header, rows = read(dest / name)
        assert header == [*files.COLUMNS[name], *files.OPTIONAL_COLUMNS.get(name, ())], name
        assert rows, name
    _, people = read(dest / files.STATE)
    assert {(p["state"], p["district"], p["seat"]) for p in people} == {
        ("ID", "10", "A"),
        ("ID", "10", "B"),
        ("ID", "10", ""),
        ("NE", "26", ""),
    }
    assert (dest / "upstream" / "openstates" / "id.csv").exists()
    meta = json.loads((dest / files.SOURCES).read_text(encoding="utf-8"))
    assert datetime.fromisoformat(meta["built_at"])
    assert set(meta["sources"]) == {
        "congress_legislators",
        "openstates_people",
        "zip_cd",
        "zip_sld",
    }
    congress = meta["sources"]["congress_legislators"]
    assert congress["url"] == sources["congress_legislators"]
    assert congress["retrieved_at"] and congress["last_modified"]
    assert datetime.fromisoformat(congress["last_modified_iso"])
    people_source = meta["sources"]["openstates_people"]
    assert people_source["url"].endswith("/{state}.csv")
    assert [f["url"][-6:] for f in people_source["files"]] == ["id.csv", "ne.csv"]
    assert len(meta["sources"]["zip_sld"]["files"]) == 2
    assert meta["row_counts"] == {
        files.FEDERAL: 5,
        files.STATE: 4,
        files.ZIP_CD: 6,
        files.ZIP_SLD: 11,
        files.SLD: 11,
    }


def test_build_directory_with_an_injected_fetch(tmp_path):
    published = upstream_folder(tmp_path / "published")
    sources = {k: url.replace("file://", "https://mirror.test") for k, url in published.items()}
    asked: list[str] = []

    def fake_fetch(url: str, dest: Path) -> dict[str, str | None]:
        asked.append(url)
        return upstream.fetch(url.replace("https://mirror.test", "file://"), dest)

    upstream.build_directory(
        tmp_path / "out",
        sources=sources,
        states=["ID"],
        district_names={("ID", "upper", "10"): "Ten"},
        fetch=fake_fetch,
    )

    assert asked[1].endswith("/people/id.csv")
    assert len(asked) == 5  # congress, one state, three Census files
    _, rows = read(tmp_path / "out" / files.ZIP_SLD)
    assert ("83651", "upper", "Ten") in {(r["zip"], r["chamber"], r["district"]) for r in rows}


def test_build_directory_rejects_unknown_states(tmp_path):
    with pytest.raises(SyncError, match="Unknown state"):
        upstream.build_directory(tmp_path, states=["zz"], fetch=lambda url, dest: {})


def test_build_directory_stops_at_a_failed_download(tmp_path):
    sources = upstream_folder(tmp_path / "published")
    sources["zip_cd"] = (tmp_path / "published" / "gone.txt").as_uri()

    with pytest.raises(SyncError, match=r"Could not fetch .*gone\.txt"):
        upstream.build_directory(tmp_path / "out", sources=sources, states=["ne"])
    assert not (tmp_path / "out" / files.SOURCES).exists()
