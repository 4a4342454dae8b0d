"""Who the bot's admins are (the config's and those who claimed it), and ``/claim``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.chat.claim import Claim, ClaimGate
from bot.clock import utcnow
from bot.domain import GROUP_CHAT_KINDS
from bot.render.durations import short_span
from bot.render.i18n import Locale
from bot.render.message import Rendered, message
from bot.render.strings import admin as admin_strings
from bot.store import Store


class AdminRoster:
    """``telegram.admins`` ∪ the admins stored in the database (asked each time, so that
    every replica sees a claim at once)."""

    def __init__(
        self,
        store: Store,
        configured: frozenset[int],
        gate: ClaimGate,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._configured = configured
        self._gate = gate
        self._clock = clock

    async def is_admin(self, user_id: int | None) -> bool:
        if user_id is None:
            return False
        return user_id in self._configured or await self._store.is_stored_admin(user_id)

    async def all(self) -> frozenset[int]:
        return self._configured | frozenset(await self._store.stored_admins())

    async def claim(
        self, user_id: int | None, chat_kind: str, argument: str, loc: Locale
    ) -> Rendered:
        """``/claim CODE``: in a private chat, the right code makes the sender an admin."""
        if user_id is None or chat_kind in GROUP_CHAT_KINDS or chat_kind == "channel":
            return message(loc(admin_strings.CLAIM_IN_PRIVATE))
        if await self.is_admin(user_id):
            return message(loc(admin_strings.ALREADY_ADMIN))
        if not argument.strip():
            return message(
                loc(admin_strings.CLAIM_USAGE if self._gate.code else admin_strings.CLAIM_CLOSED)
            )
        now = self._clock()
        result = self._gate.attempt(user_id, argument, now)
        if result is Claim.ACCEPTED:
            await self._store.add_admin(user_id, now)
            return message(loc(admin_strings.CLAIMED))
        if result is Claim.WRONG:
            return message(loc(admin_strings.CLAIM_WRONG))
        if result is Claim.LIMITED:
            wait = self._gate.wait(user_id, now)
            return message(
                loc(admin_strings.claim_limited(short_span(int(wait.total_seconds()) + 1)))
            )
        return message(loc(admin_strings.CLAIM_CLOSED))
