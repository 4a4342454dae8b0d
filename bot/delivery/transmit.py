"""One claimed delivery: rendered, sent under the chat's limits and the circuit, settled.

What happens to the delivery's rows depends only on the send's outcome
(:mod:`bot.delivery.port`):

    Sent          rows marked sent with the message id (right away: a crash after this
                  point repeats nothing)
    RateLimited   the chat waits ``retry_after`` (in memory and on its rows), others go on
    ChatGone      the chat is deactivated, its queue failed with the reason
    Migrated      the chat follows its new id, rows retried at once
    Rejected      retried once as plain text, then failed
    ThreadGone    the thread's pushes go to General from now on (reason on the chat), and
                  this one is sent there at once
    Transient     retried with backoff (:mod:`bot.delivery.backoff`), per chat, or for
                  everyone when the API is down (one probe at a time); never counted as an
                  attempt, so an outage of any length loses nothing

Only failures of the delivery itself (a bug while rendering or storing it) count toward
``max_attempts``; a failed row keeps its reason in ``last_error``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.delivery.backoff import Permit
from bot.delivery.holds import release_at
from bot.delivery.outlet import Outlet
from bot.delivery.port import (
    ChatGone,
    FailReason,
    Migrated,
    RateLimited,
    Rejected,
    SendResult,
    Sent,
    ThreadGone,
    Transient,
)
from bot.delivery.ratelimit import PACED_AS_GROUP
from bot.domain import ChatInfo, Delivery
from bot.render.entries import own_topics_first
from bot.render.message import Rendered
from bot.render.pages import transmission

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Postponed:
    """Not sent for a reason outside the message (network, 5xx, the API paused): retry
    at ``until`` without counting an attempt."""

    until: datetime
    reason: str


class Transmitter:
    """Sends one chat's claimed rows as one transmission and settles them by the outcome."""

    def __init__(self, outlet: Outlet, *, max_attempts: int) -> None:
        self._out = outlet
        self._max_attempts = max_attempts

    async def deliver(self, delivery: Delivery) -> None:
        """Send and settle; a failure of our own is counted (see :meth:`_retry`)."""
        try:
            await self._send(delivery)
        except asyncio.CancelledError:
            raise  # the sender releases the rows it still holds
        except Exception as error:
            log.exception("delivery to chat %s failed unexpectedly", delivery.chat.send_target)
            with contextlib.suppress(Exception):  # if storage is down, the lease runs out
                await self._retry(delivery, f"internal error: {error!r}")

    async def _send(self, delivery: Delivery) -> None:
        chat = delivery.chat
        if not delivery.entries:
            await self._out.store.mark_failed(delivery.outbox_ids, "entries no longer stored")
            self._out.observer.failed(len(delivery.outbox_ids), FailReason.ENTRY_GONE)
            return
        now = self._out.clock()
        held = release_at(
            chat.settings, self._out.timezone, min(delivery.queued_at, default=now), now
        )
        if held is not None:  # quiet hours or a digest: the rows wait in the outbox
            await self._out.store.hold(delivery.outbox_ids, held)
            log.info("chat %s: %d held until %s", chat.id, len(delivery.outbox_ids), held)
            return
        paused = self._out.backoff.resumes_at(self._out.clock())
        if paused is not None:  # the API went down after the claim: do not even try
            await self._settle(delivery, self._held(paused), None)
            return
        transmission_id = None
        if len(delivery.entries) > self._out.page_size:
            transmission_id = await self._out.store.create_transmission(
                chat.id, [e.entry_id for e in delivery.entries], self._out.clock()
            )
        message = self._render(chat, delivery, transmission_id)
        result = await self._attempt(chat, message)
        if isinstance(result, ThreadGone):
            log.warning(
                "chat %s: thread %s gone (%s); to General", chat.id, chat.thread_id, result.reason
            )
            await self._out.store.set_thread_gone(chat.id, result.reason, self._out.clock())
            chat = replace(chat, thread_gone=result.reason)
            result = await self._attempt(chat, message)
        if isinstance(result, Rejected):
            log.error(
                "chat %s rejected a transmission (%s); trying plain text",
                chat.send_target,
                result.reason,
            )
            result = await self._attempt(chat, message, plain=True)
        await self._settle(delivery, result, transmission_id)

    def _render(self, chat: ChatInfo, delivery: Delivery, transmission_id: int | None) -> Rendered:
        """The transmission as the chat's /settings shape it: language, time zone, summary
        length, sound, and the link preview of a single entry."""
        settings = chat.settings
        message = transmission(
            [own_topics_first(entry, chat.topics) for entry in delivery.entries],
            loc=self._out.locale(settings),
            page=1,
            page_size=self._out.page_size,
            summary_length=self._out.length(settings),
            transmission_id=transmission_id,
        )
        single = delivery.entries[0].link if len(delivery.entries) == 1 else None
        preview = single if settings.link_preview else None
        return replace(message, silent=not settings.sound, preview_url=preview)

    async def _attempt(
        self, chat: ChatInfo, message: Rendered, *, plain: bool = False
    ) -> SendResult | _Postponed:
        """One send, when the chat's limits and the circuit allow it; transient failures
        come back as :class:`_Postponed` with the time the chat may try again."""
        await self._out.pacer.wait_turn(chat.send_target, chat.kind in PACED_AS_GROUP)
        backoff = self._out.backoff
        permit = backoff.permit(self._out.clock())
        if permit is None:
            return self._held(backoff.held_until(self._out.clock()))
        try:
            result = await self._out.port.send(
                chat.send_target, message, plain=plain, thread=chat.send_thread
            )
        except BaseException:
            backoff.abandoned(permit)
            raise
        if not isinstance(result, Transient):
            if backoff.tripped:
                log.info("the Bot API answers again: sending resumes")
            backoff.answered(chat.id)
            return result
        was_tripped = backoff.tripped
        until = backoff.failed(chat.id, self._out.clock(), permit, result.reason)
        wait = (until - self._out.clock()).total_seconds()
        if backoff.tripped and (permit is Permit.PROBE or not was_tripped):
            log.warning(
                "the Bot API seems unreachable (%s): all sends wait %.3gs, then one tries",
                result.reason,
                wait,
            )
        else:
            log.warning(
                "chat %s: send failed (%s); retry in %.3gs", chat.send_target, result.reason, wait
            )
        return _Postponed(until, result.reason)

    def _held(self, until: datetime) -> _Postponed:
        return _Postponed(until, f"waiting for the Bot API: {self._out.backoff.last_error}")

    # ------------------------------------------------------------------ settling

    async def _settle(
        self, delivery: Delivery, result: SendResult | _Postponed, transmission_id: int | None
    ) -> None:
        log.debug(
            "chat %s: %d entries -> %s", delivery.chat.send_target, len(delivery.entries), result
        )
        match result:
            case Sent():
                await self._sent(delivery, result, transmission_id)
            case RateLimited(retry_after):
                await self._rate_limited(delivery, retry_after)
            case ChatGone(reason):
                await self._chat_gone(delivery.chat, reason)
            case Migrated(new_chat_id):
                await self._migrated(delivery, new_chat_id)
            case Rejected(reason) | ThreadGone(reason):  # General refused it too
                await self._rejected(delivery, reason)
            case _Postponed(until, reason):  # network, 5xx, or the API paused: not an attempt
                await self._out.store.mark_retry(
                    delivery.outbox_ids, until, reason, count_attempt=False
                )

    async def _sent(self, delivery: Delivery, sent: Sent, transmission_id: int | None) -> None:
        chat = delivery.chat
        await self._out.store.mark_sent(
            delivery.outbox_ids,
            self._out.clock(),
            transmission_id=transmission_id,
            message_id=sent.message_id,
            shown=delivery.entries,
        )
        if chat.tg_chat_id is None and chat.channel_ref:
            await self._out.store.resolve_channel(chat.channel_ref, sent.tg_chat_id, chat.title)
        now = self._out.clock()
        waited = [(now - queued).total_seconds() for queued in delivery.queued_at]
        self._out.observer.sent(1, len(delivery.entries), waited)

    async def _rate_limited(self, delivery: Delivery, retry_after: float) -> None:
        chat = delivery.chat
        until = self._out.clock() + timedelta(seconds=retry_after)
        self._out.pacer.limiter.block(chat.send_target, time.monotonic() + retry_after)
        await self._out.store.mark_retry(
            delivery.outbox_ids,
            until,
            f"429: retry after {retry_after:g}s",
            count_attempt=False,
        )
        await self._out.store.defer_chat(chat.id, until)
        self._out.observer.rate_limited()
        log.warning("chat %s rate-limited by Telegram for %gs", chat.send_target, retry_after)

    async def _chat_gone(self, chat: ChatInfo, reason: str) -> None:
        failed = await self._out.store.deactivate_chat(chat, reason, self._out.clock())
        self._out.observer.chat_gone()
        self._out.observer.failed(failed, FailReason.CHAT_GONE)
        log.info(
            "chat %s deactivated: %s (%d deliveries kept as failed)",
            chat.send_target,
            reason,
            failed,
        )

    async def _migrated(self, delivery: Delivery, new_chat_id: int) -> None:
        chat = delivery.chat
        now = self._out.clock()
        assert chat.tg_chat_id is not None
        await self._out.store.migrate_chat(chat.tg_chat_id, new_chat_id, now)
        await self._out.store.mark_retry(
            delivery.outbox_ids, now, "group migrated to supergroup", count_attempt=False
        )
        log.info("chat %s migrated to %s", chat.tg_chat_id, new_chat_id)

    async def _rejected(self, delivery: Delivery, reason: str) -> None:
        await self._out.store.mark_failed(delivery.outbox_ids, f"rejected by Telegram: {reason}")
        self._out.observer.failed(len(delivery.outbox_ids), FailReason.REJECTED)
        log.error(
            "chat %s: transmission rejected even as plain text: %s",
            delivery.chat.send_target,
            reason,
        )

    async def _retry(self, delivery: Delivery, reason: str) -> None:
        """The delivery itself failed (a bug, not the network): counted, at most
        ``max_attempts`` times, then failed with the reason."""
        attempts = delivery.attempts + 1
        if attempts >= self._max_attempts:
            await self._out.store.mark_failed(
                delivery.outbox_ids, f"gave up after {attempts} attempts: {reason}"
            )
            self._out.observer.failed(len(delivery.outbox_ids), FailReason.ATTEMPTS)
            log.error(
                "chat %s: giving up after %d attempts: %s",
                delivery.chat.send_target,
                attempts,
                reason,
            )
            return
        delay = self._out.backoff.delay(attempts)
        await self._out.store.mark_retry(delivery.outbox_ids, self._out.clock() + delay, reason)
        log.warning(
            "chat %s: send failed (%s); retry in %s", delivery.chat.send_target, reason, delay
        )
