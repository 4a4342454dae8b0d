"""What sending a transmission and editing one share (:mod:`bot.delivery.transmit`,
:mod:`bot.delivery.edits`): their collaborators, and the defaults a chat's settings fall
back to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.delivery.backoff import Backoff
from bot.delivery.port import MessagePort, SenderObserver
from bot.delivery.ratelimit import Pacer
from bot.domain import ChatSettings
from bot.render.i18n import ENGLISH, Locale, chat_locale
from bot.store import Store


@dataclass(frozen=True, slots=True)
class Outlet:
    store: Store  #: settles the rows
    port: MessagePort  #: the Bot API
    pacer: Pacer  #: each chat's turn
    backoff: Backoff  #: the API's circuit
    observer: SenderObserver
    clock: Callable[[], datetime]
    page_size: int
    summary_length: int  #: until a chat chooses its own
    language: str = ENGLISH  #: until a chat chooses its own
    timezone: str = "UTC"  #: until a chat chooses its own

    def locale(self, settings: ChatSettings) -> Locale:
        """The chat's language and time zone, or the defaults."""
        return chat_locale(settings, self.language, self.timezone)

    def length(self, settings: ChatSettings) -> int:
        """The chat's summary length, or the default."""
        return settings.summary_length or self.summary_length
