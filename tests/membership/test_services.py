"""Applying, deciding, and a person's data: the use cases without HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from advocacy.accounts import services as accounts
from advocacy.core.errors import DomainError
from advocacy.membership import intake, services
from advocacy.membership.intake import FieldInput
from advocacy.membership.models import ApplicationStatus, MemberApplication, MemberIntake
from tests.factories import PASSWORD


def test_apply_stores_typed_answers_with_the_labels_shown(org, member, answers, fields):
    application = services.apply(member, org, answers)
    assert application.status is ApplicationStatus.PENDING and application.revision == 1
    assert [(a["label"], a["value"]) for a in application.answers] == [
        ("Graduation year", 2019),
        ("Medical school country", "India"),
        ("USMLE steps passed", "Step 1"),
        ("ECFMG certified", True),
        ("Available from", "2027-07-01"),
    ]
    # Editing the question later never rewrites what was answered.
    intake.update_field(fields[0], FieldInput("Year you graduated", "number", True))
    intake.remove_field(fields[1])
    refreshed = services.application_of(member, org.id)
    assert refreshed.answers[0]["label"] == "Graduation year"
    assert refreshed.answers[1]["label"] == "Medical school country"


def test_invalid_answers_store_nothing(db, org, member, answers, fields):
    answers[fields[0].input_name] = "1900"
    with pytest.raises(services.AnswersInvalid) as refused:
        services.apply(member, org, answers)
    assert fields[0].input_name in refused.value.reading.errors
    assert db.session.scalar(select(func.count(MemberApplication.id))) == 0


def test_one_application_per_person_edited_while_pending(db, org, member, answers, fields):
    first = services.apply(member, org, answers)
    answers[fields[1].input_name] = "Nigeria"
    second = services.apply(member, org, answers)
    assert second.id == first.id and second.revision == 2
    assert second.answers[1]["value"] == "Nigeria"
    assert db.session.scalar(select(func.count(MemberApplication.id))) == 1


def test_closed_or_unconfirmed_or_already_member_cannot_apply(db, org, organizer, member, answers):
    intake.update_intake(org, is_open=False, intro="")
    with pytest.raises(DomainError, match="not taking applications"):
        services.apply(member, org, answers)
    intake.update_intake(org, is_open=True, intro="")
    newcomer = accounts.new_user("new@example.org", "New Person", PASSWORD, confirmed=False)
    db.session.commit()
    with pytest.raises(DomainError, match="Confirm your email"):
        services.apply(newcomer, org, answers)
    application = services.apply(member, org, answers)
    assert services.decide(application, organizer, approve=True)
    with pytest.raises(DomainError, match="already a member"):
        services.apply(member, org, answers)


def test_no_intake_at_all_is_closed(make, member):
    other = make.organization("No Intake Yet")
    with pytest.raises(DomainError, match="not taking applications"):
        services.apply(member, other, {})
    assert services.open_intake(other) is None


def test_withdraw_then_apply_again(org, member, answers):
    services.apply(member, org, answers)
    assert services.withdraw(member, org.id) is True
    assert services.withdraw(member, org.id) is False  # nothing pending any more
    assert services.application_of(member, org.id).status is ApplicationStatus.WITHDRAWN
    again = services.apply(member, org, answers)
    assert again.status is ApplicationStatus.PENDING and again.revision == 2


def test_approve_emails_once_and_a_second_click_changes_nothing(
    org, organizer, member, answers, mailbox
):
    application = services.apply(member, org, answers)
    assert services.decide(application, organizer, approve=True, note="Welcome aboard!")
    assert not services.decide(application, organizer, approve=False)
    assert application.status is ApplicationStatus.APPROVED
    assert application.decided_by_id == organizer.id
    sent = mailbox.messages(to=member.email, kind="member_decision")
    assert len(sent) == 1
    assert "member of Unmatched Graduates" in sent[0].subject
    assert "Welcome aboard!" in sent[0].text_body and "/account" in sent[0].text_body


def test_decline_with_a_note_then_the_person_may_apply_again(
    org, organizer, member, answers, mailbox
):
    application = services.apply(member, org, answers)
    assert services.decide(application, organizer, approve=False, note="Finish Step 2 first.")
    (sent,) = mailbox.messages(to=member.email, kind="member_decision")
    assert "declined" in sent.text_body and "Finish Step 2 first." in sent.text_body
    again = services.apply(member, org, answers)
    assert again.status is ApplicationStatus.PENDING
    assert again.decision_note == "" and again.decided_at is None


def test_a_decision_on_answers_changed_since_is_refused(org, organizer, member, answers, mailbox):
    application = services.apply(member, org, answers)
    seen = application.revision
    services.apply(member, org, answers)  # the applicant edits meanwhile
    assert not services.decide(application, organizer, approve=True, revision=seen)
    assert application.status is ApplicationStatus.PENDING
    assert mailbox.messages(kind="member_decision") == []
    assert services.decide(application, organizer, approve=True, revision=seen + 1)


def test_an_over_long_note_is_refused(org, organizer, member, answers):
    application = services.apply(member, org, answers)
    with pytest.raises(DomainError) as refused:
        services.decide(application, organizer, approve=True, note="x" * 1001)
    assert refused.value.field == "note"


def test_approved_member_gets_no_organizer_access(org, organizer, member, answers):
    application = services.apply(member, org, answers)
    services.decide(application, organizer, approve=True)
    assert not member.is_organizer and not member.can_manage(org.id)
    assert [a.organization.name for a in services.applications_of_user(member)] == [org.name]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (FieldInput("", "text"), "label"),
        (FieldInput("x" * 201, "text"), "label"),
        (FieldInput("Q", "rainbow"), "kind"),
        (FieldInput("Q", "choice", choices="Only one"), "choices"),
        (FieldInput("Q", "choice", choices="A\nA"), "choices"),
        (FieldInput("Q", "choice", choices="\n".join(str(i) for i in range(31))), "choices"),
        (FieldInput("Q", "choice", choices="A\n" + "b" * 101), "choices"),
        (FieldInput("Q", "number", min_value=10, max_value=5), "max_value"),
        (FieldInput("Q", "number", min_value=-(10**10)), "min_value"),
        (FieldInput("Q", "text", help_text="h" * 301), "help_text"),
        (FieldInput("Q\x00", "text"), "label"),
    ],
)
def test_field_rules(org, data, field):
    with pytest.raises(DomainError) as refused:
        intake.add_field(org, data)
    assert refused.value.field == field


def test_fields_are_bounded_and_reorder(db, org):
    made = [intake.add_field(org, FieldInput(f"Q{i}", "text")) for i in range(intake.MAX_FIELDS)]
    with pytest.raises(DomainError, match="at most"):
        intake.add_field(org, FieldInput("One more", "text"))
    intake.move_field(made[1], "up")
    intake.move_field(made[1], "up")  # now first: nothing moves
    intake.move_field(made[-1], "down")  # already last
    intake.move_field(made[2], "sideways")
    labels = [f.label for f in intake.find_intake(org.id).fields]
    assert labels[:3] == ["Q1", "Q0", "Q2"] and labels[-1] == f"Q{intake.MAX_FIELDS - 1}"


def test_a_choice_field_keeps_only_what_its_kind_needs(org):
    field = intake.add_field(
        org, FieldInput(" Steps ", "choice", choices=" A \n\nB\n", min_value=1, max_value=2)
    )
    assert (field.label, field.choices, field.min_value) == ("Steps", ["A", "B"], None)
    intake.update_field(field, FieldInput("Year", "number", min_value=1, max_value=2))
    assert (field.choices, field.min_value, field.max_value) == ([], 1, 2)


def test_intro_is_bounded(org):
    with pytest.raises(DomainError) as refused:
        intake.update_intake(org, is_open=True, intro="x" * 5001)
    assert refused.value.field == "intro"


def test_member_data_is_json_and_forget_member_removes_it(
    db, org, organizer, member, answers, make
):
    services.apply(member, org, answers)
    application = services.application_of(member, org.id)
    services.decide(application, organizer, approve=True, note="Welcome")
    other = make.organization("Second Org")
    intake.update_intake(other, is_open=True, intro="")
    services.apply(member, other, {})
    data = json.loads(json.dumps(services.member_data(member)))
    assert data["organization_memberships"] == ["Unmatched Graduates"]
    first, second = data["member_applications"]
    assert (first["status"], first["decision_note"]) == ("approved", "Welcome")
    assert {"question": "ECFMG certified", "answer": "Yes"} in first["answers"]
    assert second["status"] == "pending" and second["answers"] == []

    # The organizer who decided is forgotten from the decision; the member's rows go.
    services.forget_member(organizer)
    assert services.application_of(member, org.id).decided_by_id is None
    services.forget_member(member)
    assert services.member_data(member) == {
        "member_applications": [],
        "organization_memberships": [],
    }
    db.session.rollback()  # flush only: the caller's transaction decides
    assert len(services.member_data(member)["member_applications"]) == 2


def test_deleting_the_organisation_or_user_takes_the_rows(db, org, member, answers):
    services.apply(member, org, answers)
    db.session.delete(member)
    db.session.commit()
    assert db.session.scalar(select(func.count(MemberApplication.id))) == 0
    db.session.delete(org)
    db.session.commit()
    assert db.session.scalar(select(func.count(MemberIntake.id))) == 0
