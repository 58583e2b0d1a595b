"""The volunteer sign-up form and the organizer's filters: shape only, the rules are the
services'."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from advocacy.accounts.forms import _email_field
from advocacy.core.forms import SafeForm, person_name, strip
from advocacy.legislators.importer import STATES
from advocacy.legislators.titles import state_name
from advocacy.organize.campaign_forms import CheckboxesField
from advocacy.volunteers.models import ROLE_LABELS
from advocacy.volunteers.services import AVAILABILITY, VolunteerInput


def state_choices() -> list[tuple[str, str]]:
    """The 50 states, DC and the territories, by name."""
    return sorted(((code, state_name(code)) for code in STATES), key=lambda c: c[1])


ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]


class VolunteerForm(SafeForm):
    name = StringField(
        "Your name",
        filters=[strip],
        validators=[InputRequired("Enter your name."), Length(max=200), person_name],
    )
    email = _email_field()
    states = CheckboxesField(
        "States where you could serve",
        choices=state_choices,
        validators=[InputRequired("Choose at least one state.")],
    )
    role = RadioField("You are", choices=ROLE_CHOICES, validators=[InputRequired("Choose one.")])
    credentials = TextAreaField(
        "Licence or certification status",
        filters=[strip],
        validators=[Optional(), Length(max=500, message="Keep this to 500 characters.")],
    )
    availability = RadioField(
        "Availability",
        choices=list(AVAILABILITY.items()),
        default="few_hours",
        validators=[InputRequired("Choose one.")],
    )
    availability_note = StringField(
        "When you could start, or anything else about your availability (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=300, message="Keep this to 300 characters.")],
    )
    telehealth = BooleanField("I could help by telehealth")
    consent = BooleanField(validators=[InputRequired("Tick the box to agree.")])

    def volunteer_input(self) -> VolunteerInput:
        return VolunteerInput(
            name=self.name.data or "",
            email=self.email.data or "",
            states=list(dict.fromkeys(self.states.data or [])),
            role=self.role.data or "",
            credentials=self.credentials.data or "",
            availability=self.availability.data or "",
            availability_note=self.availability_note.data or "",
            telehealth=bool(self.telehealth.data),
        )


class FilterForm(SafeForm):
    """The organizer list's GET filters; a value not offered is an error, not a 500."""

    class Meta(SafeForm.Meta):
        csrf = False

    state = SelectField("State", choices=lambda: [("", "All states"), *state_choices()], default="")
    role = SelectField("Role", choices=[("", "All roles"), *ROLE_CHOICES], default="")
    telehealth = SelectField(
        "Telehealth", choices=[("", "Either"), ("yes", "Yes"), ("no", "No")], default=""
    )
    confirmed = SelectField(
        "Confirmed", choices=[("", "Either"), ("yes", "Confirmed"), ("no", "Not yet")], default=""
    )
