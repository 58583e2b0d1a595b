"""Racing requests: one row per (address, organisation), its states consistent, the day's
email limit held, and a confirmation link clicked twice at once (PostgreSQL)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from advocacy.accounts.models import Organization
from advocacy.volunteers import services
from advocacy.volunteers.models import Volunteer, VolunteerState
from tests.conftest import ON_POSTGRES
from tests.petitions.test_concurrency import _race

from .conftest import EMAIL, volunteer_input

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"),
]


def _states() -> list[str]:
    return list(db_session().scalars(select(VolunteerState.state).order_by(VolunteerState.state)))


def db_session():
    from advocacy.extensions import db

    db.session.expire_all()
    return db.session


def test_racing_sign_ups_make_one_row_and_keep_to_the_days_limit(app, make, mailbox):
    organization_id = make.organization().id
    choices = [["NY", "IL"], ["TX"], ["NY", "CA"], ["IL"]]

    def sign_up(states):
        def job():
            org = db_session().get_one(Organization, organization_id)
            return services.sign_up(volunteer_input(states=states), org)

        return job

    _race(app, [sign_up(choices[i % 4]) for i in range(12)])
    assert db_session().scalar(select(func.count(Volunteer.id))) == 1
    assert len(mailbox.messages(to=EMAIL)) == current_app.config["SIGN_NOTICES_PER_DAY"]
    assert _states() in [sorted(c) for c in choices]


def test_a_confirmation_clicked_twice_at_once_applies_once(app, make, mailbox):
    org = make.organization()
    services.sign_up(volunteer_input(), org)
    services.confirm_volunteer(mailbox.last_link(EMAIL, "volunteer_confirm").rsplit("/", 1)[1])
    services.sign_up(volunteer_input(states=["TX", "CA"]), org)
    token = mailbox.last_link(EMAIL, "volunteer_confirm").rsplit("/", 1)[1]

    _race(app, [lambda: services.confirm_volunteer(token).id] * 8)
    assert _states() == ["CA", "TX"]
