"""The pages: a member applies, an organizer approves, the member sees the organisation on
/account; everyone else's ids are 404s; hostile input comes back as messages."""

from __future__ import annotations

import csv
import io

from advocacy.membership import intake, services
from advocacy.membership.intake import FieldInput
from advocacy.membership.models import ApplicationStatus


def _login(app, user):
    browser = app.test_client()
    response = browser.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    return browser


def test_done_when_apply_approve_email_account(
    app, org, organizer, member, fields, answers, mailbox
):
    as_member = _login(app, member)
    # /account offers the open application: a person finds it without being sent a link.
    offer = f'href="/o/{org.slug}/apply">Apply to become a member of {org.name}'
    assert offer in as_member.get("/account").text
    page = as_member.get(f"/o/{org.slug}/apply")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<strong>us</strong>" in page.text and "Graduation year" in page.text
    sent = as_member.post(f"/o/{org.slug}/apply", data=answers)
    assert sent.status_code == 302
    assert "Application pending" in as_member.get("/account").text
    assert "Apply to become a member" not in as_member.get("/account").text

    as_organizer = _login(app, organizer)
    listing = as_organizer.get(f"/organize/orgs/{org.id}/applications")
    assert listing.status_code == 200 and "Mia Member" in listing.text
    application = services.application_of(member, org.id)
    url = f"/organize/orgs/{org.id}/applications/{application.id}"
    shown = as_organizer.get(url)
    assert "India" in shown.text and "Step 1" in shown.text
    decided = as_organizer.post(
        url, data={"decision": "approve", "revision": "1", "note": "Welcome!"}
    )
    assert decided.status_code == 302
    again = as_organizer.post(url, data={"decision": "approve", "revision": "1"})
    assert again.status_code == 302
    assert "already approved" in as_organizer.get(again.location).text
    assert len(mailbox.messages(to=member.email, kind="member_decision")) == 1

    account = as_member.get("/account").text
    assert org.name in account and "Member" in account and "Application pending" not in account
    # A member is not an organizer: the organizer pages show them nothing of the org.
    assert as_member.get(f"/organize/orgs/{org.id}/applications").status_code == 404
    assert as_member.get(f"/organize/orgs/{org.id}/members.csv").status_code == 404


def test_bad_answers_come_back_beside_their_fields_with_the_rest_kept(
    app, org, member, fields, answers
):
    as_member = _login(app, member)
    year, country, steps, ecfmg, start = fields
    answers.update(
        {
            year.input_name: "nineteen",
            country.input_name: "Ind\x00ia",
            steps.input_name: "Step 9",
            ecfmg.input_name: "maybe",
            start.input_name: "2023-02-30",
        }
    )
    page = as_member.post(f"/o/{org.slug}/apply", data={**answers, "answer-999": "forged"})
    assert page.status_code == 400
    for message in ("whole number", "control characters", "one of the answers", "yes or no"):
        assert message in page.text
    assert "real date" in page.text and 'value="nineteen"' in page.text
    assert services.application_of(member, org.id) is None


def test_pending_application_is_edited_then_withdrawn(app, org, member, fields, answers):
    as_member = _login(app, member)
    as_member.post(f"/o/{org.slug}/apply", data=answers)
    page = as_member.get(f"/o/{org.slug}/apply").text
    assert 'value="India"' in page and "Save my answers" in page
    answers[fields[1].input_name] = "Nigeria"
    saved = as_member.post(f"/o/{org.slug}/apply", data=answers, follow_redirects=True)
    assert "Your answers are saved" in saved.text
    assert services.application_of(member, org.id).answers[1]["value"] == "Nigeria"
    assert as_member.post(f"/o/{org.slug}/apply/withdraw").status_code == 302
    status = services.application_of(member, org.id).status
    assert status is ApplicationStatus.WITHDRAWN
    again = as_member.post(f"/o/{org.slug}/apply", data=answers, follow_redirects=True)
    assert "Your application to Unmatched Graduates is sent" in again.text


def test_anonymous_visitors_are_asked_to_log_in(client, org, fields, answers):
    page = client.get(f"/o/{org.slug}/apply")
    assert page.status_code == 200 and "Log in to apply" in page.text
    assert "Graduation year" not in page.text
    posted = client.post(f"/o/{org.slug}/apply", data=answers)
    assert posted.status_code == 302 and "/login" in posted.location
    assert client.get("/o/no-such-org/apply").status_code == 404


