"""Helpers for the volunteer tests: a valid sign-up's form data and service input."""

from __future__ import annotations

import pytest

from advocacy.volunteers.services import VolunteerInput

EMAIL = "rosa@example.org"


def form_data(**overrides) -> dict:
    data = {
        "name": "Rosa Diaz",
        "email": EMAIL,
        "states": ["NY", "IL"],
        "role": "img",
        "credentials": "ECFMG certified; USMLE Steps 1 and 2 CK",
        "availability": "part_time",
        "availability_note": "From March",
        "telehealth": "y",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def volunteer_input(**overrides) -> VolunteerInput:
    data = {
        "name": "Rosa Diaz",
        "email": EMAIL,
        "states": ["NY", "IL"],
        "role": "img",
        "credentials": "ECFMG certified",
        "availability": "part_time",
        "telehealth": True,
    }
    data.update(overrides)
    return VolunteerInput(**data)


def path(url: str) -> str:
    return url.replace("http://advocacy.test", "")


@pytest.fixture
def org(make):
    return make.organization("Clinic Voices")
