"""What a new password must be: long enough, and not one of the most common passwords.

Length is what makes a password hard to guess; the list stops the passwords that guessing
tries first. The list (``common_passwords.txt``, its source named at its top) is read once
per process and compared case-insensitively, so "Password1" is as refused as "password1".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_PASSWORD = 10
# Longer than anyone types; bounds the hashing work one request can ask for.
MAX_PASSWORD = 200
_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be a new password, or None when it may."""
    if len(password) < MIN_PASSWORD:
        return f"Passwords need at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Passwords can have at most {MAX_PASSWORD} characters."
    if password.strip().casefold() in common_passwords():
        return "That password is one of the most common ones. Choose another."
    return None
