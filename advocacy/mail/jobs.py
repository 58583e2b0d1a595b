"""RQ jobs for mail; they run in ``flask mail worker`` with the app context pushed."""

from __future__ import annotations

from advocacy.mail.services import deliver


def deliver_messages(ids: list[int]) -> None:
    deliver(ids)
