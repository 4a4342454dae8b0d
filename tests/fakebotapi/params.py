"""Request parameters, normalised so that JSON bodies and form fields look the same.

python-telegram-bot posts ``application/x-www-form-urlencoded`` (``multipart/form-data`` when
uploading), with every non-string value JSON-encoded: ``chat_id=42``, ``reply_markup={...}``,
``disable_notification=true``. Other clients post JSON. Like the real server we accept both,
plus query-string parameters, and decode the known structured, integer and boolean fields
once, so handlers and :meth:`FakeBotAPI.calls` see native values either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import bad_request

__all__ = ["Params", "normalize"]

STRUCTURED_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands",
        "scope", "link_preview_options", "reply_parameters",
    }
)  # fmt: skip
INTEGER_FIELDS = frozenset(
    {
        "message_id", "user_id", "offset", "limit", "timeout", "cache_time",
        "message_thread_id", "from_chat_id", "reply_to_message_id", "max_connections",
    }
)  # fmt: skip
BOOLEAN_FIELDS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "only_if_banned",
    }
)  # fmt: skip

_INTEGER = re.compile(r"-?\d+")


def normalize(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode the fields we know; leave everything else exactly as received."""
    return {name: _decode(name, value) for name, value in raw.items()}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in STRUCTURED_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value  # the handler reports it in Telegram's words
    if (name in INTEGER_FIELDS or name == "chat_id") and _INTEGER.fullmatch(value):
        return int(value)
    if name in BOOLEAN_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


class Params:
    """Typed access to one request's normalised parameters, failing in Telegram's words."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, *, missing: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if missing is not None:
                raise bad_request(missing)
            return None if value is None else ""
        if isinstance(value, bool | dict | list):
            raise bad_request(f'field "{name}" must be of type String')
        return str(value)

    def integer(
        self, name: str, *, missing: str | None = None, default: int | None = None
    ) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if missing is not None:
                raise bad_request(missing)
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f'field "{name}" must be of type Integer')
        return value

    def boolean(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True

    def chat_id(self) -> int | str:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request("chat not found")
        return value
