"""python-telegram-bot at the edge: our messages in, Bot API outcomes out.

:class:`TelegramPort` implements the sender's :class:`~bot.delivery.port.MessagePort`:
it sends a :class:`~bot.render.message.Rendered` message and maps every PTB error onto one
of the outcomes the sender knows how to settle. The error tree it reads::

    TelegramError
    ├── RetryAfter          429 -> RateLimited(retry_after)
    ├── Forbidden           403 blocked / kicked / deactivated -> ChatGone
    ├── ChatMigrated        400 group upgraded -> Migrated(new id)
    ├── BadRequest          400 "chat not found" -> ChatGone; TOPIC_CLOSED or "message
    │                       thread not found" on a send to a thread -> ThreadGone;
    │                       anything else -> Rejected
    ├── InvalidToken        401/404 -> Transient (nothing can be sent at all: the sender
    │                       pauses every chat and retries, nothing is given up for it)
    └── NetworkError (5xx, connection errors), TimedOut, other -> Transient

PTB turns every HTTP status it has no class for (500, 502, 503, 504 ...) and every
connection or protocol failure into ``NetworkError``; a 5xx that carries ``retry_after`` is
a ``RetryAfter``. ``Transient`` outcomes say nothing about the message: the sender retries
them with backoff and never counts them as attempts.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.delivery.port import (
    ChatGone,
    Migrated,
    RateLimited,
    Rejected,
    SendResult,
    Sent,
    ThreadGone,
    Transient,
)
from bot.render.message import Keyboard, Rendered
from bot.render.plain import visible_text

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
#: 400 descriptions that mean the chat itself is unreachable, not that the message is bad
_GONE_400 = (
    "chat not found",
    "have no rights to send",
    "not enough rights",
    "chat_write_forbidden",
)


#: 400 descriptions of a forum thread that takes no messages any more
_THREAD_GONE = ("topic_closed", "topic_deleted", "message thread not found", "thread not found")


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(button.text, url=button.url)
                if button.url
                else InlineKeyboardButton(button.text, callback_data=button.callback)
                for button in row
            ]
            for row in keyboard
        ]
    )


def message_kwargs(message: Rendered, *, plain: bool = False) -> dict[str, object]:
    """Arguments for send_message / edit_message_text."""
    if plain:
        return {"text": visible_text(message.html), "reply_markup": markup(message.keyboard)}
    preview = NO_PREVIEW
    if message.preview_url:
        preview = LinkPreviewOptions(url=message.preview_url, prefer_small_media=True)
    return {
        "text": message.html,
        "parse_mode": ParseMode.HTML,
        "reply_markup": markup(message.keyboard),
        "link_preview_options": preview,
    }


def send_kwargs(message: Rendered, *, plain: bool = False) -> dict[str, object]:
    """Arguments for send_message: :func:`message_kwargs` and the sound."""
    kwargs = message_kwargs(message, plain=plain)
    if message.silent:
        kwargs["disable_notification"] = True
    return kwargs


def thread_gone(error: TelegramError) -> bool:
    """Whether a send to a forum thread failed because the thread is closed or deleted."""
    text = (error.message or "").lower()
    return isinstance(error, BadRequest) and any(marker in text for marker in _THREAD_GONE)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while moving this to timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(error: TelegramError) -> SendResult:
    """The sender's view of a failed send."""
    if isinstance(error, RetryAfter):
        return RateLimited(max(retry_after_seconds(error), 1.0))
    if isinstance(error, ChatMigrated):
        return Migrated(int(error.new_chat_id))
    if isinstance(error, Forbidden):
        return ChatGone(error.message)
    if isinstance(error, BadRequest):
        if any(marker in error.message.lower() for marker in _GONE_400):
            return ChatGone(error.message)
        return Rejected(error.message)
    if isinstance(error, InvalidToken):
        return Transient(f"{error.message or 'Unauthorized'} (is the bot token still valid?)")
    return Transient(f"{type(error).__name__}: {error.message}".rstrip(": "))


class TelegramPort:
    """The sender's way to Telegram: ``sendMessage``, every failure mapped to an outcome."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(
        self,
        target: int | str,
        message: Rendered,
        *,
        plain: bool = False,
        thread: int | None = None,
    ) -> SendResult:
        try:
            sent = await self._bot.send_message(
                chat_id=target,
                message_thread_id=thread,
                **send_kwargs(message, plain=plain),  # type: ignore[arg-type]
            )
        except TelegramError as error:
            if thread is not None and thread_gone(error):
                return ThreadGone(error.message)
            return classify(error)
        return Sent(message_id=sent.message_id, tg_chat_id=sent.chat.id)

    async def edit(
        self, target: int | str, message_id: int, message: Rendered, *, plain: bool = False
    ) -> SendResult:
        try:
            await self._bot.edit_message_text(
                chat_id=target,
                message_id=message_id,
                **message_kwargs(message, plain=plain),  # type: ignore[arg-type]
            )
        except BadRequest as error:
            if "message is not modified" in error.message.lower():
                return Sent(message_id=message_id, tg_chat_id=_chat_id(target))
            return classify(error)
        except TelegramError as error:
            return classify(error)
        return Sent(message_id=message_id, tg_chat_id=_chat_id(target))


def _chat_id(target: int | str) -> int:
    return target if isinstance(target, int) else 0  # edits go to resolved chats
