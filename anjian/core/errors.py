"""Domain errors that carry a machine code and a translated message (Saleor ``error_codes.py``).

Actions raise these; views and the API turn them into 400/403/404 with the Chinese message.
"""

from __future__ import annotations

from typing import Any


class AnjianError(Exception):
    """Base error: ``code`` is stable for machines, ``message`` is shown to users (Chinese)."""

    status = 400
    default_code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, **params: Any
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        """Return the error as the API shows it."""
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ValidationFailed(AnjianError):
    """Input is invalid (400)."""


class TransitionNotAllowed(AnjianError):
    """A workflow edge that is not declared, or whose guard fails (409)."""

    status = 409
    default_code = "transition_not_allowed"


class PermissionDeniedError(AnjianError):
    """The user may see the object but not do this to it (403)."""

    status = 403
    default_code = "permission_denied"


class ObjectNotFound(AnjianError):
    """Absent *or* outside the user's scope: the same answer for both (404)."""

    status = 404
    default_code = "not_found"


class TooManyAttempts(AnjianError):
    """Locked out after too many failed attempts (429); the message says how long to wait."""

    status = 429
    default_code = "too_many_attempts"
