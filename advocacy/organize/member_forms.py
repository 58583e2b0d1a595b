"""Forms of the organizer's member pages: the intake's settings, a field, a decision."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from advocacy.core.forms import SafeForm, strip
from advocacy.membership import intake
from advocacy.membership.intake import FieldInput
from advocacy.membership.models import FIELD_KIND_LABELS, FieldKind
from advocacy.membership.services import MAX_NOTE

NUMBER_MESSAGE = "Enter a whole number, such as 1990."


class IntakeForm(SafeForm):
    is_open = BooleanField("Open: signed-in members can apply")
    intro = TextAreaField(
        "Introduction (optional)",
        filters=[strip],
        validators=[Length(max=intake.MAX_INTRO)],
    )


class FieldForm(SafeForm):
    label = StringField(
        "Question",
        filters=[strip],
        validators=[InputRequired("Enter the question."), Length(max=intake.MAX_LABEL)],
    )
    kind = SelectField(
        "Type of answer", choices=[(k.value, FIELD_KIND_LABELS[k]) for k in FieldKind]
    )
    required = BooleanField("An answer is required")
    help_text = StringField(
        "Help text (optional)", filters=[strip], validators=[Length(max=intake.MAX_HELP)]
    )
    choices = TextAreaField(
        "Choices, one a line (for “Choice” only)",
        validators=[Length(max=intake.MAX_CHOICES * (intake.MAX_CHOICE + 2))],
    )
    min_value = IntegerField(
        "Lowest number (optional)",
        validators=[Optional()],
        invalid_value_message=NUMBER_MESSAGE,
        render_kw={"inputmode": "numeric"},
    )
    max_value = IntegerField(
        "Highest number (optional)",
        validators=[Optional()],
        invalid_value_message=NUMBER_MESSAGE,
        render_kw={"inputmode": "numeric"},
    )

    def field_input(self) -> FieldInput:
        return FieldInput(
            label=self.label.data or "",
            kind=self.kind.data or "",
            required=bool(self.required.data),
            help_text=self.help_text.data or "",
            choices=self.choices.data or "",
            min_value=self.min_value.data,
            max_value=self.max_value.data,
        )


class DecisionForm(SafeForm):
    note = TextAreaField(
        "Note to the applicant (optional, sent in the email)",
        filters=[strip],
        validators=[Length(max=MAX_NOTE)],
    )
