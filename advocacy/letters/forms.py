"""The supporter's forms: the action page, the personal paragraph, and the buttons."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from advocacy.core.forms import SafeForm, SupporterForm, strip
from advocacy.letters.writers import CONSENT_TEXT
from advocacy.letters.writing import NOTE_MAX
from advocacy.petitions.forms import one_newline


class ActionForm(SupporterForm):
    """The action page's form: who is writing, and where they live (their legislators)."""

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
