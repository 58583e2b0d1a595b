"""Organizer forms for letter campaigns: the campaign, its organisation targets, positions.

Forms check shape; the rules (templates that parse, slugs, the petition belonging to the
organisation, salutations) live in ``advocacy.letters.campaigns`` and come back as field
errors through the view.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf.file import FileField
from wtforms import (
    Field,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from advocacy.core.forms import SafeForm, strip
from advocacy.letters.campaigns import (
    CHAMBER_CHOICES,
    MAX_GOAL,
    TEMPLATE_POSITIONS,
    CampaignInput,
    TargetInput,
)
from advocacy.letters.models import Position
from advocacy.letters.templating import MAX_TEMPLATE_LENGTH
from advocacy.organize.forms import WholeNumberField, lower


def _limit(n: int, what: str) -> Length:
    return Length(max=n, message=f"Keep the {what} to {n:,} characters.")


def web_url(form: Form, field: Field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(
            "Enter the form’s address starting with https:// (or http://), "
            "such as https://www.aamc.org/contact."
        )


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _template(label: str, rows_max: int) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), _limit(rows_max, label.lower())])


class CampaignForm(SafeForm):
    petition_id = SelectField("Follows the petition", coerce=int, default=0)
    title = StringField(
        "Title", filters=[strip], validators=[InputRequired("Enter a title."), _limit(200, "title")]
    )
    slug = StringField(
        "Web address", filters=[strip, lower], validators=[Optional(), _limit(100, "web address")]
    )
    intro = TextAreaField("Introduction", validators=[Optional(), _limit(20_000, "introduction")])
    ask = StringField("The ask", filters=[strip], validators=[Optional(), _limit(300, "ask")])
    prompt = TextAreaField(
        "Prompt for the supporter’s own story",
        filters=[strip],
        validators=[Optional(), _limit(500, "prompt")],
    )
    goal = WholeNumberField(
        "Goal (letters)",
        invalid_value_message="Enter the goal as a whole number, such as 1000.",
        validators=[
            InputRequired("Enter a goal."),
            NumberRange(1, MAX_GOAL, f"The goal must be between 1 and {MAX_GOAL:,}."),
        ],
    )
    chambers = CheckboxesField("Chambers", choices=list(CHAMBER_CHOICES.items()))
    bills = TextAreaField("Bills", validators=[Optional(), _limit(1200, "list of bills")])
    subject_template = StringField("Subject", validators=[Optional(), _limit(500, "subject")])
    body_template = TextAreaField(
        "Letter", validators=[Optional(), _limit(MAX_TEMPLATE_LENGTH, "letter")]
    )
    subject_supports = _template("Subject", 500)
    body_supports = _template("Letter", MAX_TEMPLATE_LENGTH)
    subject_undecided = _template("Subject", 500)
    body_undecided = _template("Letter", MAX_TEMPLATE_LENGTH)
    subject_opposes = _template("Subject", 500)
    body_opposes = _template("Letter", MAX_TEMPLATE_LENGTH)
    subject_unknown = _template("Subject", 500)
    body_unknown = _template("Letter", MAX_TEMPLATE_LENGTH)

    def position_fields(self) -> list[tuple[Position, Field, Field]]:
        return [
            (p, self[f"subject_{p.value}"], self[f"body_{p.value}"]) for p in TEMPLATE_POSITIONS
        ]

    def fill_positions(self, templates: dict[Position, tuple[str, str]]) -> None:
        for position, (subject, body) in templates.items():
            self[f"subject_{position.value}"].data = subject
            self[f"body_{position.value}"].data = body

    def campaign_input(self) -> CampaignInput:
        assert self.goal.data is not None  # a validated form: InputRequired
        return CampaignInput(
            title=self.title.data or "",
            slug=self.slug.data or None,
            petition_id=self.petition_id.data or None,
            intro=self.intro.data or "",
            ask=self.ask.data or "",
            prompt=self.prompt.data or "",
            goal=self.goal.data,
            chambers=list(self.chambers.data or []),
            bills=[self.bills.data or ""],
            subject_template=self.subject_template.data or "",
            body_template=self.body_template.data or "",
            position_templates={
                p: (s.data or "", b.data or "") for p, s, b in self.position_fields()
            },
        )


class NewCampaignForm(CampaignForm):
    organization_id = SelectField("Organisation", coerce=int)


POSITION_CHOICES = [(p.value, p.label) for p in Position]


class TargetForm(SafeForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[InputRequired("Enter the name of the person or office."), _limit(200, "name")],
    )
    title = StringField("Title", filters=[strip], validators=[Optional(), _limit(200, "title")])
    organization = StringField(
        "Organisation", filters=[strip], validators=[Optional(), _limit(200, "organisation")]
    )
    salutation = StringField(
        "Salutation", filters=[strip], validators=[Optional(), _limit(200, "salutation")]
    )
    address = TextAreaField(
        "Postal address",
        filters=[strip],
        validators=[
            InputRequired("Enter the postal address: every letter is also a PDF."),
            _limit(1000, "address"),
        ],
    )
    email = StringField(
        "Email (optional)",
        filters=[strip],
        validators=[
            Optional(),
            _limit(254, "email"),
            Email("Enter an email address such as policy@aamc.org.", check_deliverability=False),
        ],
    )
    web_form = StringField(
        "Web contact form (optional)",
        filters=[strip],
        validators=[Optional(), _limit(500, "address"), web_url],
    )
    stance = SelectField("Stance on the ask", choices=POSITION_CHOICES, default="unknown")

    def target_input(self) -> TargetInput:
        return TargetInput(
            name=self.name.data or "",
            title=self.title.data or "",
            organization=self.organization.data or "",
            salutation=self.salutation.data or "",
            address=self.address.data or "",
            email=(self.email.data or "").lower() or None,
            web_form=self.web_form.data or None,
            stance=Position(self.stance.data),
        )


class PositionsImportForm(SafeForm):
    file = FileField("CSV file")


class PositionFilterForm(Form):
    """The positions page's filters (GET; no CSRF)."""

    state = SelectField("State", choices=[("", "All states")], default="")
    position = SelectField(
        "Position", choices=[("", "Any position"), *POSITION_CHOICES], default=""
    )
