"""One exception for every error a user can fix, mapped to 4xx in one place (API and pages)."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refuses the request.

    ``code`` is the snake_case code of API.md (``insufficient_wip``…), ``message`` a sentence a
    person can act on, ``fields`` optional details. ``status`` defaults to 409: the request was
    well formed but the factory's rules say no.
    """

    status = 409

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
