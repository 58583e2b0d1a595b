"""Control characters are refused in every text input, in one place.

A NUL byte cannot be stored in PostgreSQL text (the driver raises, the request would be a
500), and no person types one; the other C0/C1 control characters only hide things in names,
emails and exports. Line breaks and tabs are text and stay allowed in form and JSON values.

Two layers, so every input is covered exactly once:

- form fields declared on a ``SafeForm`` (advocacy/core/forms.py) get the field's own
  message, and the page comes back with the person's other entries kept;
- everything else (the path, the query string, JSON bodies, and form values no form declares,
  such as tracking fields or the districts a signer picks) is refused here before the view
  runs: a 400 page, or for the API the JSON error shape, naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

# C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a path or a query string nothing below space belongs.
_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Field names that SafeForm subclasses declare: those report through their form instead.
FORM_FIELDS: set[str] = {"csrf_token"}
# Endpoints that validate their own body item by item (the mail-event webhook reports each
# refused event and applies the rest).
OWN_VALIDATION: set[str] = {"mail_webhooks.mail_events"}


def has_control(value: str, *, multiline: bool = True) -> bool:
    return bool((_IN_TEXT if multiline else _IN_LINE).search(value))


# Beside a form field, which names itself.
FIELD_MESSAGE = "Remove the invisible control characters (such as a NUL byte) from this field."


def message(field: str) -> str:
    return (
        f"“{field}” contains an invisible control character (such as a NUL byte), which we "
        "cannot accept. Please remove it and try again."
    )


class ControlCharacters(BadRequest):
    def __init__(self, field: str):
        super().__init__(message(field))
        self.field = field


def _json_strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON body (keys too), with the key it stands under. A loop
    with its own stack: a deeply nested body cannot exhaust Python's recursion limit."""
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            for key, child in item.items():
                yield path, str(key)
                stack.append((str(key), child))
        elif isinstance(item, list):
            stack.extend((path, child) for child in item)


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we take
        raise BadRequest("The JSON body is nested too deeply.") from None


def offending_field() -> str | None:
    """The first input of this request holding a control character, or None."""
    if has_control(request.path, multiline=False):
        return next((k for k, v in (request.view_args or {}).items() if isinstance(v, str)), "path")
    for key, value in request.args.items(multi=True):
        if has_control(key, multiline=False) or has_control(value, multiline=False):
            return key
    if request.endpoint in OWN_VALIDATION:
        return None
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                if has_control(key, multiline=False):
                    return "form"
                if key not in FORM_FIELDS and has_control(value):
                    return key
        elif request.is_json:
            for field, value in _json_strings(_json_body()):
                if has_control(value):
                    return field
    return None


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_control_characters() -> None:
        field = offending_field()
        if field is not None:
            raise ControlCharacters(field)
