"""What other parts of the app add to the thank-you page after a confirmed signature.

Petitions import no other domain (docs/architecture.md), so a domain that has something to
offer a signer (letters: "Now write to your legislators") registers a function at app start;
the thank-you page shows what each returns for the signature (HTML, or None for nothing).
The function gets the signature and its confirmation token, to build links that name it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from markupsafe import Markup

from advocacy.petitions.models import Signature

AfterSigning = Callable[[Signature, str], Markup | None]
_EXTENSION_KEY = "advocacy_after_signing"


def register(app: Flask, fn: AfterSigning) -> None:
    app.extensions.setdefault(_EXTENSION_KEY, []).append(fn)


def boxes(signature: Signature, token: str) -> list[Markup]:
    """What the registered functions offer this (confirmed) signature, in order."""
    found = []
    for fn in current_app.extensions.get(_EXTENSION_KEY, []):
        html = fn(signature, token)
        if html:
            found.append(html)
    return found
