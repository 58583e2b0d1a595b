"""The demo organisation's membership application: open, with the questions an organisation
of medical graduates asks. Loaded idempotently: an intake that has questions is left alone."""

from __future__ import annotations

from advocacy.accounts.models import Organization
from advocacy.extensions import db
from advocacy.membership import intake
from advocacy.membership.models import FieldKind, IntakeField

INTRO = """If you are a **qualified medical graduate** who still needs to finish training in
the United States, become a member: we keep you informed about residency positions,
licensing pathways and the bills that change them, and we speak for you in every state
capital.

Membership is free. Tell us a little about your training so we can send you what matters
to you."""


FIELDS = (
    {
        "label": "Year of graduation from medical school",
        "kind": FieldKind.NUMBER,
        "required": True,
        "min_value": 1960,
        "max_value": 2030,
        "help_text": "The year on your medical degree.",
    },
    {
        "label": "Country of your medical school",
        "kind": FieldKind.TEXT,
        "required": True,
        "help_text": "For example India, Nigeria, Mexico, the United States.",
    },
    {
        "label": "USMLE steps passed",
        "kind": FieldKind.CHOICE,
        "required": True,
        "choices": ["None yet", "Step 1", "Step 1 and Step 2 CK", "Step 1, Step 2 CK and Step 3"],
    },
    {
        "label": "Are you ECFMG certified?",
        "kind": FieldKind.YES_NO,
        "required": False,
    },
    {
        "label": "State of residence",
        "kind": FieldKind.TEXT,
        "required": True,
        "help_text": "Where you live now, such as NY or Texas.",
    },
    {
        "label": "Specialty interest",
        "kind": FieldKind.CHOICE,
        "required": False,
        "choices": [
            "Family medicine",
            "Internal medicine",
            "Pediatrics",
            "Psychiatry",
            "Emergency medicine",
            "Surgery",
            "Other",
        ],
    },
)


def load_demo_intake(org: Organization) -> bool:
    """Open ``org``'s application with the demo questions, unless it already has questions.
    True if it was loaded now. Commits."""
    current = intake.intake_for(org)
    if current.fields:
        return False
    current.is_open = True
    current.intro = INTRO
    for position, spec in enumerate(FIELDS, start=1):
        db.session.add(IntakeField(intake=current, position=position, **spec))
    db.session.commit()
    return True
