"""The supporter's forms: the action page, the personal paragraph, and the buttons."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from advocacy.core.forms import SafeForm, person_name, strip, us_zip
from advocacy.letters.writers import CONSENT_TEXT
from advocacy.letters.writing import NOTE_MAX
from advocacy.petitions.forms import one_newline


class ActionForm(SafeForm):
    """The action page's form: who is writing, and where they live (their legislators)."""

    first_name = StringField(
        "First name",
        filters=[strip],
        validators=[InputRequired("Enter your first name."), Length(max=60), person_name],
    )
    last_name = StringField(
        "Last name",
        filters=[strip],
        validators=[InputRequired("Enter your last name."), Length(max=60), person_name],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            InputRequired("Enter your email address."),
            Length(max=254),
            Email(
                "Enter a valid email address, such as name@example.com.", check_deliverability=False
            ),
        ],
    )
    address = StringField(
        "Street address",
        filters=[strip],
        validators=[
            InputRequired("Enter your street address: offices answer constituents by post."),
            Length(max=200, message="Keep the address under 200 characters."),
        ],
    )
    city = StringField(
        "City",
        filters=[strip],
        validators=[
            InputRequired("Enter your city or town."),
            Length(max=80, message="Keep the city under 80 characters."),
        ],
    )
    zip = StringField(
        "ZIP code",
        filters=[strip],
        validators=[InputRequired("Enter your ZIP code."), us_zip],
    )
    opt_in = BooleanField(CONSENT_TEXT, default=False)  # stored as the consent given


PREFIXES = ("Mr.", "Ms.", "Mrs.", "Mx.", "Dr.")


class NoteForm(SafeForm):
    """The writer's own paragraph, one for all their letters, and the address they sign with
    (prefilled from the signature; offices check that a letter comes from a constituent)."""

    prefix = SelectField(
        "Title (optional)",
        choices=[("", "None"), *((p, p) for p in PREFIXES)],
        default="",
        validate_choice=True,
    )
    address = StringField(
        "Street address",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=200, message="Keep the address under 200 characters."),
        ],
    )
    city = StringField(
        "City",
        filters=[strip],
        validators=[Optional(), Length(max=80, message="Keep the city under 80 characters.")],
    )

    personal_note = TextAreaField(
        "Your own words (optional)",
        filters=[one_newline, strip],
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Keep your paragraph to {NOTE_MAX} characters."),
        ],
        render_kw={"data-maxlength": NOTE_MAX, "maxlength": False},
    )


class ButtonForm(SafeForm):
    """A POST button (confirm, send, "I sent it", the district choice): CSRF only."""
