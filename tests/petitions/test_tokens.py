"""Confirmation links that do not decode to what we issued are a 400 page, never a 500."""

from __future__ import annotations

import pytest

from advocacy.petitions import services


@pytest.mark.parametrize(
    "payload",
    [
        [2**70, "x"],
        [2**63, "x"],
        [2**31, "x"],
        [-1, "x"],
        [0, "x"],
        ["1", "x"],
        [True, "x"],
        [1, 2],
        [1],
        {},
    ],  # fmt: skip
)
def test_forged_but_signed_payloads_are_refused(client, make, payload):
    make.signature(make.petition(), confirmed=False)
    token = services._serializer().dumps(payload)
    for url in (f"/signatures/confirm/{token}", f"/signatures/confirmed/{token}"):
        response = client.get(url)
        assert response.status_code == 400, (payload, url)
        assert "not valid" in response.text
    assert client.post(f"/signatures/confirm/{token}").status_code == 400
    assert client.post(f"/signatures/confirmed/{token}/districts").status_code == 400


def test_a_real_token_still_works(client, make):
    signature = make.signature(make.petition(), confirmed=False)
    response = client.get(f"/signatures/confirm/{services.make_token(signature)}")
    assert response.status_code == 200
