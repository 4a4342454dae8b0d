"""One claimed edit: the message rendered again from storage, edited in place, settled.

Edits go under the same limits as sends (the chat's turn from the pacer, behind replies to
people like a push; the circuit of :mod:`bot.delivery.backoff`), and their outcomes are
settled like a send's:

    Sent          done ("message is not modified" included); counted in feedbot_edits_total
    RateLimited   the chat waits ``retry_after``, the edit with it
    ChatGone      the chat is deactivated (its queue failed), the edit failed
    Migrated      retried at once under the chat's new id
    Rejected      the message is gone or cannot be edited any more: failed, with the reason
                  (counted as ``FailReason.EDIT_REFUSED``)
    Transient     retried with backoff, never given up for it before the message is too old
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime, timedelta

from bot.delivery.outlet import Outlet
from bot.delivery.port import (
    ChatGone,
    FailReason,
    Migrated,
    RateLimited,
    Rejected,
    SendResult,
    Sent,
    Transient,
)
from bot.delivery.ratelimit import PACED_AS_GROUP
from bot.domain import EditJob
from bot.render.entries import own_topics_first
from bot.render.message import Rendered
from bot.render.pages import single_push, transmission

log = logging.getLogger(__name__)

#: 400 descriptions that say the message itself is out of reach (no plain-text retry)
_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


class Editor:
    """Edits one message in place and settles its edit row by the outcome."""

    def __init__(self, outlet: Outlet) -> None:
        self._out = outlet

    def render(self, job: EditJob) -> Rendered:
        """The message as it would be sent now, on the page of the first changed entry, in
        the chat's language, time zone and summary length (as :mod:`bot.delivery.transmit`
        sends it)."""
        chat = job.chat
        settings = chat.settings
        loc = self._out.locale(settings)
        summary_length = self._out.length(settings)
        entries = [own_topics_first(entry, chat.topics) for entry in job.entries]
        if len(entries) == 1:  # a single push keeps its buttons as the chat left them
            entry = entries[0]
            fewer = bool(entry.topics) and not chat.topic_choice.takes(entry.topics[0])
            message = single_push(
                entry, loc=loc, summary_length=summary_length, muted=job.muted, fewer=fewer
            )
            preview = entry.link if settings.link_preview else None
            return replace(message, preview_url=preview)
        paged = job.transmission_id is not None
        return transmission(
            entries,
            loc=loc,
            page=job.position // self._out.page_size + 1 if paged else 1,
            page_size=self._out.page_size if paged else max(len(entries), 1),
            summary_length=summary_length,
            transmission_id=job.transmission_id,
        )

    async def edit(self, job: EditJob) -> None:
        """Edit and settle; a failure of our own retries the edit later."""
        try:
            await self._edit(job)
        except Exception as error:
            log.exception("editing message %s in chat %s failed", job.message_id, job.chat.id)
            later = self._out.clock() + self._out.backoff.delay(1)
            await self._out.store.mark_edit_retry(job.edit_id, later, f"internal error: {error!r}")

    async def _edit(self, job: EditJob) -> None:
        if not job.entries:
            await self._out.store.mark_edit_failed(job.edit_id, "entries no longer stored")
            return
        message = self.render(job)
        result = await self._attempt(job, message)
        if isinstance(result, Rejected) and not _message_gone(result.reason):
            result = await self._attempt(job, message, plain=True)
        await self._settle(job, result)

    async def _attempt(
        self, job: EditJob, message: Rendered, *, plain: bool = False
    ) -> SendResult | datetime:
        """One edit when the limits allow it; a time: not done (network, 5xx, the API
        paused), try again then."""
        chat = job.chat
        await self._out.pacer.wait_turn(chat.send_target, chat.kind in PACED_AS_GROUP)
        permit = self._out.backoff.permit(self._out.clock())
        if permit is None:
            return self._out.backoff.held_until(self._out.clock())
        try:
            result = await self._out.port.edit(
                chat.send_target, job.message_id, message, plain=plain
            )
        except BaseException:
            self._out.backoff.abandoned(permit)
            raise
        if isinstance(result, Transient):
            log.warning("chat %s: edit failed (%s)", chat.id, result.reason)
            return self._out.backoff.failed(chat.id, self._out.clock(), permit, result.reason)
        self._out.backoff.answered(chat.id)
        return result

    async def _settle(self, job: EditJob, result: SendResult | datetime) -> None:
        now = self._out.clock()
        match result:
            case Sent():
                await self._out.store.mark_edit_done(job.edit_id, job.queued_at, now)
                self._out.observer.edited()
            case RateLimited(retry_after):
                self._out.pacer.limiter.block(job.chat.send_target, time.monotonic() + retry_after)
                until = now + timedelta(seconds=retry_after)
                await self._out.store.mark_edit_retry(
                    job.edit_id, until, f"429: retry after {retry_after:g}s"
                )
                self._out.observer.rate_limited()
            case ChatGone(reason):
                await self._out.store.mark_edit_failed(job.edit_id, reason)
                failed = await self._out.store.deactivate_chat(job.chat, reason, now)
                self._out.observer.chat_gone()
                self._out.observer.failed(failed, FailReason.CHAT_GONE)
            case Migrated(new_chat_id):
                assert job.chat.tg_chat_id is not None
                await self._out.store.migrate_chat(job.chat.tg_chat_id, new_chat_id, now)
                await self._out.store.mark_edit_retry(
                    job.edit_id, now, "group migrated to supergroup"
                )
            case Rejected(reason):
                await self._out.store.mark_edit_failed(
                    job.edit_id, f"rejected by Telegram: {reason}"
                )
                self._out.observer.failed(1, FailReason.EDIT_REFUSED)
                log.info("chat %s: message %s not edited: %s", job.chat.id, job.message_id, reason)
            case datetime():
                reason = f"waiting for the Bot API: {self._out.backoff.last_error}"
                await self._out.store.mark_edit_retry(job.edit_id, result, reason)


def _message_gone(reason: str) -> bool:
    return any(marker in reason.lower() for marker in _GONE)