def test_a_closed_application_says_so(app, org, member, fields, answers):
    intake.update_intake(org, is_open=False, intro="")
    as_member = _login(app, member)
    assert "not taking applications" in as_member.get(f"/o/{org.slug}/apply").text
    refused = as_member.post(f"/o/{org.slug}/apply", data=answers)
    assert refused.status_code == 400 and "not taking applications" in refused.text


def test_other_organisations_organizers_get_404s(app, make, org, member, fields, answers):
    services.apply(member, org, answers)
    application = services.application_of(member, org.id)
    stranger = make.organizer(email="stranger@example.org")
    as_stranger = _login(app, stranger)
    base = f"/organize/orgs/{org.id}"
    for url in (
        f"{base}/application",
        f"{base}/applications",
        f"{base}/applications/{application.id}",
        f"{base}/application/fields/{fields[0].id}",
        f"{base}/members.csv",
    ):
        assert as_stranger.get(url).status_code == 404, url
    posted = as_stranger.post(
        f"{base}/applications/{application.id}", data={"decision": "approve", "revision": "1"}
    )
    assert posted.status_code == 404
    assert as_stranger.post(f"{base}/application/fields/{fields[0].id}/remove").status_code == 404
    assert services.application_of(member, org.id).status is ApplicationStatus.PENDING
    assert len(intake.find_intake(org.id).fields) == 5


def test_forged_ids_of_another_organisation_are_404s(app, make, org, organizer, member, answers):
    other = make.organization("Elsewhere")
    intake.update_intake(other, is_open=True, intro="")
    theirs = intake.add_field(other, FieldInput("Their question", "text"))
    services.apply(member, other, {theirs.input_name: "hi"})
    their_application = services.application_of(member, other.id)
    as_organizer = _login(app, organizer)
    mine = f"/organize/orgs/{org.id}"
    assert as_organizer.get(f"{mine}/applications/{their_application.id}").status_code == 404
    assert as_organizer.get(f"{mine}/application/fields/{theirs.id}").status_code == 404
    moved = as_organizer.post(
        f"{mine}/application/fields/{theirs.id}/move", data={"direction": "up"}
    )
    assert moved.status_code == 404
    assert as_organizer.get(f"{mine}/applications?status=bogus").status_code == 404


def test_organizer_sets_up_the_application(app, org, organizer):
    as_organizer = _login(app, organizer)
    base = f"/organize/orgs/{org.id}/application"
    saved = as_organizer.post(base, data={"is_open": "y", "intro": "Join *us*"})
    assert saved.status_code == 302 and intake.find_intake(org.id).is_open
    bad = as_organizer.post(
        f"{base}/fields", data={"label": "Steps", "kind": "choice", "choices": "Only one"}
    )
    assert bad.status_code == 400
    assert "List from 2 to 30 choices" in bad.text and 'value="Steps"' in bad.text
    bad_number = as_organizer.post(
        f"{base}/fields", data={"label": "Year", "kind": "number", "min_value": "1e3"}
    )
    assert bad_number.status_code == 400 and "whole number" in bad_number.text
    for label in ("Year", "Country"):
        added = as_organizer.post(f"{base}/fields", data={"label": label, "kind": "text"})
        assert added.status_code == 302
    year, country = intake.find_intake(org.id).fields
    edit = as_organizer.get(f"{base}/fields/{year.id}")
    assert edit.status_code == 200 and 'value="Year"' in edit.text
    as_organizer.post(
        f"{base}/fields/{year.id}",
        data={"label": "Graduation year", "kind": "number", "required": "y", "min_value": "1960"},
    )
    as_organizer.post(f"{base}/fields/{country.id}/move", data={"direction": "up"})
    fields = intake.find_intake(org.id).fields
    assert [f.label for f in fields] == ["Country", "Graduation year"]
    assert fields[1].required and fields[1].min_value == 1960
    as_organizer.post(f"{base}/fields/{country.id}/remove")
    assert [f.label for f in intake.find_intake(org.id).fields] == ["Graduation year"]
    page = as_organizer.get(base)
    assert page.status_code == 200 and "Graduation year" in page.text
    assert "Members" in as_organizer.get("/organize/members").text


