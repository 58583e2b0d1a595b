"""Organizer forms: writing a petition, and the buttons that publish, close and reopen it.

Forms check shape (lengths, numbers, dates, https); the rules live in
``advocacy.petitions.editing`` and come back as field errors through the view.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    DateField,
    Field,
    Form,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from advocacy.core.forms import SafeForm, strip
from advocacy.petitions.editing import MAX_GOAL, PetitionInput
from advocacy.petitions.updates import BODY_MAX, SUBJECT_MAX, UpdateInput


class WholeNumberField(IntegerField):
    """An integer that also accepts "10,000" and refuses decimals with a clear message."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].replace(",", "").strip()
        if not raw:  # blank: InputRequired or Optional decides
            self.data = None
            return
        if not re.fullmatch(r"\d{1,9}", raw):
            self.data = None
            raise ValueError(self.invalid_value_message)
        self.data = int(raw)

    def pre_validate(self, form: Form) -> None:
        # Unreadable input has said so already; a range message on top would only confuse.
        if self.process_errors:
            raise StopValidation()


def lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def https_url(form: Form, field: Field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in field.data):
        raise ValidationError(
            "Enter an address starting with https://, such as https://example.org/photo.jpg."
        )


def _limit(n: int, what: str) -> Length:
    return Length(max=n, message=f"Keep the {what} to {n:,} characters.")


class PetitionForm(SafeForm):
    title = StringField(
        "Title",
        filters=[strip],
        validators=[InputRequired("Enter a title."), _limit(200, "title")],
    )
    slug = StringField(
        "Web address",
        filters=[strip, lower],
        validators=[Optional(), _limit(100, "web address")],
    )
    target = StringField(
        "Addressed to",
        filters=[strip],
        validators=[InputRequired("Say who can make this decision."), _limit(200, "target")],
    )
    summary = TextAreaField(
        "Summary",
        filters=[strip],
        validators=[Optional(), _limit(300, "summary")],
    )
    body = TextAreaField(
        "Petition text",
        validators=[Optional(), _limit(20_000, "petition text")],
    )
    goal = WholeNumberField(
        "Signature goal",
        invalid_value_message="Enter the goal as a whole number, such as 10000.",
        validators=[
            InputRequired("Enter a signature goal."),
            NumberRange(1, MAX_GOAL, f"The goal must be between 1 and {MAX_GOAL:,}."),
        ],
    )
    goal_step = WholeNumberField(
        "Raise the goal by (optional)",
        invalid_value_message="Enter the step as a whole number, such as 5000.",
        validators=[
            Optional(),
            NumberRange(1, MAX_GOAL, f"The step must be between 1 and {MAX_GOAL:,}."),
        ],
    )
    deadline = DateField(
        "Deadline (optional)",
        format=["%Y-%m-%d", "%m/%d/%Y"],
        invalid_value_message="Enter a date, such as 2026-12-31.",
        validators=[Optional()],
    )
    image_url = StringField(
        "Image address (optional)",
        filters=[strip],
        validators=[Optional(), _limit(500, "image address"), https_url],
    )
    image_alt = StringField(
        "Image description",
        filters=[strip],
        validators=[Optional(), _limit(200, "image description")],
    )
    require_confirmation = BooleanField("Ask signers to confirm by email", default=True)

    def petition_input(self) -> PetitionInput:
        deadline = self.deadline.data
        assert self.goal.data is not None  # only called on a validated form: InputRequired
        return PetitionInput(
            title=self.title.data,
            slug=self.slug.data or None,
            target=self.target.data,
            summary=self.summary.data or "",
            body=self.body.data or "",
            goal=self.goal.data,
            goal_step=self.goal_step.data,
            # A deadline date means "until the end of that day" (UTC).
            deadline=datetime.combine(deadline, time(23, 59, 59), UTC) if deadline else None,
            image_url=self.image_url.data or None,
            image_alt=self.image_alt.data or None,
            require_confirmation=self.require_confirmation.data,
        )


class NewPetitionForm(PetitionForm):
    # Choices are the user's own organisations, set by the view; with one, it is not shown.
    organization_id = SelectField("Organisation", coerce=int)


class ActionForm(SafeForm):
    """A button-only POST (publish, reopen): carries the CSRF token and nothing else."""


class CloseForm(SafeForm):
    won = BooleanField("The campaign won")


class UpdateForm(SafeForm):
    """An update to a petition's signers: a subject line and a Markdown body."""

    subject = StringField(
        "Subject",
        filters=[strip],
        validators=[
            InputRequired("Write a subject line."),
            Length(max=SUBJECT_MAX, message=f"Keep the subject under {SUBJECT_MAX} characters."),
        ],
    )
    body = TextAreaField(
        "Update",
        validators=[
            InputRequired("Write the update."),
            Length(max=BODY_MAX, message=f"Keep the update under {BODY_MAX:,} characters."),
        ],
    )

    def update_input(self) -> UpdateInput:
        return UpdateInput(subject=self.subject.data or "", body=self.body.data or "")
