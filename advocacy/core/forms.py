"""Validators shared by forms: people's names and ZIP codes."""

from __future__ import annotations

from wtforms import Field, Form
from wtforms.validators import ValidationError

from advocacy.core.text import name_problem
from advocacy.core.zipcodes import normalise_zip, state_for_zip


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
