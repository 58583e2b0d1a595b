"""The signed links of account emails: confirm an address, reset a password, change email.

Each purpose has its own salt, so one kind of link never works as another. Links carry no
state on the server; each is bound to what it must outlive no change of:

- confirm: ``[user id, digest of the email]`` (``core.row_tokens``), so it stops working if
  the address changes; confirming twice is harmless;
- reset: ``[user id, digest of password hash and session version]``: setting the password
  changes both, so the link works once and no more, and any other password change or
  "log out everywhere" also ends it;
- change of email: ``[user id, digest of the current email, the new email]``: it works until
  the address changes, so once (the new address is in the link, which is only mailed there).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from advocacy.accounts.models import User
from advocacy.core import row_tokens
from advocacy.core.ids import is_row_id
from advocacy.extensions import db


class LinkError(Exception):
    """The link cannot be used; ``message`` says why, in words for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


INVALID = "This link is not valid. It may have been used already, or replaced by a newer one."
_EXPIRED = "This link has expired."


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def _confirm_age() -> int:
    return int(timedelta(days=current_app.config["ACCOUNT_CONFIRM_DAYS"]).total_seconds())


def _reset_age() -> int:
    return int(timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]).total_seconds())


def _password_state(user: User) -> str:
    return f"{user.password_hash}:{user.session_version}"


def _load(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise LinkError(INVALID)
    return user


def _decode_pair(purpose: str, token: str, max_age: int) -> tuple[int, str]:
    try:
        return row_tokens.decode(_serializer(purpose), token, max_age)
    except row_tokens.Expired as exc:
        raise LinkError(_EXPIRED) from exc
    except row_tokens.Invalid as exc:
        raise LinkError(INVALID) from exc


# --- confirm the address of a new account ------------------------------------------------


def confirm_token(user: User) -> str:
    return row_tokens.encode(_serializer("confirm"), user.id, user.email)


def user_to_confirm(token: str) -> User:
    user_id, digest = _decode_pair("confirm", token, _confirm_age())
    user = _load(user_id)
    if row_tokens.email_digest(user.email) != digest:
        raise LinkError(INVALID)
    return user


# --- reset a forgotten password ----------------------------------------------------------


def reset_token(user: User) -> str:
    return row_tokens.encode(_serializer("reset"), user.id, _password_state(user))


def user_to_reset(token: str) -> User:
    user_id, digest = _decode_pair("reset", token, _reset_age())
    user = _load(user_id)
    if row_tokens.email_digest(_password_state(user)) != digest:
        raise LinkError(INVALID)
    return user


# --- change of email ---------------------------------------------------------------------


def email_change_token(user: User, new_email: str) -> str:
    return _serializer("email").dumps([user.id, row_tokens.email_digest(user.email), new_email])


def email_change(token: str) -> tuple[User, str]:
    """(the user, the new address) a change-of-email link names."""
    try:
        payload: Any = _serializer("email").loads(token, max_age=_confirm_age())
        user_id, digest, new_email = payload
    except SignatureExpired as exc:
        raise LinkError(_EXPIRED) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkError(INVALID) from exc
    if not (is_row_id(user_id) and isinstance(digest, str) and isinstance(new_email, str)):
        raise LinkError(INVALID)
    user = _load(user_id)
    if row_tokens.email_digest(user.email) != digest:
        raise LinkError(INVALID)
    return user, new_email
