"""Membership tests: an organisation with an open application, its organizer, a member."""

from __future__ import annotations

import pytest
from flask import g

from advocacy.accounts import services as accounts
from advocacy.membership import intake
from advocacy.membership.intake import FieldInput
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    """Load the user afresh on every request, as a served app does (tests/accounts)."""

    @app.before_request
    def _forget_loaded_user() -> None:
        g.pop("_login_user", None)


@pytest.fixture
def org(make):
    return make.organization("Unmatched Graduates")


@pytest.fixture
def organizer(make, org):
    return make.organizer(org, email="olive@example.org")


@pytest.fixture
def member(db):
    user = accounts.new_user("mia@example.org", "Mia Member", PASSWORD, confirmed=True)
    db.session.commit()
    return user


@pytest.fixture
def fields(org):
    """An open application with one field of every kind."""
    made = [
        intake.add_field(
            org, FieldInput("Graduation year", "number", True, min_value=1960, max_value=2030)
        ),
        intake.add_field(org, FieldInput("Medical school country", "text", True)),
        intake.add_field(
            org, FieldInput("USMLE steps passed", "choice", True, choices="None\nStep 1\nStep 2")
        ),
        intake.add_field(org, FieldInput("ECFMG certified", "yes_no", False)),
        intake.add_field(org, FieldInput("Available from", "date", False)),
    ]
    intake.update_intake(org, is_open=True, intro="Join **us**.")
    return made


@pytest.fixture
def answers(fields):
    """A valid form for ``fields``."""
    year, country, steps, ecfmg, start = fields
    return {
        year.input_name: "2019",
        country.input_name: "India",
        steps.input_name: "Step 1",
        ecfmg.input_name: "yes",
        start.input_name: "2027-07-01",
    }
