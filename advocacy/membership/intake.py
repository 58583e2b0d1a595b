"""The organizer's side of an intake: open or close it, its intro, and its fields (add,
edit, reorder, remove). Each function is one use case and commits; the caller has already
checked that the user may manage the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from advocacy.accounts.models import Organization
from advocacy.core import inputs
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.membership.answers import MAX_NUMBER
from advocacy.membership.models import FieldKind, IntakeField, MemberIntake

MAX_INTRO = 5000
MAX_FIELDS = 20
MAX_LABEL = 200
MAX_HELP = 300
MAX_CHOICES = 30
MAX_CHOICE = 100


@dataclass
class FieldInput:
    """A field as the organizer typed it; ``choices`` one per line."""

    label: str
    kind: str
    required: bool = False
    help_text: str = ""
    choices: str = ""
    min_value: int | None = None
    max_value: int | None = None


def find_intake(organization_id: int) -> MemberIntake | None:
    return db.session.scalar(
        select(MemberIntake).where(MemberIntake.organization_id == organization_id)
    )


def intake_for(org: Organization) -> MemberIntake:
    """The organisation's intake, made (closed, without fields) and flushed on first use."""
    intake = find_intake(org.id)
    if intake is None:
        intake = MemberIntake(organization=org, is_open=False, intro="")
        db.session.add(intake)
        db.session.flush()
    return intake


def update_intake(org: Organization, *, is_open: bool, intro: str) -> MemberIntake:
    """Open or close the application and set its intro (Markdown, sanitised when shown)."""
    intro = (intro or "").strip()
    if len(intro) > MAX_INTRO:
        raise DomainError(f"Keep the introduction to {MAX_INTRO} characters.", "intro")
    if inputs.has_control(intro):
        raise DomainError(inputs.FIELD_MESSAGE, "intro")
    intake = intake_for(org)
    intake.is_open = is_open
    intake.intro = intro
    db.session.commit()
    return intake


def _checked(data: FieldInput) -> dict:
    """The columns of a field, or a DomainError on the form field it concerns."""
    label = (data.label or "").strip()
    if not label or len(label) > MAX_LABEL:
        raise DomainError(f"Enter a label of up to {MAX_LABEL} characters.", "label")
    try:
        kind = FieldKind(data.kind)
    except ValueError:
        raise DomainError("Choose a type from the list.", "kind") from None
    help_text = (data.help_text or "").strip()
    if len(help_text) > MAX_HELP:
        raise DomainError(f"Keep the help text to {MAX_HELP} characters.", "help_text")
    for name, text in (("label", label), ("help_text", help_text), ("choices", data.choices)):
        if inputs.has_control(text or ""):
            raise DomainError(inputs.FIELD_MESSAGE, name)
    columns = {
        "label": label,
        "kind": kind,
        "required": bool(data.required),
        "help_text": help_text,
        "choices": [],
        "min_value": None,
        "max_value": None,
    }
    if kind is FieldKind.CHOICE:
        columns["choices"] = _choices(data.choices)
    if kind is FieldKind.NUMBER:
        low, high = data.min_value, data.max_value
        for name, bound in (("min_value", low), ("max_value", high)):
            if bound is not None and abs(bound) > MAX_NUMBER:
                raise DomainError(f"Enter a bound between -{MAX_NUMBER} and {MAX_NUMBER}.", name)
        if low is not None and high is not None and low > high:
            raise DomainError("The highest number is below the lowest.", "max_value")
        columns["min_value"], columns["max_value"] = low, high
    return columns


def _choices(text: str) -> list[str]:
    choices: list[str] = []
    for line in (text or "").splitlines():
        choice = line.strip()
        if not choice:
            continue
        if len(choice) > MAX_CHOICE:
            raise DomainError(f"Keep each choice to {MAX_CHOICE} characters.", "choices")
        if choice in choices:
            raise DomainError(f"“{choice}” is listed twice.", "choices")
        choices.append(choice)
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise DomainError(f"List from 2 to {MAX_CHOICES} choices, one a line.", "choices")
    return choices


def add_field(org: Organization, data: FieldInput) -> IntakeField:
    """Add a field at the end of the organisation's application."""
    columns = _checked(data)
    intake = intake_for(org)
    if len(intake.fields) >= MAX_FIELDS:
        raise DomainError(f"An application has at most {MAX_FIELDS} fields.", "label")
    position = max((f.position for f in intake.fields), default=0) + 1
    field = IntakeField(intake=intake, position=position, **columns)
    db.session.add(field)
    db.session.commit()
    return field


def update_field(field: IntakeField, data: FieldInput) -> IntakeField:
    """Change a field. What applicants answered keeps the label they saw."""
    for name, value in _checked(data).items():
        setattr(field, name, value)
    db.session.commit()
    return field


def move_field(field: IntakeField, direction: str) -> None:
    """Swap the field with its neighbour ``up`` or ``down``; at an end, nothing changes."""
    fields = list(field.intake.fields)
    index = fields.index(field)
    other = index - 1 if direction == "up" else index + 1
    if direction in ("up", "down") and 0 <= other < len(fields):
        fields[index], fields[other] = fields[other], fields[index]
        for position, each in enumerate(fields, start=1):
            each.position = position
    db.session.commit()


def remove_field(field: IntakeField) -> None:
    """Remove a field; applications keep their answers to it."""
    db.session.delete(field)
    db.session.commit()


def field_of(org_id: int, field_id: int) -> IntakeField | None:
    """The field, if it belongs to this organisation's intake (a forged id gets None)."""
    return db.session.scalar(
        select(IntakeField)
        .join(MemberIntake)
        .where(IntakeField.id == field_id, MemberIntake.organization_id == org_id)
    )
