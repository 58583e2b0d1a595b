"""Template filters and globals: numbers, plurals, dates and sanitised Markdown."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from flask import Flask
from markupsafe import Markup

from advocacy.core.db import utcnow
from advocacy.core.text import render_markdown


def number(value: int | None) -> str:
    """6912 → "6,912"."""
    return f"{value or 0:,}"


def pluralize(count: int, singular: str, plural: str | None = None) -> str:
    """``7 | pluralize("signature")`` → "signatures"; 1 → "signature"."""
    return singular if count == 1 else (plural or singular + "s")


def timeago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return ""
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400 * 30, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {pluralize(n, unit)} ago"
    return "just now"


def date(value: Date | str | None) -> str:
    """A date, datetime or ISO date string → "June 15, 2026"."""
    if isinstance(value, str):
        text = value
        try:
            value = Date.fromisoformat(text[:10])
        except ValueError:
            return text
    return f"{value:%B} {value.day}, {value:%Y}" if value else ""


def markdown(source: str | None) -> Markup:
    return Markup(render_markdown(source))  # noqa: S704 - sanitised by nh3 in render_markdown


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(number)
    app.add_template_filter(pluralize)
    app.add_template_filter(timeago)
    app.add_template_filter(date)
    app.add_template_filter(markdown)
