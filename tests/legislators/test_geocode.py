"""The optional address geocoder, against a local stand-in for the Census Geocoder."""

from __future__ import annotations

import copy
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import event

from advocacy.legislators import geocode
from advocacy.legislators.geocode import GeocodeError, address_choices
from advocacy.legislators.lookup import Chamber, find_legislators

STREET = "350 5th Ave"


def feature(**fields) -> dict:
    """One feature of a geographies layer, with the attributes the service sends besides."""
    return {"OID": 1, "OBJECTID": 1, "FUNCSTAT": "N", "AREALAND": 1, "AREAWATER": 0, **fields}


def census_answer(cd: str = "3612", sldu: str = "36047", sldl: str = "36075") -> dict:
    """A ``geographies/address`` answer in the shape of the live service's JSON."""
    geographies = {
        "States": [feature(GEOID=cd[:2], STATE=cd[:2], STUSAB="NY", NAME="New York")],
        "119th Congressional Districts": [
            feature(
                GEOID=cd, STATE=cd[:2], CD119=cd[2:], CDSESSN="119",
                BASENAME=cd[2:].lstrip("0") or "0", NAME=f"Congressional District {cd[2:]}",
                LSADC="C2", MTFCC="G5200",
            )
        ],
        "2024 State Legislative Districts - Upper": [
            feature(
                GEOID=sldu, STATE=sldu[:2], SLDU=sldu[2:], LSY="2024", LDTYP="",
                BASENAME=sldu[2:].lstrip("0"), NAME=f"State Senate District {sldu[2:]}",
                MTFCC="G5210",
            )
        ],
        "2024 State Legislative Districts - Lower": [
            feature(
                GEOID=sldl, STATE=sldl[:2], SLDL=sldl[2:], LSY="2024", LDTYP="",
                BASENAME=sldl[2:].lstrip("0"), NAME=f"Assembly District {sldl[2:]}",
                MTFCC="G5220",
            )
        ],
    }  # fmt: skip
    return {
        "result": {
            "input": {
                "address": {"street": STREET, "zip": "10001"},
                "benchmark": {
                    "id": "4",
                    "benchmarkName": "Public_AR_Current",
                    "isDefault": True,
                    "benchmarkDescription": "Public Address Ranges - Current Benchmark",
                },
                "vintage": {
                    "id": "4",
                    "vintageName": "Current_Current",
                    "isDefault": True,
                    "vintageDescription": "Current Vintage - Current Benchmark",
                },
            },  # fmt: skip
            "addressMatches": [
                {
                    "tigerLine": {"tigerLineId": "59658000", "side": "L"},
                    "geographies": geographies,
                    "matchedAddress": "350 5TH AVE, NEW YORK, NY, 10001",
                    "coordinates": {"x": -73.98, "y": 40.74},
                    "addressComponents": {
                        "zip": "10001",
                        "streetName": "5TH",
                        "preType": "",
                        "city": "NEW YORK",
                        "preDirection": "",
                        "suffixDirection": "",
                        "fromAddress": "300",
                        "toAddress": "398",
                        "state": "NY",
                        "suffixType": "AVE",
                        "preQualifier": "",
                        "suffixQualifier": "",
                    },  # fmt: skip
                }
            ],
        }
    }


NO_MATCH = {"result": {"input": {"address": {"street": "1 Nowhere"}}, "addressMatches": []}}


