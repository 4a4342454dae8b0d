"""Frozen snapshots the harness hands to tests: messages, deliveries, calls and answers.

They are copies: nothing a test does to them changes the server, and the server never
changes one a test holds (an edit produces a new :class:`SentMessage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "ApiCall", "LogEntry", "SentMessage"]


@dataclass(frozen=True)
class SentMessage:
    """A bot message as it currently stands in its chat."""

    chat_id: int
    message_id: int
    text: str
    """The text as the bot sent it (raw HTML when ``parse_mode`` was HTML)."""
    plain_text: str
    """What a reader sees: markup parsed, entities decoded."""
    entities: tuple[dict[str, Any], ...]
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int
    edits: int = 0
    edit_date: int | None = None
    document: dict[str, Any] | None = None
    """sendDocument: the file's file_id, file_name, mime_type and file_size."""

    def buttons(self) -> list[dict[str, Any]]:
        """All inline buttons, row after row."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def callback_data(self) -> list[str]:
        """The ``callback_data`` of every inline button that has one, in order."""
        return [b["callback_data"] for b in self.buttons() if "callback_data" in b]


@dataclass(frozen=True)
class LogEntry:
    """One delivery attempt (send, edit or delete), accepted or refused."""

    method: str
    chat_id: int | str | None
    ok: bool
    at: float
    """``time.monotonic()`` when the server handled it."""
    wall: float
    """``time.time()`` when the server handled it."""
    message_id: int | None = None
    error_code: int | None = None
    description: str | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class ApiCall:
    """One request to ``/bot<token>/<method>`` with its normalised parameters."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool
    error_code: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class Answer:
    """An accepted ``answerCallbackQuery``."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    at: float
