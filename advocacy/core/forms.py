"""The base form every form of the app uses, and validators shared by forms."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, Form, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Email, InputRequired, Length, StopValidation, ValidationError

from advocacy.core import inputs
from advocacy.core.errors import DomainError
from advocacy.core.text import name_problem
from advocacy.core.zipcodes import normalise_zip, state_for_zip


def no_control_characters(form: Form, field: Field) -> None:
    if isinstance(field.data, str) and inputs.has_control(field.data):
        raise StopValidation(inputs.FIELD_MESSAGE)


class SafeForm(FlaskForm):
    """A Flask-WTF form whose text fields refuse control characters with the field's own
    message (before any other validator), so the page comes back with the other entries kept.
    Its field names are left to it by the request-wide check in ``advocacy.core.inputs``."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: UnboundField, options: dict) -> Field:
            field = super().bind_field(form, unbound_field, options)
            field.validators = [no_control_characters, *field.validators]
            return field

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inputs.FORM_FIELDS.update(
            name for name, value in vars(cls).items() if isinstance(value, UnboundField)
        )


def form_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal on the field it concerns, or at the top of the page."""
    target = form._fields.get(error.field or "")
    if target is not None:
        target.errors.append(error.message)
    else:
        flash(error.message, "error")


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def person_name(form: Form, field: Field) -> None:
    problem = name_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def us_zip(form: Form, field: Field) -> None:
    value = normalise_zip(field.data or "")
    if value is None:
        raise ValidationError("Enter a 5-digit ZIP code, such as 13202 or 13202-1234.")
    if state_for_zip(value) is None:
        raise ValidationError("That is not a ZIP code in use in the United States.")
    field.data = value


class SupporterForm(SafeForm):
    """Who a supporter is: the fields the sign form and a letter campaign's form share."""

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
    zip = StringField(
        "ZIP code",
        filters=[strip],
        validators=[InputRequired("Enter your ZIP code."), us_zip],
    )