class FakeCensus:
    """What the stand-in answers (``mode``) and the requests it received."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.body: dict = census_answer()
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.url = ""

    @property
    def params(self) -> dict[str, str]:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]["params"]


@pytest.fixture
def census():
    fake = FakeCensus()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            parts = urllib.parse.urlsplit(self.path)
            fake.requests.append(
                {
                    "path": parts.path,
                    "params": dict(urllib.parse.parse_qsl(parts.query)),
                    "user_agent": self.headers.get("User-Agent"),
                }
            )
            if fake.mode == "hang":
                fake.release.wait(10)
                return
            if fake.mode == "500":
                self._send(500, b'{"errors": ["Internal error"], "status": "500"}')
            elif fake.mode == "garbage":
                self._send(200, b"<html>Service Unavailable</html>", "text/html")
            else:
                self._send(200, json.dumps(fake.body).encode())

        def _send(self, status: int, body: bytes, content_type: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/geocoder/geographies/address"
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def configured(app, census, monkeypatch):
    app.config["ADDRESS_GEOCODER_URL"] = census.url
    monkeypatch.setattr(geocode, "TIMEOUT_SECONDS", 0.5)
    # The migrations' fileConfig disables loggers that existed before it ran; caplog needs it.
    monkeypatch.setattr(geocode.log, "disabled", False)
    return census


def seats(result, chamber: Chamber) -> list[tuple[str, str | None]]:
    race = result.race(chamber)
    return [(seat.key, seat.source) for seat in race.seats] if race else []


# --- find_legislators with an address -------------------------------------------------------


def test_address_settles_a_split_zip(directory, configured):
    result = find_legislators("10001", address=STREET)

    assert seats(result, Chamber.US_HOUSE) == [("NY-12", "address")]
    house = result.race(Chamber.US_HOUSE).seats[0]
    assert house.chosen and [m.name for m in house.members] == ["Jerrold Nadler"]
    assert seats(result, Chamber.STATE_UPPER) == [("NY-47", "address")]
    assert result.race(Chamber.STATE_UPPER).seats[0].members
    # A chamber the ZIP already settles is left as it was.
    assert seats(result, Chamber.STATE_LOWER) == [("NY-75", None)]
    assert not result.race(Chamber.STATE_LOWER).seats[0].chosen
    assert len(result.race(Chamber.US_SENATE).seats[0].members) == 2
    assert not result.ambiguous


def test_the_request_carries_street_zip_and_the_census_parameters(directory, configured):
    find_legislators("10001", address=f"  {STREET} ")

    request = configured.requests[0]
    assert request["path"] == "/geocoder/geographies/address"
    assert request["user_agent"] == "Advocacy legislator lookup"
    assert configured.params == {
        "street": STREET,
        "zip": "10001",
        "benchmark": "Public_AR_Current",
        "vintage": "Current_Current",
        "layers": "54,56,58",
        "format": "json",
    }


def test_explicit_choices_win_over_the_geocoder(directory, configured):
    result = find_legislators("10001", address=STREET, choices={"us_house": "NY-10"})

    assert seats(result, Chamber.US_HOUSE) == [("NY-10", "choice")]
    assert result.race(Chamber.US_HOUSE).seats[0].chosen
    # The chamber the signer did not choose still follows the address.
    assert seats(result, Chamber.STATE_UPPER) == [("NY-47", "address")]


def test_a_choice_that_is_not_a_candidate_leaves_the_chamber_to_the_address(directory, configured):
    result = find_legislators("10001", address=STREET, choices={"us_house": "NY-3"})

    assert seats(result, Chamber.US_HOUSE) == [("NY-12", "address")]


def test_no_request_when_the_choices_already_settle_everything(directory, configured):
    result = find_legislators(
        "10001", address=STREET, choices={"us_house": "NY-10", "state_upper": "NY-28"}
    )

    assert configured.requests == []
    assert seats(result, Chamber.US_HOUSE) == [("NY-10", "choice")]
    assert seats(result, Chamber.STATE_UPPER) == [("NY-28", "choice")]


def test_no_request_for_a_zip_that_is_not_split(directory, configured):
    result = find_legislators("20001", address="1 Main St NW")

    assert configured.requests == []
    assert not result.ambiguous


def test_no_request_without_a_configured_url(app, directory, census):
    assert app.config["ADDRESS_GEOCODER_URL"] is None

    result = find_legislators("10001", address=STREET)

    assert census.requests == []
    assert seats(result, Chamber.US_HOUSE) == [("NY-10", None), ("NY-12", None)]
    assert result.ambiguous


def test_without_a_url_an_address_costs_no_query(app, db, directory, census):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    find_legislators("10001")  # warm up
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        find_legislators("10001")
        plain = len(statements)
        find_legislators("10001", address=STREET)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert len(statements) == 2 * plain
    assert census.requests == []


def test_no_request_without_an_address(directory, configured):
    for address in (None, "", "   "):
        assert find_legislators("10001", address=address).ambiguous
    assert configured.requests == []


@pytest.mark.parametrize("mode", ["500", "garbage", "hang"])
def test_a_failing_service_leaves_the_zip_answer(directory, configured, mode, caplog):
    configured.mode = mode

    with caplog.at_level(logging.WARNING, logger="advocacy.legislators.geocode"):
        result = find_legislators("10001", address=STREET)

    assert len(configured.requests) == 1
    assert result.ambiguous
    assert seats(result, Chamber.US_HOUSE) == [("NY-10", None), ("NY-12", None)]
    assert seats(result, Chamber.STATE_UPPER) == [("NY-28", None), ("NY-47", None)]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "5th" not in caplog.text and "350" not in caplog.text


def test_an_unknown_address_leaves_the_zip_answer(directory, configured, caplog):
    configured.body = NO_MATCH

    with caplog.at_level(logging.WARNING):
        result = find_legislators("10001", address="1 Nowhere")

    assert result.ambiguous
    assert caplog.records == []  # not a failure


def test_a_district_that_is_not_a_candidate_changes_nothing(directory, configured):
    configured.body = census_answer(cd="3603", sldu="36001")

    result = find_legislators("10001", address=STREET)

    assert seats(result, Chamber.US_HOUSE) == [("NY-10", None), ("NY-12", None)]
    assert result.ambiguous


def test_an_address_settles_the_state_of_a_zip_that_spans_two(directory, configured):
    # 02861 (Pawtucket) reaches into Massachusetts.
    configured.body = census_answer(cd="4401", sldu="44018", sldl="44061")

    result = find_legislators("02861", address="1 Main St")

    assert result.states == ["MA", "RI"]
    assert seats(result, Chamber.US_SENATE) == [("RI", "address")]
    assert {m.state for m in result.race(Chamber.US_SENATE).seats[0].members} == {"RI"}
    assert seats(result, Chamber.US_HOUSE) == [("RI-1", "address")]
    assert seats(result, Chamber.STATE_UPPER) == [("RI-18", "address")]
    assert seats(result, Chamber.STATE_LOWER) == [("RI-61", "address")]
    assert not result.ambiguous


def test_api_narrows_with_an_address(app, client, directory, configured):
    data = client.get(f"/api/v1/legislators?zip=10001&address={STREET.replace(' ', '+')}")

    body = data.get_json()
    house = [x for x in body["legislators"] if x["chamber"] == "us_house"]
    assert [x["name"] for x in house] == ["Jerrold Nadler"]
    assert not house[0]["candidate"]
    assert {x["district"] for x in body["legislators"] if x["chamber"] == "state_upper"} == {"47"}
    assert body["ambiguous"] is False
    assert house[0]["source"] == "address"
    assert configured.params["street"] == STREET
    # A street address is personal: no shared cache keeps it.
    assert "no-store" in data.headers["Cache-Control"]
    assert "private" in data.headers["Cache-Control"]
    assert "ETag" not in data.headers


def test_page_offers_the_address_when_configured_and_posts_it(client, directory, configured):
    page = client.get("/legislators?zip=10001").text
    assert "Or narrow it down with your street address" in page
    assert 'method="post"' in page

    response = client.post("/legislators", data={"zip": "10001", "address": STREET})

    assert response.status_code == 200
    assert "from your address" in response.text
    assert "Jerrold Nadler" in response.text and "Daniel S. Goldman" not in response.text
    assert STREET in response.text  # kept in the field
    assert "no-store" in response.headers["Cache-Control"]


def test_page_does_not_offer_the_address_without_a_geocoder(client, directory):
    page = client.get("/legislators?zip=10001").text
    assert "street address" in page  # the how-to-check advice stays
    assert 'name="address"' not in page


def test_api_without_a_configured_url_stays_ambiguous(client, directory, census):
    body = client.get("/api/v1/legislators?zip=10001&address=350+5th+Ave").get_json()

    assert body["ambiguous"] is True
    assert census.requests == []


# --- address_choices --------------------------------------------------------------------------


def test_address_choices_maps_census_codes_to_directory_keys(directory, census):
    assert address_choices(STREET, "10001", url=census.url) == {
        "us_house": "NY-12",
        "state_upper": "NY-47",
        "state_lower": "NY-75",
    }


def test_named_state_districts_come_from_the_directory(directory, census):
    # Massachusetts names its districts; the Census code D35 is "Bristol and Norfolk".
    census.body = census_answer(cd="2504", sldu="25D35", sldl="25011")

    assert address_choices("1 Main St", "02861", url=census.url) == {
        "us_house": "MA-4",
        "state_upper": "MA-Bristol and Norfolk",
        "state_lower": "MA-2nd Bristol",
    }


def test_codes_the_directory_does_not_know_fall_back_to_the_unpadded_code(directory, census):
    census.body = census_answer(sldu="36099", sldl="3600B")

    choices = address_choices(STREET, "10001", url=census.url)

    assert choices["state_upper"] == "NY-99" and choices["state_lower"] == "NY-B"


@pytest.mark.parametrize(("cd", "key"), [("5600", "WY-0"), ("1198", "DC-0"), ("0607", "CA-7")])
def test_at_large_and_delegate_districts_are_zero(directory, census, cd, key):
    body = census_answer(cd=cd)
    geographies = body["result"]["addressMatches"][0]["geographies"]
    del geographies["2024 State Legislative Districts - Upper"]
    del geographies["2024 State Legislative Districts - Lower"]
    census.body = body

    assert address_choices("1 Main St", "00000", url=census.url) == {"us_house": key}


def test_layers_are_found_by_meaning_not_by_vintage(directory, census):
    body = census_answer()
    geographies = body["result"]["addressMatches"][0]["geographies"]
    geographies["120th Congressional Districts"] = geographies.pop("119th Congressional Districts")
    geographies["120th Congressional Districts"][0]["CD120"] = "12"
    geographies["2026 State Legislative Districts - Upper"] = geographies.pop(
        "2024 State Legislative Districts - Upper"
    )
    geographies["119th Congressional Districts Labels"] = [feature(GEOID="3699")]
    census.body = body

    choices = address_choices(STREET, "10001", url=census.url)

    assert choices == {"us_house": "NY-12", "state_upper": "NY-47", "state_lower": "NY-75"}


def test_no_match_or_no_district_layers_is_empty_not_an_error(directory, census):
    census.body = NO_MATCH
    assert address_choices("1 Nowhere", "10001", url=census.url) == {}

    body = copy.deepcopy(census_answer())
    body["result"]["addressMatches"][0]["geographies"] = {"States": [feature(STATE="36")]}
    census.body = body
    assert address_choices(STREET, "10001", url=census.url) == {}

    body = census_answer(cd="36ZZ", sldu="36ZZZ", sldl="36ZZZ")
    census.body = body
    assert address_choices(STREET, "10001", url=census.url) == {}


def test_the_first_match_is_used(directory, census):
    body = census_answer()
    other = census_answer(cd="3610", sldu="36028")["result"]["addressMatches"][0]
    body["result"]["addressMatches"].append(other)
    census.body = body

    assert address_choices(STREET, "10001", url=census.url)["us_house"] == "NY-12"


def test_a_oneline_endpoint_gets_the_address_in_one_field(directory, census):
    url = census.url.replace("/address", "/onelineaddress")

    assert address_choices(STREET, "10001", url=url)["us_house"] == "NY-12"
    assert census.params["address"] == f"{STREET}, 10001"
    assert "street" not in census.params and census.params["format"] == "json"


@pytest.mark.parametrize(
    ("mode", "body", "message"),
    [
        ("500", None, "HTTP 500"),
        ("garbage", None, "malformed JSON"),
        ("hang", None, "timed out"),
        ("ok", {"errors": ["Specify House number and Street name."]}, "unexpected response"),
        ("ok", [], "unexpected response"),
    ],
)
def test_failures_raise_geocode_error_without_the_address(app, census, mode, body, message):
    census.mode = mode
    if body is not None:
        census.body = body

    with pytest.raises(GeocodeError) as error:
        address_choices(STREET, "10001", url=census.url, timeout=0.3)

    assert message in str(error.value)
    assert "5th" not in str(error.value) and error.value.__cause__ is None


def test_an_unreachable_service_or_a_bad_url_is_a_geocode_error(app, census):
    with pytest.raises(GeocodeError, match="unreachable"):  # a port nobody listens on
        address_choices(STREET, "10001", url="http://127.0.0.1:9/geocoder", timeout=1)
    for url in ("file:///etc/passwd", "ftp://example.org/x", "not a url"):
        with pytest.raises(GeocodeError, match="http"):
            address_choices(STREET, "10001", url=url)
    assert census.requests == []


def test_resolve_is_off_without_a_url_or_a_street(app, census):
    assert geocode.resolve(STREET, "10001") == {}
    app.config["ADDRESS_GEOCODER_URL"] = census.url
    assert geocode.resolve("  ", "10001") == {}
    assert geocode.resolve(None, "10001") == {}
    assert census.requests == []


def test_street_address_lookups_are_limited_per_client_address(
    app, client, directory, configured, limits_on
):
    app.config["GEOCODER_LIMIT_PER_ADDRESS"] = "2 per minute"
    street = STREET.replace(" ", "+")
    codes = [
        client.get(f"/api/v1/legislators?zip=10001&address={street}").status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    over = client.get(f"/api/v1/legislators?zip=10001&address={street}")
    assert over.get_json()["error"]["code"] == "too_many_requests"
    page = client.post("/legislators", data={"zip": "10001", "address": STREET})
    assert page.status_code == 429 and "Please wait" in page.text  # shared with the page
    # Offline ZIP lookups are not limited.
    assert all(client.get("/api/v1/legislators?zip=10001").status_code == 200 for _ in range(5))
