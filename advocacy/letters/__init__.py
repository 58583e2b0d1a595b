"""Letters from supporters to their own legislators and to organisation targets.

See docs/letters.md: campaigns and their sandboxed templates, titles and addressing per
state and chamber, writing, and delivery per office (email, web form, print, optional CWC).
"""

from __future__ import annotations

from flask import Flask


def register_adapters(app: Flask) -> None:
    """The optional delivery adapters, each only when configured (CWC: ``letters.cwc``)."""
    from advocacy.letters import cwc

    cwc.register(app)
