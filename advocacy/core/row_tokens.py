"""Signed links that name one row by id and the row's email: confirmation and writer links.

A token is ``[row id, digest of the email]`` signed with the app's key (each purpose its own
salt). ``decode`` checks the signature, the age and the shape before any query; the caller
loads the row and checks ``email_digest`` against it, so a link stops working when the row's
email changes and a row id alone opens nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from advocacy.core.ids import is_row_id


class Expired(Exception):
    """The link was ours but is older than it may be."""


class Invalid(Exception):
    """Not a link we issued (tampered, another purpose's, or a payload of the wrong shape)."""


def email_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def encode(serializer: URLSafeTimedSerializer, row_id: int, email: str) -> str:
    return serializer.dumps([row_id, email_digest(email)])


def decode(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> tuple[int, str]:
    """(row id, email digest) of a valid link; ``Expired`` or ``Invalid`` otherwise."""
    try:
        payload: Any = serializer.loads(token, max_age=max_age)
        row_id, digest = payload
    except SignatureExpired as exc:
        raise Expired from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise Invalid from exc
    if not is_row_id(row_id) or not isinstance(digest, str):
        raise Invalid
    return row_id, digest
