"""Each kind of field checks its answer on the server."""

from __future__ import annotations

import pytest

from advocacy.membership.answers import form_values, read_answers, shown
from advocacy.membership.models import FieldKind, IntakeField


def _field(kind: FieldKind, **kw) -> IntakeField:
    return IntakeField(id=7, label="Q", kind=kind, required=kw.pop("required", True), **kw)


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        (_field(FieldKind.NUMBER, min_value=1960, max_value=2030), " 2019 ", 2019),
        (_field(FieldKind.NUMBER), "-5", -5),
        (_field(FieldKind.TEXT), "  India ", "India"),
        (_field(FieldKind.CHOICE, choices=["Step 1", "Step 2"]), "Step 2", "Step 2"),
        (_field(FieldKind.YES_NO), "no", False),
        (_field(FieldKind.DATE), "2024-02-29", "2024-02-29"),
        (_field(FieldKind.TEXT, required=False), "", None),
    ],
)
def test_good_answers_are_kept_typed(field, raw, value):
    reading = read_answers([field], {"answer-7": raw})
    assert reading.ok
    assert reading.answers == [
        {"field_id": 7, "label": "Q", "kind": field.kind.value, "value": value}
    ]


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        (_field(FieldKind.NUMBER, min_value=1960, max_value=2030), "1959", "from 1960 to 2030"),
        (_field(FieldKind.NUMBER), "12.5", "whole number"),
        (_field(FieldKind.NUMBER), "1e3", "whole number"),
        (_field(FieldKind.NUMBER), "9" * 40, "whole number"),
        (_field(FieldKind.NUMBER), "9999999999", "from -1000000000"),
        (_field(FieldKind.CHOICE, choices=["Step 1"]), "Step 3", "one of the answers"),
        (_field(FieldKind.YES_NO), "maybe", "yes or no"),
        (_field(FieldKind.DATE), "2023-02-29", "real date"),
        (_field(FieldKind.DATE), "29/02/2024", "real date"),
        (_field(FieldKind.DATE), "1066-10-14", "between 1900 and 2100"),
        (_field(FieldKind.TEXT), "x" * 501, "500 characters"),
        (_field(FieldKind.TEXT), "In\x00dia", "control characters"),
        (_field(FieldKind.TEXT), "   ", "Enter an answer"),
        (_field(FieldKind.CHOICE, choices=["A", "B"]), "", "Choose an answer"),
    ],
)
def test_bad_answers_are_refused_with_the_value_kept(field, raw, message):
    reading = read_answers([field], {"answer-7": raw})
    assert not reading.ok and message in reading.errors["answer-7"]
    assert reading.answers == []
    assert reading.values["answer-7"] == raw[:1000]


def test_a_missing_or_non_text_value_is_no_answer():
    reading = read_answers([_field(FieldKind.TEXT)], {})
    assert reading.errors == {"answer-7": "Enter an answer."}


def test_stored_answers_show_and_refill_the_form():
    stored = [
        {"field_id": 1, "label": "A", "kind": "yes_no", "value": True},
        {"field_id": 2, "label": "B", "kind": "number", "value": 2019},
        {"field_id": 3, "label": "C", "kind": "text", "value": None},
    ]
    assert [shown(a) for a in stored] == ["Yes", "2019", ""]
    assert form_values(stored) == {"answer-1": "yes", "answer-2": "2019", "answer-3": ""}
