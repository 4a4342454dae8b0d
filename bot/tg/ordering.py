"""Updates of one chat handled one at a time, in the order sent; other chats in parallel.

PTB's default processor runs up to N updates at once in whatever order their handlers
finish, so a user's ``/stop`` sent after ``/start`` could be applied first. Here each chat
has a turn: an update waits for the chat's previous one, and only then takes one of the
``running`` slots, so a chat with a backlog never holds slots other chats need.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: updates accepted from getUpdates and waiting for their chat's turn or a slot
QUEUED_MAX = 1024


class _Turn:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most ``running`` updates at a time, each chat's in order (asyncio locks are FIFO)."""

    def __init__(self, running: int, queued: int = QUEUED_MAX) -> None:
        super().__init__(max(queued, running))
        self._running = asyncio.Semaphore(running)
        self._turns: dict[int, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._running:
                await coroutine
            return
        turn = self._turns.get(chat.id)
        if turn is None:
            turn = self._turns[chat.id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock, self._running:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
