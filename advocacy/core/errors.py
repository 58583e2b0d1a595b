"""Domain errors: raised by services, mapped back onto form fields by views."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation; ``field`` names the form field it concerns."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass
