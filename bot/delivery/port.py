"""What the sender talks through: the Telegram port and its outcomes, and the metrics hooks.

Every send ends in exactly one outcome, and the outcome alone decides what happens to the
delivery's rows (see :mod:`bot.delivery.transmit`)::

    Sent          the message went out
    RateLimited   429: the chat waits ``retry_after`` seconds; other chats go on
    ChatGone      403 / chat not found: the chat no longer takes messages from the bot
    Migrated      the group became a supergroup with a new id
    Rejected      400 for the message itself (markup, length ...)
    Transient     network, timeout, 5xx: says nothing about the message
    ThreadGone    the forum thread is closed or deleted (the chat itself still takes messages)

:class:`bot.tg.api.TelegramPort` implements :class:`MessagePort` over python-telegram-bot.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.render.message import Rendered


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int
    #: Telegram's id of the chat (resolves "@channel" targets); not our ``chats.id``
    tg_chat_id: int


@dataclass(frozen=True, slots=True)
class RateLimited:
    retry_after: float  #: seconds Telegram asks the chat to wait


@dataclass(frozen=True, slots=True)
class ChatGone:
    reason: str


@dataclass(frozen=True, slots=True)
class Migrated:
    new_chat_id: int  #: Telegram's id of the supergroup


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


@dataclass(frozen=True, slots=True)
class Transient:
    reason: str


@dataclass(frozen=True, slots=True)
class ThreadGone:
    reason: str


SendResult = Sent | RateLimited | ChatGone | Migrated | Rejected | Transient | ThreadGone


class MessagePort(Protocol):
    """How the sender reaches Telegram: one message to one chat, one outcome back."""

    async def send(
        self,
        target: int | str,
        message: Rendered,
        *,
        plain: bool = False,
        thread: int | None = None,
    ) -> SendResult:
        """``thread``: the forum thread to post in (None: the chat, or General)."""
        ...

    async def edit(
        self, target: int | str, message_id: int, message: Rendered, *, plain: bool = False
    ) -> SendResult:
        """editMessageText; "message is not modified" is a success (``Sent``)."""
        ...


class FailReason(enum.StrEnum):
    """Why deliveries were given up (the label of the failures metric)."""

    CHAT_GONE = "chat_gone"  #: blocked, kicked, chat deleted
    REJECTED = "rejected"  #: Telegram refused the message itself, plain text too
    ATTEMPTS = "attempts"  #: max_attempts failures of our own
    EXPIRED = "expired"  #: not sent within give_up_after
    ENTRY_GONE = "entry_gone"  #: the entries were pruned before they went out
    INACTIVE = "inactive"  #: queued for a chat that no longer takes pushes
    EDIT_REFUSED = "edit_refused"  #: an edit in place refused (message deleted, too old)


class SenderObserver(Protocol):
    """Hooks for metrics; every method must be cheap and must not raise."""

    def sent(self, messages: int, entries: int, waited: Sequence[float]) -> None:
        """``waited``: seconds from queued to sent, one per row delivered."""

    def rate_limited(self) -> None: ...
    def chat_gone(self) -> None: ...
    def failed(self, rows: int, reason: FailReason) -> None: ...
    def edited(self) -> None: ...


class NoObserver:
    """The observer when nobody counts (the tests)."""

    def sent(self, messages: int, entries: int, waited: Sequence[float]) -> None:
        pass

    def rate_limited(self) -> None:
        pass

    def chat_gone(self) -> None:
        pass

    def failed(self, rows: int, reason: FailReason) -> None:
        pass

    def edited(self) -> None:
        pass
