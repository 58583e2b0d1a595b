"""What other parts of the app do when a member's email address is proven theirs.

Accounts import no other domain, so a domain that keeps rows by email (the profile: the
member's history of signatures and letters) registers a function at app start. Each runs in
the transaction that confirms the address (the sign-up link, a password reset that confirms
it, an email change), after the user row holds the address; it only flushes.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from advocacy.accounts.models import User

OnConfirmed = Callable[[User], object]
_EXTENSION_KEY = "advocacy_email_confirmed"


def register(app: Flask, fn: OnConfirmed) -> None:
    app.extensions.setdefault(_EXTENSION_KEY, []).append(fn)


def email_confirmed(user: User) -> None:
    """Run every registered function for a user whose address was just confirmed."""
    for fn in current_app.extensions.get(_EXTENSION_KEY, []):
        fn(user)
