"""What a message says: its subject and bodies from the ``email/`` templates, its Message-ID."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of ``email/<template>.txt`` and ``.html``: the text
    template's first line, after ``Subject:``, is the subject."""
    first_line, _, text_body = _render(f"email/{template}.txt", context).partition("\n")
    subject = first_line.removeprefix("Subject:").strip()
    html_body = _render(f"email/{template}.html", {**context, "subject": subject})
    return subject, text_body.lstrip("\n"), html_body


def _render(name: str, context: dict[str, Any]) -> str:
    """Render an email template with only what it is given.

    No request context processors: an email is not a page (no ``current_user``, no CSRF
    token), and skipping them keeps signing cheap.
    """
    return current_app.jinja_env.get_template(name).render(context)


def make_message_id() -> str:
    """``<32 hex digits@sender's domain>``: unique, and the same on every attempt."""
    return f"<{uuid.uuid4().hex}@{sender_domain()}>"


def sender_domain() -> str:
    """The domain of ``MAIL_DEFAULT_SENDER`` (an address, or a (name, address) pair)."""
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    address = sender[1] if isinstance(sender, tuple) else sender
    return address.rpartition("@")[2].strip(" >") or "advocacy.localhost"
