"""What every chat command starts from: where it came from, the chat's row and language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.chat.admins import AdminRoster
from bot.chat.claim import ClaimGate
from bot.clock import utcnow
from bot.domain import ChatInfo, ChatSettings
from bot.render.i18n import ENGLISH, Locale, chat_locale, language_code, locale
from bot.store import Store


@dataclass(frozen=True, slots=True)
class ChatContext:
    """Where a command came from."""

    tg_chat_id: int
    kind: str  #: private | group | supergroup | channel
    title: str
    user_language: str | None = None  #: the sender's Telegram ``language_code``
    user_id: int | None = None  #: the sender (None: a channel post, an anonymous admin)
    thread_id: int = 0  #: the forum thread it was asked in (0: none, or General)


class CommandBase:
    """The store, the configured defaults, and the chat's row and language."""

    def __init__(
        self,
        store: Store,
        *,
        page_size: int,
        summary_length: int,
        admins: frozenset[int],
        default_language: str = ENGLISH,
        default_timezone: str = "UTC",
        config_topics: Sequence[str] = (),
        claim: ClaimGate | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._page_size = page_size
        self._summary_length = summary_length
        self.admins = AdminRoster(store, admins, claim or ClaimGate(None), clock)
        self._clock = clock
        self._default_language = default_language
        self._default_timezone = default_timezone
        self._config_topics = tuple(config_topics)  #: topics the config names, in its order

    async def is_bot_admin(self, user_id: int | None) -> bool:
        """Listed in ``telegram.admins`` or claimed the bot (``/claim``)."""
        return await self.admins.is_admin(user_id)

    async def _chat(self, ctx: ChatContext) -> ChatInfo:
        """The chat's row (created on first sight, in the user's language when private)."""
        guess = language_code(ctx.user_language) if ctx.kind == "private" else None
        return await self._store.ensure_chat(
            ctx.tg_chat_id, ctx.kind, ctx.title, self._clock(), guess, ctx.thread_id
        )

    def locale_of(self, chat: ChatInfo | None) -> Locale:
        """The chat's language: chosen in /settings, else the configured default."""
        settings = chat.settings if chat is not None else ChatSettings()
        return chat_locale(settings, self._default_language, self._default_timezone)

    def _summary_length_of(self, chat: ChatInfo) -> int:
        return chat.settings.summary_length or self._summary_length

    async def context_locale(self, ctx: ChatContext) -> Locale:
        """The language to answer ``ctx`` in, before any command has stored the chat."""
        chat = await self._store.chat(ctx.tg_chat_id, ctx.thread_id)
        chosen = self.locale_of(chat)
        if chat is not None and chat.settings.language:
            return chosen
        guess = language_code(ctx.user_language) if ctx.kind == "private" else None
        return chosen if guess is None else locale(guess).in_zone(chosen.timezone)
