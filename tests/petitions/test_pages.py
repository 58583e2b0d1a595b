"""The public petition page, the list, the JSON API, and the counter commands."""

from __future__ import annotations

from datetime import timedelta

from flask import g
from sqlalchemy import update

from advocacy.core.db import utcnow
from advocacy.petitions import services
from advocacy.petitions.models import Petition, PetitionStatus


def test_petition_page_shows_progress_and_share_tags(client, make):
    petition = make.petition(
        title="Let IMGs help",
        summary="Nearly 7,000 of our 10,000 goal.",
        goal=10_000,
        image_url="https://example.org/doctors.jpg",
        image_alt="Doctors",
    )
    petition.signature_count = 6912
    from advocacy.extensions import db

    db.session.commit()
    html = client.get(f"/petitions/{petition.slug}").text
    assert "<title>Let IMGs help · Advocacy</title>" in html
    assert '<meta name="description" content="Nearly 7,000 of our 10,000 goal.">' in html
    assert '<meta property="og:title" content="Let IMGs help">' in html
    assert '<meta property="og:image" content="https://example.org/doctors.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "6,912</strong> of 10,000 signatures" in html
    assert "69% of goal" in html
    assert 'aria-valuenow="6912"' in html
    assert "To U.S. Congress" in html or "Petition to U.S. Congress" in html


def test_singular_signature(client, db, make):
    petition = make.petition(goal=1)
    html = client.get(f"/petitions/{petition.slug}").text
    assert "0</strong> of 1 signature\n" in html or "0</strong> of 1 signature " in html
    assert "of 1 signatures" not in html


def test_recent_signers_show_first_name_initial_place_never_email_or_street(client, make):
    petition = make.petition()
    make.signature(
        petition,
        first_name="Maria",
        last_name="lopez",
        email="maria@example.com",
        address="1 Main St",
        city="Syracuse",
        state="NY",
        comment="Patients are waiting.",
    )
    make.signature(petition, first_name="Hidden", public=False)
    make.signature(petition, first_name="Pending", confirmed=False)
    html = client.get(f"/petitions/{petition.slug}").text
    assert "Maria L." in html and "Syracuse, NY" in html
    assert "Patients are waiting." in html
    assert "maria@example.com" not in html and "1 Main St" not in html and "lopez" not in html
    assert "Hidden" not in html and "Pending" not in html


def test_markdown_body_is_sanitised(client, make):
    petition = make.petition(
        body="# Act\n<script>alert(1)</script>\n[x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **bold** [ok](https://example.org)'
    )
    html = client.get(f"/petitions/{petition.slug}").text
    prose = html.split('<div class="prose">')[1].split("</div>")[0]
    assert "<script" not in prose and "<img" not in prose  # raw HTML is shown as text
    assert 'href="javascript' not in prose
    assert "<h2>Act</h2>" in prose  # headings start at h2 under the page's h1
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html


def test_closed_petition_shows_final_count_and_no_form(client, db, make):
    petition = make.petition(status=PetitionStatus.CLOSED, signature_count=1234)
    html = client.get(f"/petitions/{petition.slug}").text
    assert "This petition is closed" in html and "1,234 signatures" in html
    assert 'name="email"' not in html


def test_index_lists_open_petitions_only(client, make):
    open_one = make.petition(title="Open one")
    make.petition(title="Draft one", status=PetitionStatus.DRAFT)
    make.petition(title="Expired one", deadline=utcnow() - timedelta(days=1))
    html = client.get("/").text
    open_list = html.split('id="open-petitions"')[1].split('class="panel find-cta"')[0]
    assert open_one.title in open_list and "Expired one" not in open_list
    assert "Draft one" not in html


def test_unknown_petition_is_404_page(client):
    response = client.get("/petitions/nope")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_api_petition_json_and_etag(client, make):
    petition = make.petition(goal=10_000, signature_count=42)
    response = client.get(f"/api/v1/petitions/{petition.slug}")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {
        "slug",
        "title",
        "status",
        "goal",
        "signature_count",
        "url",
        "deadline",
        "updated_at",
    }
    assert data["signature_count"] == 42 and data["status"] == "open"
    assert data["url"] == f"http://advocacy.test/petitions/{petition.slug}"
    assert "max-age" in response.headers["Cache-Control"]
    again = client.get(
        f"/api/v1/petitions/{petition.slug}", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_api_draft_is_json_404(client, make):
    petition = make.petition(status=PetitionStatus.DRAFT)
    response = client.get(f"/api/v1/petitions/{petition.slug}")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": response.get_json()["error"]["message"],
                  "field": None}
    }  # fmt: skip
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    assert unknown.headers["Access-Control-Allow-Origin"] == "*"


def test_recount_reports_and_fixes_drift(runner, db, make):
    petition = make.petition()
    for _ in range(3):
        make.signature(petition)
    make.signature(petition, confirmed=False)
    db.session.execute(update(Petition).values(signature_count=7))
    db.session.commit()
    result = runner.invoke(args=["petitions", "recount"])
    assert result.exit_code == 0
    assert f"{petition.slug}: counter was 7, confirmed rows 3" in result.output
    db.session.refresh(petition)
    assert petition.signature_count == 3
    again = runner.invoke(args=["petitions", "recount"])
    assert "All counters match" in again.output


def test_close_expired_command(runner, db, make):
    expired = make.petition(deadline=utcnow() - timedelta(hours=1))
    future = make.petition(deadline=utcnow() + timedelta(days=1))
    result = runner.invoke(args=["petitions", "close-expired"])
    assert "Closed 1 petition" in result.output
    db.session.refresh(expired)
    db.session.refresh(future)
    assert expired.status is PetitionStatus.CLOSED and future.status is PetitionStatus.OPEN


def test_page_cache_is_invalidated_by_confirmation(app, client, db, make):
    app.config["PETITION_PAGE_CACHE_SECONDS"] = 60
    petition = make.petition(goal=10)
    assert "0</strong> of 10" in client.get(f"/petitions/{petition.slug}").text
    signature = make.signature(petition, confirmed=False)
    services.confirm_signature(services.make_token(signature))
    assert "1</strong> of 10" in client.get(f"/petitions/{petition.slug}").text


def test_cached_page_still_gets_fresh_csrf_and_tracking(app, client, make):
    app.config.update(PETITION_PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    petition = make.petition()
    first = client.get(f"/petitions/{petition.slug}?ref=x.1").text
    g.pop("csrf_token", None)  # the fixture's app context outlives requests; a server's does not
    other = app.test_client().get(f"/petitions/{petition.slug}").text
    token = first.split('name="csrf_token" value="')[1].split('"')[0]
    assert token not in other
    assert '<input type="hidden" name="ref" value="x.1">' in first
    assert 'name="ref"' not in other
