"""Reading an application form built from an intake's fields: each answer checked on the
server by its field's kind, and kept as the person typed it when something is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from advocacy.core import inputs
from advocacy.membership.models import FieldKind, IntakeField

MAX_TEXT = 500  # characters of a text answer
MAX_NUMBER = 10**9  # a number answer's bound either way
NUMBER_RE = re.compile(r"^[+-]?\d{1,10}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YES_NO = {"yes": True, "no": False}


@dataclass
class Reading:
    """What a submitted form says: the answers to store, or the problems per field, and the
    raw values to show again either way."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # input name → message
    values: dict[str, str] = field(default_factory=dict)  # input name → what was sent

    @property
    def ok(self) -> bool:
        return not self.errors


def read_answers(fields: Sequence[IntakeField], form: Mapping[str, str]) -> Reading:
    """Check every field's answer in ``form`` (keyed by ``IntakeField.input_name``)."""
    reading = Reading()
    for f in fields:
        raw = form.get(f.input_name, "")
        raw = raw if isinstance(raw, str) else ""
        reading.values[f.input_name] = raw[: MAX_TEXT * 2]
        value = raw.strip()
        try:
            if inputs.has_control(value):
                raise ValueError(inputs.FIELD_MESSAGE)
            parsed = _parse(f, value) if value else None
            if parsed is None and f.required:
                raise ValueError(_missing(f))
        except ValueError as problem:
            reading.errors[f.input_name] = str(problem)
            continue
        reading.answers.append(
            {"field_id": f.id, "label": f.label, "kind": f.kind.value, "value": parsed}
        )
    return reading


def _missing(f: IntakeField) -> str:
    if f.kind in (FieldKind.CHOICE, FieldKind.YES_NO):
        return "Choose an answer."
    return "Enter an answer."


def _parse(f: IntakeField, value: str) -> Any:
    if f.kind is FieldKind.TEXT:
        if len(value) > MAX_TEXT:
            raise ValueError(f"Keep this to {MAX_TEXT} characters (it has {len(value)}).")
        return value
    if f.kind is FieldKind.NUMBER:
        return _number(f, value)
    if f.kind is FieldKind.CHOICE:
        if value not in f.choices:
            raise ValueError("Choose one of the answers listed.")
        return value
    if f.kind is FieldKind.YES_NO:
        if value not in YES_NO:
            raise ValueError("Choose yes or no.")
        return YES_NO[value]
    return _date(value)


def _number(f: IntakeField, value: str) -> int:
    if not NUMBER_RE.match(value):
        raise ValueError("Enter a whole number, such as 2019.")
    number = int(value)
    low = f.min_value if f.min_value is not None else -MAX_NUMBER
    high = f.max_value if f.max_value is not None else MAX_NUMBER
    if not low <= number <= high:
        raise ValueError(f"Enter a number from {low} to {high}.")
    return number


def _date(value: str) -> str:
    try:
        if not DATE_RE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("Enter a real date, such as 2019-06-30.") from None
    if not 1900 <= day.year <= 2100:
        raise ValueError("Enter a date between 1900 and 2100.")
    return day.isoformat()


def shown(answer: Mapping[str, Any]) -> str:
    """An answer as a person reads it: yes/no for booleans, empty for no answer."""
    value = answer.get("value")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def form_values(answers: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The form's values from stored answers, to edit a pending application."""
    values = {}
    for answer in answers:
        value = answer.get("value")
        if isinstance(value, bool):
            text = "yes" if value else "no"
        else:
            text = "" if value is None else str(value)
        values[f"answer-{answer.get('field_id')}"] = text
    return values
