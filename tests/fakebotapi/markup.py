"""Validation of the structured parameters our bot sends: inline keyboards and command lists.

Every check raises :class:`~.errors.ApiError` with the Bot API's description, so the server can
return it unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request

__all__ = ["MAX_BUTTONS", "check_commands", "check_reply_markup"]

MAX_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
BUTTON_URL_SCHEMES = ("http://", "https://", "tg://")

# Exactly one of these makes an inline button do something.
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_COMMAND_NAME = re.compile(r"[a-z0-9_]+")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup`` (already JSON-decoded) and return it; None when absent."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup  # reply keyboards, removal and force_reply: accepted as they are
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        for button in row:
            check_inline_button(button)
    return markup


def check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        check_callback_data(button["callback_data"])
    if "url" in button:
        check_button_url(button["url"])


def check_callback_data(data: Any) -> None:
    if not isinstance(data, str):
        raise bad_request("BUTTON_DATA_INVALID")
    size = len(data.encode("utf-8"))
    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def check_button_url(url: Any) -> None:
    if not isinstance(url, str) or not url.lower().startswith(BUTTON_URL_SCHEMES):
        raise bad_request("BUTTON_URL_INVALID")
    if len(url.split("://", 1)[1]) == 0:
        raise bad_request("BUTTON_URL_INVALID")


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate a ``setMyCommands`` list and return it normalised (no leading '/')."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    return [check_command(item) for item in commands]


def check_command(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand: BotCommand must be an Object")
    command = str(item.get("command", "")).strip().removeprefix("/")
    description = str(item.get("description", "")).strip()
    if not command:
        raise bad_request("command must be non-empty")
    if len(command) > 32:
        raise bad_request("command length must not exceed 32")
    if not _COMMAND_NAME.fullmatch(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > 256:
        raise bad_request("command description length must not exceed 256")
    return {"command": command, "description": description}
