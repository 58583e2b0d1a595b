"""The demo volunteers: confirmed, on the organizer's page and in its CSV, loaded once."""

from __future__ import annotations

from advocacy.volunteers import services
from advocacy.volunteers.demo import VOLUNTEERS, load_demo_volunteers


def test_demo_volunteers_are_confirmed_and_load_once(app, make, client, auth):
    org = make.organization()
    assert load_demo_volunteers(org) is True
    assert load_demo_volunteers(org) is False
    confirmed = services.volunteers(org.id, services.Filters(confirmed=True))
    assert sorted(v.name for v in confirmed) == sorted(v[0] for v in VOLUNTEERS)
    assert services.by_state(org.id) == [("IL", 1), ("NJ", 1), ("NY", 1)]
    auth.login(make.organizer(org).email)
    export = client.get(f"/organize/volunteers/{org.id}/volunteers.csv")
    assert "Priya Raman" in export.text and "Walter Brooks" in export.text
