"""Petition editing services, without HTTP: slugs, rules, publishing and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from advocacy.accounts import services as accounts
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.petitions import cache, editing
from advocacy.petitions.editing import PetitionInput
from advocacy.petitions.models import PetitionStatus


def data(**overrides) -> PetitionInput:
    values = {
        "title": "Fund residency slots",
        "target": "U.S. Congress",
        "goal": 10_000,
        "summary": "More training places for doctors.",
        "body": "We ask **Congress** to fund more residency positions.",
    }
    values.update(overrides)
    return PetitionInput(**values)


def test_create_makes_a_draft_with_a_slug_from_the_title(make):
    org = make.organization()
    author = make.organizer(org)
    petition = editing.create_petition(org, author, data())
    assert petition.status is PetitionStatus.DRAFT
    assert petition.slug == "fund-residency-slots"
    assert petition.organization_id == org.id
    assert petition.created_by_id == author.id
    assert petition.published_at is None
    assert petition.require_confirmation is True


def test_slugs_are_unique_with_a_number_suffix(make):
    org = make.organization()
    slugs = [editing.create_petition(org, None, data()).slug for _ in range(3)]
    assert slugs == ["fund-residency-slots", "fund-residency-slots-2", "fund-residency-slots-3"]


def test_chosen_slug_must_be_free_and_well_formed(make):
    org = make.organization()
    editing.create_petition(org, None, data(slug="doctors-now"))
    with pytest.raises(DomainError) as taken:
        editing.create_petition(org, None, data(slug="doctors-now"))
    assert taken.value.field == "slug"
    with pytest.raises(DomainError) as bad:
        editing.create_petition(org, None, data(slug="-bad--slug"))
    assert bad.value.field == "slug"


def test_draft_may_change_slug_but_published_slug_is_stable(make):
    org = make.organization()
    petition = editing.create_petition(org, None, data())
    editing.update_petition(petition, data(slug="new-address"))
    assert petition.slug == "new-address"
    # A blank slug on a draft follows the title.
    editing.update_petition(petition, data(title="Open residency to IMGs"))
    assert petition.slug == "open-residency-to-imgs"

    editing.publish_petition(petition)
    editing.update_petition(petition, data(title="A completely new title"))
    assert petition.title == "A completely new title"
    assert petition.slug == "open-residency-to-imgs"
    with pytest.raises(DomainError) as exc:
        editing.update_petition(petition, data(slug="sneaky-new-address"))
    assert exc.value.field == "slug"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goal": 0}, "goal"),
        ({"goal": 10_000_001}, "goal"),
        ({"goal_step": 0}, "goal_step"),
        ({"deadline": utcnow() - timedelta(days=1)}, "deadline"),
        ({"image_url": "http://example.org/a.jpg", "image_alt": "A"}, "image_url"),
        ({"image_url": "javascript:alert(1)", "image_alt": "A"}, "image_url"),
        ({"image_url": "https://example.org/a.jpg"}, "image_alt"),
        ({"title": "   "}, "title"),
    ],
)
def test_rules_are_refused_with_the_field_they_concern(make, overrides, field):
    with pytest.raises(DomainError) as exc:
        editing.create_petition(make.organization(), None, data(**overrides))
    assert exc.value.field == field


def test_goal_must_stay_above_the_signatures_collected(make):
    petition = make.petition(goal=10)
    for _ in range(5):
        make.signature(petition)
    with pytest.raises(DomainError) as exc:
        editing.update_petition(petition, data(goal=5))
    assert exc.value.field == "goal"
    assert "5 signatures already collected" in exc.value.message
    editing.update_petition(petition, data(goal=6, goal_step=5))
    assert (petition.goal, petition.goal_step) == (6, 5)


def test_publish_opens_the_draft_and_checks_its_deadline(make):
    org = make.organization()
    petition = editing.create_petition(org, None, data(deadline=utcnow() + timedelta(seconds=1)))
    petition.deadline = utcnow() - timedelta(minutes=1)  # time passed while it was a draft
    with pytest.raises(DomainError) as exc:
        editing.publish_petition(petition)
    assert exc.value.field == "deadline"

    editing.update_petition(petition, data(deadline=utcnow() + timedelta(days=30)))
    editing.publish_petition(petition)
    assert petition.status is PetitionStatus.OPEN
    assert petition.published_at is not None
    with pytest.raises(DomainError):
        editing.publish_petition(petition)


def test_publish_needs_the_petition_text(make):
    petition = editing.create_petition(make.organization(), None, data(body=""))
    with pytest.raises(DomainError) as exc:
        editing.publish_petition(petition)
    assert exc.value.field == "body"


def test_close_mark_won_and_reopen(make):
    petition = make.petition()
    editing.close_petition(petition)
    assert petition.status is PetitionStatus.CLOSED
    closed_at = petition.closed_at
    assert closed_at is not None
    with pytest.raises(DomainError):
        editing.close_petition(petition)

    editing.close_petition(petition, won=True)
    assert petition.status is PetitionStatus.WON
    assert petition.closed_at == closed_at

    editing.reopen_petition(petition)
    assert petition.status is PetitionStatus.OPEN
    assert petition.closed_at is None


def test_a_draft_cannot_be_closed(make):
    petition = make.petition(status=PetitionStatus.DRAFT, published_at=None)
    with pytest.raises(DomainError):
        editing.close_petition(petition)


def test_reopen_refuses_a_passed_deadline(make):
    petition = make.petition(status=PetitionStatus.CLOSED, deadline=utcnow() - timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        editing.reopen_petition(petition)
    assert exc.value.field == "deadline"


def test_changes_drop_the_cached_public_page(make, monkeypatch):
    petition = make.petition()
    dropped: list[str | None] = []
    monkeypatch.setattr(cache, "invalidate", dropped.append)
    editing.update_petition(petition, data(title="New title"))
    editing.close_petition(petition)
    assert dropped == [petition.slug, petition.slug]


def test_petitions_managed_by_is_limited_to_the_users_organisations(make, db):
    mine, theirs = make.organization(), make.organization()
    organizer = make.organizer(mine)
    own = make.petition(mine)
    other = make.petition(theirs)
    assert editing.petitions_managed_by(organizer) == [own]
    assert editing.organizations_for(organizer) == [mine]

    admin = accounts.create_user("admin@example.org", "Ada Admin", "a long password", is_admin=True)
    assert {p.id for p in editing.petitions_managed_by(admin)} == {own.id, other.id}
