"""Our messages as a chat shows them: visible text, its Telegram length, a plain preview."""

from __future__ import annotations

import html
import re

from bot.render.message import Keyboard, Rendered
from bot.text.measure import utf16_length

_TAG = re.compile(r"<[^>]*>")


def visible_text(message_html: str) -> str:
    """What a chat shows for our HTML: tags dropped, entities decoded.

    Safe for our own output only: every '<' in text we render is escaped, so each '<' left
    starts one of our tags.
    """
    return html.unescape(_TAG.sub("", message_html))


def visible_length(message_html: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the visible text."""
    return utf16_length(visible_text(message_html))


def keyboard_text(keyboard: Keyboard) -> str:
    """The button rows as ``[ 1 ] [ 2 ] [ › ]`` lines (``preview`` prints this)."""
    return "\n".join(" ".join(f"[ {b.text} ]" for b in row) for row in keyboard)


def as_plain(rendered: Rendered) -> str:
    text = visible_text(rendered.html)
    buttons = keyboard_text(rendered.keyboard)
    return f"{text}\n\n{buttons}" if buttons else text
