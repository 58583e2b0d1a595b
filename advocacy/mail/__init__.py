"""Mail: the outbox every domain sends through, its delivery, and the development outbox page.

The domains use what is named here; the modules (see docs/architecture.md) are mail's own.
Mail imports nothing from the domains: what a message or a page says about a petition or an
organisation is given to it (template context, ``unsubscribe.show_senders_with``).
"""

from advocacy.mail.broadcasts import broadcast_html, counts_of_broadcasts, create_broadcast
from advocacy.mail.dispatch import register
from advocacy.mail.models import MessageStatus, OutboxMessage
from advocacy.mail.outbox import enqueue
from advocacy.mail.suppression import is_suppressed, reachable, suppress

__all__ = [
    "broadcast_html",
    "counts_of_broadcasts",
    "create_broadcast",
    "enqueue",
    "MessageStatus",
    "OutboxMessage",
    "is_suppressed",
    "reachable",
    "register",
    "suppress",
]
