"""The supporter's pages: the action page, writing, reviewing and delivering letters."""

from __future__ import annotations

from flask import Blueprint

from advocacy.letters import models  # noqa: F401 - the tables, for the metadata

bp = Blueprint("letters", __name__)
