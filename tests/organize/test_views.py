"""Organizer pages through the test client: permissions, forms, preview, publish and close."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from advocacy.accounts import services as accounts
from advocacy.petitions.models import Petition, PetitionStatus


def petition_form(**overrides) -> dict:
    values = {
        "title": "Let qualified doctors practise",
        "target": "U.S. Congress",
        "summary": "Thousands of trained doctors cannot work.",
        "body": "We ask **Congress** to act.",
        "goal": "10000",
        "goal_step": "",
        "deadline": "",
        "slug": "",
        "image_url": "",
        "image_alt": "",
        "require_confirmation": "y",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def organizer(make, auth):
    """A logged-in organizer of one organisation."""
    user = make.organizer(make.organization("Doctors Now"))
    auth.login(user.email)
    return user


CONFIRM = {"confirm": "1"}  # the "Yes, …" button of a confirmation page


def count_petitions(db) -> int:
    return db.session.scalar(select(func.count(Petition.id)))


# --- access ------------------------------------------------------------------------------


def test_organizer_pages_need_login(client, make):
    petition = make.petition()
    for url in ("/organize/", "/organize/petitions/new", f"/organize/petitions/{petition.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]
    assert client.post(f"/organize/petitions/{petition.id}/publish").status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "edit"),
        ("post", "edit"),
        ("get", "preview"),
        ("post", "publish"),
        ("post", "close"),
        ("post", "reopen"),
    ],
)
def test_organizer_of_another_organisation_gets_404(client, make, db, organizer, method, path):
    draft = make.petition(
        make.organization("Someone Else"), status=PetitionStatus.DRAFT, published_at=None
    )
    response = getattr(client, method)(
        f"/organize/petitions/{draft.id}/{path}", data=petition_form(title="Hijacked")
    )
    assert response.status_code == 404
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.DRAFT
    assert draft.title != "Hijacked"


def test_missing_petition_is_404(client, organizer):
    assert client.get("/organize/petitions/999999/edit").status_code == 404


def test_admin_manages_every_organisation(client, make, auth):
    petition = make.petition(make.organization("Any Org"))
    accounts.create_user("admin@example.org", "Ada Admin", "a long password", is_admin=True)
    auth.login("admin@example.org", "a long password")
    assert petition.title in client.get("/organize/").get_data(as_text=True)
    assert client.get(f"/organize/petitions/{petition.id}/edit").status_code == 200


# --- dashboard ---------------------------------------------------------------------------


def test_dashboard_lists_only_own_organisations_petitions(client, make, organizer):
    org = organizer.memberships[0].organization
    mine = make.petition(org, title="Our petition", signature_count=40)
    make.petition(make.organization("Rivals"), title="Their petition")
    page = client.get("/organize/").get_data(as_text=True)
    assert "Our petition" in page
    assert "Their petition" not in page
    assert "40</strong> of 100" in page  # the progress macro
    assert f"/organize/petitions/{mine.id}/edit" in page
    assert f"/petitions/{mine.slug}" in page


def test_empty_dashboard_invites_a_first_petition(client, organizer):
    page = client.get("/organize/").get_data(as_text=True)
    assert "No petitions yet" in page
    assert "/organize/petitions/new" in page


# --- creating and editing ----------------------------------------------------------------


def test_new_petition_is_saved_as_a_draft(client, db, organizer):
    response = client.post("/organize/petitions/new", data=petition_form(goal="10,000"))
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert response.headers["Location"].endswith(f"/organize/petitions/{petition.id}/edit")
    assert petition.status is PetitionStatus.DRAFT
    assert petition.slug == "let-qualified-doctors-practise"
    assert petition.goal == 10_000
    assert petition.organization_id == organizer.memberships[0].organization_id
    assert petition.created_by_id == organizer.id
    assert client.get(f"/petitions/{petition.slug}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter a title."),
        ("title", "x" * 201, "Keep the title to 200 characters."),
        ("summary", "x" * 301, "Keep the summary to 300 characters."),
        ("target", "x" * 201, "Keep the target to 200 characters."),
        ("body", "x" * 20_001, "Keep the petition text to 20,000 characters."),
        ("goal", "", "Enter a signature goal."),
        ("goal", "lots", "Enter the goal as a whole number"),
        ("goal", "12.5", "Enter the goal as a whole number"),
        ("goal", "0", "The goal must be between 1 and 10,000,000."),
        ("goal", "10000001", "The goal must be between 1 and 10,000,000."),
        ("goal", "99999999999999999999999", "Enter the goal as a whole number"),
        ("goal_step", "0", "The step must be between 1"),
        ("deadline", "next week", "Enter a date, such as"),
        ("deadline", "2001-01-01", "Choose a deadline in the future."),
        ("image_url", "http://example.org/a.jpg", "starting with https://"),
        ("image_url", "javascript:alert(1)", "starting with https://"),
        ("slug", "Not a slug!", "Use lowercase letters, numbers and single hyphens"),
    ],
)
def test_invalid_petition_input_gets_field_message_and_keeps_entries(
    client, db, organizer, field, value, message
):
    kept = "title" if field == "summary" else "summary"
    data = petition_form(**{kept: "Keep this entry", field: value})
    response = client.post("/organize/petitions/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Keep this entry" in page
    assert count_petitions(db) == 0


def test_image_needs_a_description(client, db, organizer):
    response = client.post(
        "/organize/petitions/new", data=petition_form(image_url="https://example.org/a.jpg")
    )
    assert response.status_code == 400
    assert "Describe the image" in response.get_data(as_text=True)


def test_duplicate_slug_is_a_field_error(client, db, make, organizer):
    make.petition(slug="doctors-now")
    response = client.post("/organize/petitions/new", data=petition_form(slug="doctors-now"))
    assert response.status_code == 400
    assert "Another petition already uses this web address." in response.get_data(as_text=True)


def test_organisation_select_is_limited_to_the_users_own(client, db, make, auth):
    first, second, other = (make.organization(n) for n in ("Alpha", "Beta", "Gamma"))
    user = make.organizer(first)
    from advocacy.accounts.models import Membership

    db.session.add(Membership(user_id=user.id, organization_id=second.id))
    db.session.commit()
    auth.login(user.email)

    page = client.get("/organize/petitions/new").get_data(as_text=True)
    assert "<select" in page and "Alpha" in page and "Beta" in page
    assert "Gamma" not in page

    refused = client.post(
        "/organize/petitions/new", data=petition_form(organization_id=str(other.id))
    )
    assert refused.status_code == 400
    assert count_petitions(db) == 0

    client.post("/organize/petitions/new", data=petition_form(organization_id=str(second.id)))
    assert db.session.scalar(select(Petition.organization_id)) == second.id


def test_single_organisation_needs_no_select(client, organizer):
    page = client.get("/organize/petitions/new").get_data(as_text=True)
    assert "<select" not in page


def test_user_without_organisation_cannot_start_a_petition(client, db, make, auth):
    accounts.create_user("loner@example.org", "Lone Ranger", "a long password")
    auth.login("loner@example.org", "a long password")
    response = client.get("/organize/petitions/new")
    assert response.status_code == 302
    assert "not part of an organisation" in client.get("/organize/").get_data(as_text=True)


def test_edit_saves_changes_and_keeps_entries_on_error(client, db, make, organizer):
    petition = make.petition(organizer.memberships[0].organization)
    form = client.get(f"/organize/petitions/{petition.id}/edit").get_data(as_text=True)
    assert petition.title in form

    bad = client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(title="Better title", goal="-3", slug=petition.slug),
    )
    assert bad.status_code == 400
    assert "Better title" in bad.get_data(as_text=True)

    deadline = date.today() + timedelta(days=30)
    response = client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(
            title="Better title",
            slug=petition.slug,
            goal_step="5000",
            deadline=deadline.isoformat(),
            require_confirmation=None,
        ),
    )
    assert response.status_code == 302
    db.session.refresh(petition)
    assert petition.title == "Better title"
    assert petition.goal_step == 5000
    assert petition.deadline.date() == deadline
    assert (petition.deadline.hour, petition.deadline.minute) == (23, 59)
    assert petition.require_confirmation is False

    # Saving again with the same (now past-today-safe) deadline is not re-checked as new.
    again = client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(slug=petition.slug, deadline=deadline.isoformat()),
    )
    assert again.status_code == 302


def test_slug_is_stable_after_publish(client, db, organizer):
    client.post("/organize/petitions/new", data=petition_form(slug="first-address"))
    petition = db.session.scalar(select(Petition))
    client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(slug="second-address"),
    )
    db.session.refresh(petition)
    assert petition.slug == "second-address"

    client.post(f"/organize/petitions/{petition.id}/publish", data=CONFIRM)
    page = client.get(f"/organize/petitions/{petition.id}/edit").get_data(as_text=True)
    assert "readonly" in page

    client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(title="Renamed after publishing", slug="second-address"),
    )
    refused = client.post(
        f"/organize/petitions/{petition.id}/edit",
        data=petition_form(slug="third-address"),
    )
    assert refused.status_code == 400
    assert "cannot change once a petition is published" in refused.get_data(as_text=True)
    db.session.refresh(petition)
    assert petition.slug == "second-address"
    assert petition.title == "Renamed after publishing"
    assert "Renamed after publishing" in client.get("/petitions/second-address").get_data(
        as_text=True
    )


# --- preview, publish, close -------------------------------------------------------------


def test_owner_can_preview_a_draft(client, db, make, organizer):
    draft = make.petition(
        organizer.memberships[0].organization,
        status=PetitionStatus.DRAFT,
        published_at=None,
        title="Secret draft",
    )
    response = client.get(f"/organize/petitions/{draft.id}/preview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview — not public" in page
    assert "Secret draft" in page
    assert "Sign the petition" in page  # shown as it will look once open
    assert 'name="robots" content="noindex"' in page
    assert client.get(f"/petitions/{draft.slug}").status_code == 404


def test_publish_makes_the_public_page_appear(client, db, make, organizer):
    draft = make.petition(
        organizer.memberships[0].organization, status=PetitionStatus.DRAFT, published_at=None
    )
    assert client.get(f"/petitions/{draft.slug}").status_code == 404
    response = client.post(f"/organize/petitions/{draft.id}/publish", data=CONFIRM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organize/petitions/{draft.id}/edit")
    assert "is now public" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/petitions/{draft.slug}").status_code == 200
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.OPEN


def test_publish_refusal_is_flashed(client, db, make, organizer):
    draft = make.petition(
        organizer.memberships[0].organization,
        status=PetitionStatus.DRAFT,
        published_at=None,
        body="",
    )
    response = client.post(
        f"/organize/petitions/{draft.id}/publish", data=CONFIRM, follow_redirects=True
    )
    assert "Write the petition text before publishing." in response.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.DRAFT


def test_publish_is_post_only(client, make, organizer):
    petition = make.petition(organizer.memberships[0].organization)
    assert client.get(f"/organize/petitions/{petition.id}/publish").status_code == 405


def test_close_makes_the_public_page_say_closed(client, db, make, organizer):
    petition = make.petition(organizer.memberships[0].organization)
    assert "Sign the petition" in client.get(f"/petitions/{petition.slug}").get_data(as_text=True)
    client.post(f"/organize/petitions/{petition.id}/close", data=CONFIRM)
    page = client.get(f"/petitions/{petition.slug}").get_data(as_text=True)
    assert "This petition is closed" in page
    assert "Sign the petition" not in page


def test_close_as_won(client, db, make, organizer):
    petition = make.petition(organizer.memberships[0].organization)
    client.post(f"/organize/petitions/{petition.id}/close", data={"won": "y", **CONFIRM})
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.WON
    assert "This petition won!" in client.get(f"/petitions/{petition.slug}").get_data(as_text=True)
    client.post(f"/organize/petitions/{petition.id}/reopen")
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.OPEN


# --- markdown safety ---------------------------------------------------------------------


def test_markdown_body_is_sanitised_on_the_public_page(client, db, organizer):
    body = (
        "## Why\n\n"
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "![pic](https://example.org/p.png)\n\n"
        "[click me](javascript:alert(1)) and [ok](https://example.org)\n\n"
        "**Act now**"
    )
    client.post("/organize/petitions/new", data=petition_form(body=body, slug="safe-page"))
    petition = db.session.scalar(select(Petition))
    client.post(f"/organize/petitions/{petition.id}/publish", data=CONFIRM)
    page = client.get("/petitions/safe-page").get_data(as_text=True)
    prose = page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in prose
    assert not re.search(r"<[^>]*\son\w+\s*=", prose)  # no event handler inside any tag
    assert not re.search(r"""href=["']?\s*javascript:""", prose, re.I)
    assert '<img src="x"' not in prose
    assert "<strong>Act now</strong>" in prose
    assert "<h2>Why</h2>" in prose
    assert 'href="https://example.org"' in prose
