"""The Bot API's failure shape, ``{"ok": false, "error_code": N, "description": ...}``."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "bad_request", "forbidden"]


class ApiError(Exception):
    """A Bot API failure: HTTP status, Telegram's description and optional parameters."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body the real server would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {reason}", parameters)


def forbidden(reason: str) -> ApiError:
    """A 403 with Telegram's ``Forbidden: `` prefix."""
    return ApiError(403, f"Forbidden: {reason}")
