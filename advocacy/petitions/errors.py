"""Errors raised by the petition services."""

from advocacy.core.errors import DomainError


class PetitionClosed(DomainError):
    pass


class InvalidSignature(DomainError):
    pass


class InvalidToken(DomainError):
    """The confirmation link is broken, expired or for a signature that no longer exists."""
