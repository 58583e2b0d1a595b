"""Which channel each office reads, and the adapters that deliver through a channel.

The choice, per office, in order: an optional adapter that is switched on and accepts the
office (Communicating with Congress, for approved vendors only: ``letters.cwc``), email
where the office publishes an address (most state legislators), the office's web contact
form where that is the only way in (most of Congress), else print. Every letter is also a
PDF, whatever its channel.

An adapter is anything with ``channel``, ``accepts(recipient)`` and ``deliver(letter)``;
``register`` adds one (at app start, when configured). ``deliver`` runs in the transaction
that confirms the letter and must only queue work (never talk to the network in the
request); it sets the letter's status (``queued``) and the background job moves it on.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

from advocacy.letters.addressing import Recipient
from advocacy.letters.models import Channel, Letter, Writer

_EXTENSION_KEY = "advocacy_letter_adapters"


class Adapter(Protocol):
    channel: Channel

    def accepts(self, recipient: Recipient) -> bool:
        """Whether this adapter can deliver to this office."""
        ...

    def accepts_writer(self, writer: Writer) -> bool:
        """Whether the writer gave what this channel requires (CWC: a prefix, an address)."""
        ...

    def deliver(self, letter: Letter) -> None:
        """Queue the confirmed letter for delivery, in the caller's transaction."""
        ...


def register(app: Flask, adapter: Adapter) -> None:
    app.extensions.setdefault(_EXTENSION_KEY, []).append(adapter)


def adapters() -> list[Adapter]:
    return list(current_app.extensions.get(_EXTENSION_KEY, []))


def adapter_for(recipient: Recipient, writer: Writer | None = None) -> Adapter | None:
    """The first adapter that takes this office (and this writer, when given)."""
    return next(
        (
            a
            for a in adapters()
            if a.accepts(recipient) and (writer is None or a.accepts_writer(writer))
        ),
        None,
    )


def form_link(recipient: Recipient) -> str | None:
    """The office's official contact form, or its website (where House offices keep their
    forms: the directory does not list them and we do not guess their addresses)."""
    return recipient.web_form or recipient.website


def choose(recipient: Recipient, writer: Writer | None = None) -> Channel:
    """The channel a letter to this office goes by (from this writer: an adapter that needs
    what the writer did not give is passed over for the office's own channels)."""
    adapter = adapter_for(recipient, writer)
    if adapter is not None:
        return adapter.channel
    if recipient.email:
        return Channel.EMAIL
    if form_link(recipient):
        return Channel.WEB_FORM
    return Channel.PRINT