def test_decline_with_a_hostile_note_is_bounded(app, org, organizer, member, answers, mailbox):
    services.apply(member, org, answers)
    application = services.application_of(member, org.id)
    as_organizer = _login(app, organizer)
    url = f"/organize/orgs/{org.id}/applications/{application.id}"
    too_long = as_organizer.post(
        url, data={"decision": "decline", "revision": "1", "note": "x" * 1001}
    )
    assert too_long.status_code == 400
    nul = as_organizer.post(url, data={"decision": "decline", "revision": "1", "note": "a\x00b"})
    assert nul.status_code == 400 and "control characters" in nul.text
    forged = as_organizer.post(url, data={"decision": "promote", "revision": "1"})
    assert forged.status_code == 400
    stale = as_organizer.post(url, data={"decision": "approve", "revision": "7"})
    assert (
        stale.status_code == 302
        and "changed their answers" in as_organizer.get(stale.location).text
    )
    assert services.application_of(member, org.id).status is ApplicationStatus.PENDING
    assert mailbox.messages(kind="member_decision") == []


def test_members_csv_is_streamed_formula_safe_one_column_per_field(
    app, make, org, organizer, member, fields, answers
):
    from advocacy.accounts import services as accounts

    hostile = accounts.new_user(
        "eve@example.org", '=HYPERLINK("x")', "correct horse battery", confirmed=True
    )
    answers[fields[1].input_name] = "@SUM(A1)"
    for person in (member, hostile):
        services.apply(person, org, answers)
        services.decide(services.application_of(person, org.id), organizer, approve=True)
    pending = accounts.new_user(
        "pat@example.org", "Pat Pending", "correct horse battery", confirmed=True
    )
    services.apply(pending, org, answers)
    intake.remove_field(fields[4])  # its answers move to "other answers"

    response = _login(app, organizer).get(f"/organize/orgs/{org.id}/members.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename="{org.slug}-members-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "name",
        "email",
        "applied at",
        "approved at",
        "Graduation year",
        "Medical school country",
        "USMLE steps passed",
        "ECFMG certified",
        "other answers",
    ]
    assert len(rows) == 3  # the pending applicant is not a member
    assert rows[1][0] == "Mia Member" and rows[1][4:] == [
        "2019",
        "'@SUM(A1)",
        "Step 1",
        "Yes",
        "Available from: 2027-07-01",
    ]
    assert rows[2][0] == '\'=HYPERLINK("x")'


def test_applying_is_limited_per_client_address(app, org, member, fields, answers, limits_on):
    app.config["MEMBER_APPLY_LIMIT_PER_ADDRESS"] = "2 per 10 minutes"
    as_member = _login(app, member)
    codes = [as_member.post(f"/o/{org.slug}/apply", data=answers).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert as_member.get(f"/o/{org.slug}/apply").status_code == 200  # reading is not limited


def test_the_decision_email_shows_the_note_as_text(org, organizer, member, answers, mailbox):
    services.apply(member, org, answers)
    application = services.application_of(member, org.id)
    services.decide(application, organizer, approve=True, note='<script>alert("x")</script>')
    (sent,) = mailbox.messages(to=member.email, kind="member_decision")
    assert "<script>" not in sent.html_body and "&lt;script&gt;" in sent.html_body
    assert '<script>alert("x")</script>' in sent.text_body


def test_a_member_leaves_and_may_apply_again(app, org, organizer, member, answers):
    services.apply(member, org, answers)
    application = services.application_of(member, org.id)
    services.decide(application, organizer, approve=True)
    as_member = _login(app, member)
    assert "Leave Unmatched Graduates" in as_member.get(f"/o/{org.slug}/apply").text

    left = as_member.post(f"/o/{org.slug}/leave")
    assert left.status_code == 302
    page = as_member.get(left.location).text
    assert "You are no longer a member of Unmatched Graduates" in page
    assert "Send my application" in page  # the form is back: they may apply again
    assert services.application_of(member, org.id).status is ApplicationStatus.WITHDRAWN
    assert "Member</span>" not in as_member.get("/account").text
    again = as_member.post(f"/o/{org.slug}/leave")
    assert "You are not a member" in as_member.get(again.location).text
