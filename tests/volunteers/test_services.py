"""Volunteer services without HTTP: sign up, confirm, update, withdraw, export, member data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from advocacy.accounts.links import LinkError
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.volunteers import services
from advocacy.volunteers.models import Volunteer, VolunteerRole, VolunteerState

from .conftest import EMAIL, volunteer_input


def only_row() -> Volunteer:
    db.session.expire_all()
    rows = list(db.session.scalars(select(Volunteer)))
    assert len(rows) == 1
    return rows[0]


def confirm_link(mailbox) -> str:
    return mailbox.last_link(EMAIL, "volunteer_confirm").rsplit("/", 1)[1]


def test_sign_up_is_pending_until_the_emailed_link_is_followed(app, org, mailbox):
    assert services.sign_up(volunteer_input(email=" Rosa@Example.org "), org) == EMAIL
    row = only_row()
    assert row.confirmed_at is None
    assert row.state_codes == ["IL", "NY"]
    assert row.role is VolunteerRole.IMG
    assert row.consent_text == services.consent_text(org)
    (message,) = mailbox.messages(to=EMAIL, kind="volunteer_confirm")
    assert "Withdraw" in message.text_body and "/volunteer/withdraw/" in message.text_body
    assert list(services.export_rows(org.id, services.Filters())) == []

    confirmed = services.confirm_volunteer(confirm_link(mailbox))
    assert confirmed.confirmed_at is not None
    assert [r[0] for r in services.export_rows(org.id, services.Filters())] == ["Rosa Diaz"]


def test_signing_up_again_updates_one_row_and_a_confirmed_row_only_by_its_link(app, org, mailbox):
    services.sign_up(volunteer_input(), org)
    services.confirm_volunteer(confirm_link(mailbox))
    services.sign_up(volunteer_input(name="Someone Else", states=["TX"]), org)
    row = only_row()
    # Whoever typed the address changed nothing yet: the new details wait for the link.
    assert (row.name, row.state_codes) == ("Rosa Diaz", ["IL", "NY"])
    assert json.loads(row.proposed)["states"] == ["TX"]
    services.confirm_volunteer(confirm_link(mailbox))
    row = only_row()
    assert (row.name, row.state_codes, row.proposed) == ("Someone Else", ["TX"], None)
    assert db.session.scalar(select(func.count()).select_from(VolunteerState)) == 1


def test_an_older_confirmation_link_stops_working_after_a_new_sign_up(app, org, mailbox):
    services.sign_up(volunteer_input(), org)
    old = confirm_link(mailbox)
    services.sign_up(volunteer_input(states=["CA"]), org)
    with pytest.raises(LinkError):
        services.confirm_volunteer(old)
    services.confirm_volunteer(confirm_link(mailbox))
    assert only_row().state_codes == ["CA"]


def test_past_the_days_notices_nothing_is_sent_or_changed(app, org, mailbox):
    for _ in range(app.config["SIGN_NOTICES_PER_DAY"]):
        services.sign_up(volunteer_input(), org)
    services.sign_up(volunteer_input(states=["TX"]), org)
    assert len(mailbox.messages(to=EMAIL)) == app.config["SIGN_NOTICES_PER_DAY"]
    assert only_row().state_codes == ["IL", "NY"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"states": []}, "states"),
        ({"states": ["NY", "XX"]}, "states"),
        ({"role": "surgeon"}, "role"),
        ({"availability": "always"}, "availability"),
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"credentials": "x" * 501}, "credentials"),
    ],
)
def test_rules_refuse_bad_input_on_its_field(app, org, overrides, field):
    with pytest.raises(DomainError) as error:
        services.sign_up(volunteer_input(**overrides), org)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_withdrawing_deletes_the_row_and_its_link_then_says_so(app, org, mailbox):
    services.sign_up(volunteer_input(), org)
    row = only_row()
    token = services.withdraw_token(row)
    assert services.withdraw(token) == org
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert db.session.scalar(select(func.count()).select_from(VolunteerState)) == 0
    with pytest.raises(LinkError):
        services.withdraw(token)
    with pytest.raises(LinkError):
        services.confirm_volunteer(confirm_link(mailbox))


def test_a_forged_or_other_purpose_token_is_refused(app, org, mailbox):
    services.sign_up(volunteer_input(), org)
    confirm = confirm_link(mailbox)
    with pytest.raises(LinkError):
        services.withdraw(confirm)  # a confirmation link withdraws nothing
    # A changed signature character (one that carries whole bits, so it always changes it).
    flipped = "A" if confirm[-5] != "A" else "B"
    with pytest.raises(LinkError):
        services.confirm_volunteer(confirm[:-5] + flipped + confirm[-4:])


def test_filters_and_counts(app, org, make, mailbox):
    other = make.organization("Elsewhere")
    for email, states, role, telehealth in [
        ("a@example.org", ["NY"], "img", True),
        ("b@example.org", ["NY", "IL"], "nurse", False),
        ("c@example.org", ["TX"], "img", False),
    ]:
        services.sign_up(volunteer_input(email=email, states=states, role=role,
                                         telehealth=telehealth), org)  # fmt: skip
        services.confirm_volunteer(mailbox.last_link(email, "volunteer_confirm").rsplit("/", 1)[1])
    services.sign_up(volunteer_input(email="d@example.org", states=["NY"]), org)  # pending
    services.sign_up(volunteer_input(email="e@example.org", states=["NY"]), other)

    def names(**kw):
        return sorted(v.email[0] for v in services.volunteers(org.id, services.Filters(**kw)))

    assert names() == ["a", "b", "c", "d"]
    assert names(state="NY") == ["a", "b", "d"]
    assert names(state="NY", confirmed=True) == ["a", "b"]
    assert names(confirmed=False) == ["d"]
    assert names(role="img", telehealth=False) == ["c"]
    assert services.count(org.id, services.Filters(state="NY")) == 3
    assert services.by_state(org.id) == [("NY", 2), ("IL", 1), ("TX", 1)]
    assert dict(services.by_role(org.id)) == {VolunteerRole.IMG: 2, VolunteerRole.NURSE: 1}
    exported = [r[1] for r in services.export_rows(org.id, services.Filters(confirmed=False))]
    assert sorted(exported) == ["a@example.org", "b@example.org", "c@example.org"]


def test_member_data_and_forget_member(app, org, make, mailbox):
    other = make.organization("Elsewhere")
    services.sign_up(volunteer_input(), org)
    services.sign_up(volunteer_input(), other)
    services.sign_up(volunteer_input(email="keep@example.org"), org)
    data = services.member_data("ROSA@example.org")
    assert [d["organization"] for d in data["volunteer_signups"]] == ["Clinic Voices", "Elsewhere"]
    assert data["volunteer_signups"][0]["states"] == ["IL", "NY"]
    assert data["volunteer_signups"][0]["consent_text"] == services.consent_text(org)
    json.dumps(data)
    services.forget_member(EMAIL)
    db.session.commit()
    assert services.member_data(EMAIL) == {"volunteer_signups": []}
    assert [v.email for v in db.session.scalars(select(Volunteer))] == ["keep@example.org"]
    assert db.session.scalar(select(func.count()).select_from(VolunteerState)) == 2
