"""What the renderers return: a message ready for the Bot API, its buttons, a button's reply."""

from __future__ import annotations

from dataclasses import dataclass

from bot.text.measure import escape_html

#: Telegram's limit on a message, in UTF-16 units of its visible text
MESSAGE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    url: str | None = None
    callback: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for ``sendMessage`` / ``editMessageText`` with ``parse_mode=HTML``."""

    html: str
    keyboard: Keyboard = ()
    silent: bool = False  #: sent without a sound (the chat's /settings sound off)
    preview_url: str | None = None  #: the link whose preview shows (None: no preview)


@dataclass(frozen=True, slots=True)
class ButtonReply:
    """The answer to a button press (always sent) and an optional edit of its message."""

    answer: str = ""
    edit: Rendered | None = None


def message(text: str) -> Rendered:
    """A short reply: plain text, escaped."""
    return Rendered(html=escape_html(text))
