"""Control characters in any input are a clear 400, never a 500 (on PostgreSQL a NUL byte
cannot be stored), with the field's own message where a form shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.core import inputs
from advocacy.petitions import services
from advocacy.petitions.models import Signature
from tests.factories import sign_form


def _signatures(db) -> int:
    return db.session.scalar(select(func.count(Signature.id)))


@pytest.mark.parametrize("url", ["/petitions/a%00b", "/petitions/a%01b/check-your-inbox"])
def test_a_nul_in_the_path_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.text


def test_a_nul_in_the_api_path_is_the_json_error(client):
    response = client.get("/api/v1/petitions/a%00b")
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "control_characters",
        "message": inputs.message("slug"),
        "field": "slug",
    }
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_nul_in_a_query_value_or_name(client, make):
    petition = make.petition()
    assert client.get(f"/petitions/{petition.slug}?ref=x%00y").status_code == 400
    assert client.get(f"/petitions/{petition.slug}?x%00=1").status_code == 400
    assert client.get("/api/v1/legislators?zip=1320%002").status_code == 400
    assert client.get(f"/petitions/{petition.slug}?ref=ok").status_code == 200


def test_login_with_a_nul_in_the_email_keeps_the_form(client):
    response = client.post("/login", data={"email": "a\x00b@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert inputs.FIELD_MESSAGE in response.text


def test_signing_a_slug_with_a_nul(client, db):
    assert client.post("/petitions/a%00b/sign", data=sign_form()).status_code == 400
    assert _signatures(db) == 0


@pytest.mark.parametrize("field", ["comment", "address", "first_name", "email"])
def test_sign_field_with_a_control_character_shows_the_fields_message(client, db, make, field):
    petition = make.petition()
    data = sign_form(**{field: "bad\x00value" if field != "email" else "a\x00@example.com"})
    data["comment"] = data.get("comment") or "Doctors are needed."
    if field == "comment":
        data["comment"] = "we need\x0bdoctors"
    response = client.post(f"/petitions/{petition.slug}/sign", data=data)
    assert response.status_code == 400
    assert inputs.FIELD_MESSAGE in response.text
    assert 'value="Lopez"' in response.text or field == "last_name"  # other entries kept
    assert _signatures(db) == 0


def test_line_breaks_and_tabs_in_a_comment_are_text(client, db, make):
    petition = make.petition()
    data = sign_form(comment="Line one\r\nLine two\tend")
    assert client.post(f"/petitions/{petition.slug}/sign", data=data).status_code == 302
    assert db.session.scalar(select(Signature.comment)) == "Line one\nLine two\tend"  # CRLF as LF


@pytest.mark.parametrize("field", ["ref", "utm_source", "utm_campaign"])
def test_tracking_fields_with_a_nul_are_refused_before_the_view(client, db, make, field):
    petition = make.petition()
    response = client.post(
        f"/petitions/{petition.slug}/sign", data=sign_form(**{field: "news\x00letter"})
    )
    assert response.status_code == 400
    assert f"“{field}”" in response.text
    assert _signatures(db) == 0


def test_a_district_choice_with_a_nul(client, db, make):
    petition = make.petition()
    signature = make.signature(petition)
    token = services.make_token(signature)
    response = client.post(
        f"/signatures/confirmed/{token}/districts", data={"us_house": "NY-\x0012"}
    )
    assert response.status_code == 400 and "control character" in response.text


def test_json_strings_are_checked(app, client):
    @app.post("/json-echo")
    def _echo():
        return "ok"

    app.extensions["csrf"].exempt(_echo)
    ok = client.post("/json-echo", json={"events": [{"email": "a@example.com"}]})
    assert ok.status_code == 200
    bad = client.post("/json-echo", json={"events": [{"email": "a\u0000@example.com"}]})
    assert bad.status_code == 400 and "“email”" in bad.text
    bad_key = client.post("/json-echo", json={"e\u0007": 1})
    assert bad_key.status_code == 400


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 5000 + "]" * 5000])
def test_a_json_body_nested_too_deeply_is_a_400(client, body):
    """Python's JSON parser gives up with a RecursionError (a 500) on such a body."""
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 400
