"""The volunteer form, its emailed links and the organizer's page, through the client."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from advocacy.extensions import db
from advocacy.volunteers import services
from advocacy.volunteers.models import Volunteer

from .conftest import EMAIL, form_data, path


def rows() -> list[Volunteer]:
    db.session.expire_all()
    return list(db.session.scalars(select(Volunteer).order_by(Volunteer.id)))


def sign_up_and_confirm(client, mailbox, org, **overrides):
    data = form_data(**overrides)
    answer = client.post(f"/o/{org.slug}/volunteer", data=data)
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    link = path(mailbox.last_link(data["email"], "volunteer_confirm"))
    page = client.get(link)
    assert page.status_code == 200 and "Confirm" in page.text
    return client.post(link)


def test_sign_up_confirm_and_withdraw(app, client, org, mailbox):
    form = client.get(f"/o/{org.slug}/volunteer")
    assert form.status_code == 200
    assert services.consent_text(org) in form.text
    assert 'href="/privacy"' in form.text
    assert form.headers["Cache-Control"] == "no-store"
    assert 'value="PR"' in form.text and 'value="DC"' in form.text

    client.post(f"/o/{org.slug}/volunteer", data=form_data())
    # Opening the link (a mail scanner does) confirms nothing: the button does.
    client.get(path(mailbox.last_link(EMAIL, "volunteer_confirm")))
    assert rows()[0].confirmed_at is None
    done = client.post(path(mailbox.last_link(EMAIL, "volunteer_confirm")))
    assert done.status_code == 200 and "Thank you for offering to help" in done.text
    (row,) = rows()
    assert row.confirmed_at is not None and row.state_codes == ["IL", "NY"]
    assert row.consent_text == services.consent_text(org)

    withdraw = path(services.withdraw_url(row))
    assert withdraw in mailbox.messages(to=EMAIL)[-1].text_body
    assert client.get(withdraw).status_code == 200
    assert rows() == [row]  # the GET deletes nothing
    gone = client.post(withdraw)
    assert gone.status_code == 200 and "You have withdrawn" in gone.text
    assert rows() == []
    again = client.post(withdraw)
    assert again.status_code == 400 and "no sign-up behind this link" in again.text


def test_the_form_answers_the_same_whether_the_address_was_there(app, client, org, mailbox):
    sign_up_and_confirm(client, mailbox, org)
    again = client.post(f"/o/{org.slug}/volunteer", data=form_data())
    fresh = client.post(f"/o/{org.slug}/volunteer", data=form_data(email="new@example.org"))
    assert again.status_code == fresh.status_code == 200
    assert again.text.replace(EMAIL, "X") == fresh.text.replace("new@example.org", "X")
    assert len(rows()) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"states": ["NY", "ZZ"]}, "not a valid choice"),
        ({"states": None}, "Choose at least one state."),
        ({"role": "surgeon"}, "Not a valid choice"),
        ({"role": None}, "Choose one."),
        ({"name": "Rosa\x00Diaz"}, "invisible control characters"),
        ({"credentials": "x" * 501}, "Keep this to 500 characters."),
        ({"availability_note": "y" * 301}, "Keep this to 300 characters."),
        ({"email": "rosa@" + "e" * 260 + ".org"}, "email"),
        ({"email": "nope"}, "Enter a valid email address"),
        ({"consent": None}, "Tick the box to agree."),
        ({"availability": "always"}, "Not a valid choice"),
        ({"states": ["NY\x00"]}, "not a valid choice"),
        ({"role": "img\x00"}, "invisible control characters"),
        ({"name": "R" * 10_000}, "Field cannot be longer than 200 characters."),
    ],
)
def test_hostile_input_gets_a_message_and_keeps_the_other_entries(
    app, client, org, overrides, message
):
    answer = client.post(f"/o/{org.slug}/volunteer", data=form_data(**overrides))
    assert answer.status_code == 400
    assert message in answer.text
    assert "ECFMG certified; USMLE Steps 1 and 2 CK" in answer.text or "credentials" in overrides
    assert 'value="From March"' in answer.text or "availability_note" in overrides
    assert rows() == []


def test_repeated_fields_and_states_make_one_row_with_each_state_once(app, client, org, mailbox):
    data = form_data(states=["NY", "NY", "IL"])
    fields = MultiDict([(k, v) for k, v in data.items() if k != "states"])
    fields.add("name", "Second Name")
    for state in ("NY", "NY", "IL"):
        fields.add("states", state)
    answer = client.post(f"/o/{org.slug}/volunteer", data=fields)
    assert answer.status_code == 200
    (row,) = rows()
    assert row.name == "Rosa Diaz" and row.state_codes == ["IL", "NY"]


def test_a_checkbox_value_is_not_text_any_value_ticks_it(app, client, org):
    answer = client.post(f"/o/{org.slug}/volunteer", data=form_data(telehealth="\x00" * 3000))
    assert answer.status_code == 200
    assert rows()[0].telehealth is True


def test_an_unknown_organisation_and_bad_links_are_not_500s(app, client, org):
    assert client.get("/o/nowhere/volunteer").status_code == 404
    for bad in ("x", "a" * 3000, "WzEsIjAiXQ.x.y"):
        assert client.get(f"/volunteer/confirm/{bad}").status_code == 400
        assert client.post(f"/volunteer/withdraw/{bad}").status_code == 400


def test_limits_per_address_emailed(app, client, org, limits_on, mailbox):
    app.config["VOLUNTEER_LIMIT_PER_EMAIL"] = "2 per minute"
    for _ in range(2):
        assert client.post(f"/o/{org.slug}/volunteer", data=form_data()).status_code == 200
    assert client.post(f"/o/{org.slug}/volunteer", data=form_data()).status_code == 429
    other = client.post(f"/o/{org.slug}/volunteer", data=form_data(email="x@example.org"))
    assert other.status_code == 200


def test_limits_per_client_address(app, client, org, limits_on):
    app.config["VOLUNTEER_LIMIT_PER_ADDRESS"] = "2 per minute"
    for n in range(2):
        data = form_data(email=f"p{n}@example.org")
        assert client.post(f"/o/{org.slug}/volunteer", data=data).status_code == 200
    data = form_data(email="p9@example.org")
    assert client.post(f"/o/{org.slug}/volunteer", data=data).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 2


# --- the organizer's page ------------------------------------------------------------------


def test_organizer_sees_filters_and_exports_only_confirmed(app, client, org, make, mailbox, auth):
    sign_up_and_confirm(client, mailbox, org, credentials="=HYPERLINK(1)")
    sign_up_and_confirm(
        client, mailbox, org, email="tex@example.org", name="Tex Nurse", states=["TX"],
        role="nurse", telehealth=None,
    )  # fmt: skip
    client.post(f"/o/{org.slug}/volunteer", data=form_data(email="pending@example.org"))
    organizer = make.organizer(org)
    auth.login(organizer.email)

    dashboard = client.get("/organize/")
    assert f"/organize/volunteers/{org.id}" in dashboard.text

    page = client.get(f"/organize/volunteers/{org.id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Tex Nurse" in page.text and "pending@example.org" in page.text
    assert "3</strong> volunteers match" in page.text
    ny = client.get(f"/organize/volunteers/{org.id}?state=NY&confirmed=yes")
    assert "Rosa Diaz" in ny.text and "Tex Nurse" not in ny.text
    assert "pending@example.org" not in ny.text
    nurses = client.get(f"/organize/volunteers/{org.id}?role=nurse&telehealth=no")
    assert "Tex Nurse" in nurses.text and "Rosa Diaz" not in nurses.text
    forged = client.get(f"/organize/volunteers/{org.id}?state=XX&role=%00")
    assert forged.status_code == 400

    export = client.get(f"/organize/volunteers/{org.id}/volunteers.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert table[0] == list(services.CSV_HEADER)
    assert sorted(r[1] for r in table[1:]) == [EMAIL, "tex@example.org"]
    assert "'=HYPERLINK(1)" in [r[4] for r in table[1:]]
    only_tx = client.get(f"/organize/volunteers/{org.id}/volunteers.csv?state=TX")
    assert [r[1] for r in csv.reader(io.StringIO(only_tx.text.lstrip("\ufeff")))][1:] == [
        "tex@example.org"
    ]
    assert client.get(f"/organize/volunteers/{org.id}/volunteers.csv?state=XX").status_code == 400


def test_other_organizers_and_visitors_get_nothing(app, client, org, make, auth):
    other = make.organizer(make.organization("Elsewhere"))
    assert client.get(f"/organize/volunteers/{org.id}").status_code in (302, 401)
    auth.login(other.email)
    assert client.get(f"/organize/volunteers/{org.id}").status_code == 404
    assert client.get(f"/organize/volunteers/{org.id}/volunteers.csv").status_code == 404
    assert client.get("/organize/volunteers/99999").status_code == 404
    assert client.get("/organize/volunteers/99999999999999").status_code == 404
