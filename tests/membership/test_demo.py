"""The demo organisation's application loads once and is open."""

from __future__ import annotations

from advocacy.membership import intake
from advocacy.membership.demo import FIELDS, load_demo_intake
from advocacy.membership.models import FieldKind


def test_demo_intake_is_open_with_its_questions_and_loads_once(make):
    org = make.organization("Unmatched Medical Graduates Coalition")
    assert load_demo_intake(org) is True
    assert load_demo_intake(org) is False
    current = intake.find_intake(org.id)
    assert current.is_open and "medical graduate" in current.intro
    assert len(current.fields) == len(FIELDS)
    kinds = {f.label: f.kind for f in current.fields}
    assert kinds["Year of graduation from medical school"] is FieldKind.NUMBER
    assert kinds["USMLE steps passed"] is FieldKind.CHOICE
    assert "State of residence" in kinds and "Specialty interest" in kinds


def test_an_organizers_own_questions_are_left_alone(make):
    org = make.organization("Unmatched Medical Graduates Coalition")
    intake.add_field(org, intake.FieldInput("Our own question", "text"))
    assert load_demo_intake(org) is False
    assert [f.label for f in intake.find_intake(org.id).fields] == ["Our own question"]
