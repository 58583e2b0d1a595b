"""Where the public-domain data tables live: ``DATA_DIR`` (``ADVOCACY_DATA_DIR``), else the
``shared/data`` folder beside the checkout. The legislator import and the demo read it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def shared_data_dir() -> Path:
    configured = current_app.config.get("DATA_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.root_path).parent.parent / "shared" / "data"
