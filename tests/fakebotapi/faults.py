"""Injected failures: the server answers 5xx, or drops the connection, instead of working.

A :class:`Fault` matches calls by method and chat, for a number of calls or a span of time
(or until cleared). A matching call does nothing at all (no message is delivered, nothing
changes in the world); it is answered with the status, or the connection is closed without
an answer, optionally after a delay (to provoke client timeouts). It is still recorded in
the call log, and for deliveries in the delivery log, as refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError

__all__ = ["DROPPED", "Fault", "describe_status"]

#: ``LogEntry.description`` of a call whose connection the fake dropped
DROPPED = "connection dropped (injected fault)"

_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def describe_status(status: int) -> str:
    return _REASONS.get(status, f"Error {status}")


@dataclass
class Fault:
    """One injected failure; ``status`` None drops the connection."""

    status: int | None
    description: str
    times: int | None = None  #: calls left to fail (None: no limit by count)
    until: float | None = None  #: world clock time it ends (None: no limit by time)
    chat_id: int | str | None = None  #: only calls for this chat (its id or "@username")
    methods: frozenset[str] | None = None  #: only these methods, lower case (None: all)
    delay: float = 0.0  #: seconds to wait before failing

    def expired(self, now: float) -> bool:
        return (self.times is not None and self.times <= 0) or (
            self.until is not None and now >= self.until
        )

    def matches(self, method: str, chat: Any, own_chat: Any) -> bool:
        """Does a call of ``method`` for ``chat`` fail? Both chats come as the world compares
        them ("@username" of a known chat resolved to its id); ``own_chat`` is this fault's."""
        if self.methods is not None and method.lower() not in self.methods:
            return False
        return self.chat_id is None or bool(chat == own_chat)

    def error(self) -> ApiError | None:
        """The answer (None: drop the connection)."""
        if self.status is None:
            return None
        return ApiError(self.status, self.description)
