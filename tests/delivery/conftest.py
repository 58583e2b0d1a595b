"""Signatures with their districts (from the directory) for the packet tests."""

from __future__ import annotations

import pytest

from advocacy.delivery import packets
from advocacy.petitions import services as petitions
from tests.letters.pdftext import read as read_pdf


@pytest.fixture(autouse=True)
def _packets_dir(app, tmp_path):
    app.config["PACKETS_DIR"] = str(tmp_path / "packets")


def signed(make, petition, zip_code, *, districts=True, **kw):
    """A signature with its ZIP's districts stored, as signing would store them."""
    signature = make.signature(petition, zip=zip_code, **kw)
    if districts:
        petitions.fill_districts(petition.id)
    return signature


def pdf_text(petition, office, today=None) -> str:
    from datetime import date

    data = packets.pdf_bytes(petition, office, today or date(2026, 12, 1))
    return read_pdf(data).text


__all__ = ["pdf_text", "signed"]
