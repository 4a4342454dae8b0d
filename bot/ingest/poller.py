"""One poll cycle: due feeds -> fetch -> parse -> diff -> store and enqueue, per feed.

:meth:`Poller.poll_feed` is the only place that joins fetcher, parser, decider and storage.
A feed's failure is recorded on its row and never stops or slows the others: each feed is
its own task, and even an unexpected bug while handling one feed becomes that feed's error.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.domain import (
    CacheValidators,
    EntryWrite,
    FeedDiff,
    FeedForUpdate,
    FeedSchedule,
    FetchResult,
    FetchStatus,
    NotAFeedError,
    ParsedEntry,
    ParsedFeed,
    ParseRefusedError,
    PollOutcome,
    PollRecord,
)
from bot.ingest.diff import diff_feed
from bot.ingest.fetch import Fetcher
from bot.ingest.schedule import SchedulePolicy, after_failure, after_success
from bot.ingest.topics import TopicRules, entry_topics
from bot.ingest.workers import Parser
from bot.render.durations import short_span
from bot.store import Store

log = logging.getLogger(__name__)

#: How long a claimed feed stays reserved for the poll that claimed it.
CLAIM_LEASE = timedelta(minutes=10)
#: Feeds due this soon after a cycle's start still join it: feeds of one interval polled
#: together fall due milliseconds apart, and should stay in one cycle (one transmission
#: per chat) instead of drifting into cycles of their own.
JOIN_WITHIN = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class PollSettings:
    """The parts of the config a poll needs, resolved per feed URL."""

    default_policy: SchedulePolicy
    policies: Mapping[str, SchedulePolicy] = field(default_factory=dict)  #: per-URL overrides
    feed_topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: TopicRules = field(default_factory=TopicRules)
    backfill: int = 0  #: entries queued from a feed's first fetch
    #: a story that reached a chat within this span is not queued for it again (None: off)
    dedup_window: timedelta | None = timedelta(days=7)
    batch: int = 100  #: feeds claimed at a time

    def policy(self, url: str) -> SchedulePolicy:
        return self.policies.get(url, self.default_policy)


class FeedOutcome(enum.StrEnum):
    """What one poll of one feed came to (the value is the label of the polls metric)."""

    NEW = "new"  #: the body was parsed and diffed (its ``new`` count may be 0)
    NOT_MODIFIED = "not_modified"  #: 304
    UNCHANGED = "unchanged"  #: the same body as last time: not parsed again
    ERROR = "error"  #: the fetch or the parse failed, or the result could not be stored


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one poll of one feed came to: the line ``poll --once`` prints."""

    url: str
    name: str
    outcome: FeedOutcome
    entries: int = 0  #: in the document (when parsed)
    new: int = 0
    queued: int = 0  #: outbox rows (one per chat and entry)
    chats: int = 0  #: chats the new entries were queued for
    error: str | None = None
    #: ERROR only: the kind of failure (:attr:`bot.domain.FetchResult.reason`, or
    #: not_a_feed, store, internal), the label of the failures metric
    reason: str | None = None
    next_check_at: datetime | None = None

    def line(self, now: datetime) -> str:
        wait = (
            short_span(max(int((self.next_check_at - now).total_seconds()), 0))
            if self.next_check_at
            else "?"
        )
        if self.outcome is FeedOutcome.ERROR:
            return f"ERROR  {self.name}: {self.error} (retry in {wait})"
        if self.outcome is FeedOutcome.NOT_MODIFIED:
            return f"OK     {self.name}: not modified (304); next check in {wait}"
        if self.outcome is FeedOutcome.UNCHANGED:
            return f"OK     {self.name}: same document as last time; next check in {wait}"
        return (
            f"OK     {self.name}: {self.entries} entries, {self.new} new"
            f"{_queued_for(self.chats)}; next check in {wait}"
        )


def _first_line(error: BaseException) -> str:
    """A short description for the feed's row (a database error's text includes its SQL)."""
    lines = str(error).strip().splitlines()
    detail = lines[0][:300] if lines else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _queued_for(chats: int) -> str:
    if not chats:
        return ""
    return f", queued for {chats} chat{'' if chats == 1 else 's'}"


class Poller:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        parser: Parser,
        settings: PollSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        draw: Callable[[], float] = random.random,
        on_queued: Callable[[int], None] | None = None,
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._owner = owner  #: the process id its feed claims carry (bot.store.processes)
        self._fetcher = fetcher
        self._parser = parser
        self._settings = settings
        self._clock = clock
        self._draw = draw
        self._on_queued = on_queued
        self._writer = _CommitBatcher(store)

    async def poll_due(self) -> list[FeedReport]:
        """Poll every feed that was due when the cycle started (or within
        :data:`JOIN_WITHIN` of it), then return.

        At most ``batch`` feeds are claimed and in progress at a time; more are claimed as
        soon as half of them are done, so one slow feed never holds up the next batch. Feeds
        that fall due while the cycle runs (a short interval, a retry after an error) are
        left to the next cycle: a long cycle ends, and feeds due later cannot jump ahead of
        those already waiting.
        """
        due_by = self._clock() + JOIN_WITHIN
        reports: list[FeedReport] = []
        running: set[asyncio.Task[FeedReport]] = set()
        batch = self._settings.batch
        more = True  # the last claim may have left feeds that are due
        try:
            while True:
                if (more and len(running) <= batch // 2) or not running:
                    due = await self._store.claim_due_feeds(
                        self._clock(), batch - len(running), CLAIM_LEASE, self._owner, due_by
                    )
                    more = len(due) == batch - len(running)
                    running.update(asyncio.create_task(self.poll_feed(f)) for f in due)
                    if not running:
                        return reports
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                reports.extend(task.result() for task in done)
        finally:
            for task in running:  # cancelled (shutdown): the polls in progress stop too
                task.cancel()
            if running:
                await asyncio.wait(running)

    async def poll_feed(self, feed: FeedForUpdate) -> FeedReport:
        """Fetch, parse, diff and store one feed; never raises (errors become the report)."""
        try:
            record, report = await self._check(feed)
        except Exception as error:  # a bug must cost one feed one cycle, not the whole run
            log.exception("poll of %s failed unexpectedly", feed.url)
            record, report = self._failure(
                feed, self._clock(), f"internal error: {error!r}", reason="internal"
            )
        try:
            stored = await self._writer.write(record)
        except Exception as error:  # the database refused this record: this feed's error
            log.exception("storing the poll of %s failed", feed.url)
            problem = f"could not store the result: {_first_line(error)}"
            record, report = self._failure(feed, record.checked_at, problem, reason="store")
            try:
                stored = await self._writer.write(record)
            except Exception:  # the database itself fails: retried when the claim lapses
                log.exception("storing the error of %s failed too", feed.url)
                return report
        if stored.queued and self._on_queued is not None:
            self._on_queued(stored.queued)
        if report.outcome is FeedOutcome.NEW:
            report = replace(
                report, new=stored.new_entries, queued=stored.queued, chats=stored.chats
            )
        log.debug("polled %s", report.line(self._clock()))
        return report

    async def _check(self, feed: FeedForUpdate) -> tuple[PollRecord, FeedReport]:
        now = self._clock()
        result = await self._fetcher.fetch(feed.url, feed.validators)
        if result.status is FetchStatus.ERROR:
            reason = result.reason or "network"
            return self._failure(feed, now, result.error or "fetch failed", result, reason=reason)
        if result.status is FetchStatus.NOT_MODIFIED:
            return self._unchanged(feed, now, result, FeedOutcome.NOT_MODIFIED)
        body = result.body or b""
        body_hash = hashlib.sha256(body).hexdigest()
        if body_hash == feed.body_hash and not feed.first_fetch:
            return self._unchanged(feed, now, result, FeedOutcome.UNCHANGED)
        try:
            parsed = await self._parser.parse(body, result.headers, result.final_url or feed.url)
        except NotAFeedError as error:
            return self._failure(feed, now, str(error), result, reason="not_a_feed")
        except ParseRefusedError as error:
            return self._failure(feed, now, str(error), result, reason="parse_refused")
        known = await self._known(feed, parsed.entries)
        diff = diff_feed(
            parsed.entries, known, first_fetch=feed.first_fetch, backfill=self._settings.backfill
        )
        schedule = self._after_success(feed, now, result)
        return self._settled(
            feed, now, schedule, FeedOutcome.NEW, result, body_hash=body_hash, parsed=(parsed, diff)
        )

    async def _known(self, feed: FeedForUpdate, entries: Sequence[ParsedEntry]) -> dict[str, str]:
        """Stored key -> content hash for the entries' keys, and for the aliases of those
        whose key is not stored (a second query, needed only for new-looking entries).
        A first fetch has none: entries are only stored by a successful poll."""
        if feed.first_fetch:
            return {}
        known = await self._store.known_entries(feed.id, [e.key for e in entries])
        aliases = [a for e in entries if e.key not in known for a in e.aliases]
        if aliases:
            known.update(await self._store.known_entries(feed.id, aliases))
        return known

    def _write(self, feed: FeedForUpdate, entry: ParsedEntry) -> EntryWrite:
        topics = entry_topics(
            entry.categories,
            entry.title,
            entry.text,
            self._settings.feed_topics.get(feed.url, ()) or feed.topics,
            self._settings.rules,
        )
        return EntryWrite(entry=entry, topics=topics)

    def _after_success(
        self, feed: FeedForUpdate, now: datetime, result: FetchResult
    ) -> FeedSchedule:
        policy = self._settings.policy(feed.url)
        return after_success(policy, now=now, draw=self._draw(), max_age=result.max_age)

    def _unchanged(
        self, feed: FeedForUpdate, now: datetime, result: FetchResult, outcome: FeedOutcome
    ) -> tuple[PollRecord, FeedReport]:
        schedule = self._after_success(feed, now, result)
        return self._settled(feed, now, schedule, outcome, result, body_hash=feed.body_hash)

    def _failure(
        self,
        feed: FeedForUpdate,
        now: datetime,
        error: str,
        result: FetchResult | None = None,
        *,
        reason: str,
    ) -> tuple[PollRecord, FeedReport]:
        schedule = after_failure(
            self._settings.policy(feed.url),
            now=now,
            draw=self._draw(),
            previous_errors=feed.error_count,
            retry_after=result.retry_after if result else None,
        )
        log.info("feed %s failed (%d in a row): %s", feed.url, schedule.error_count, error)
        settled = self._settled(feed, now, schedule, FeedOutcome.ERROR, result, error=error)
        return settled[0], replace(settled[1], reason=reason)

    def _settled(
        self,
        feed: FeedForUpdate,
        now: datetime,
        schedule: FeedSchedule,
        outcome: FeedOutcome,
        result: FetchResult | None,
        *,
        body_hash: str | None = None,
        error: str | None = None,
        parsed: tuple[ParsedFeed, FeedDiff] | None = None,
    ) -> tuple[PollRecord, FeedReport]:
        """The one place a poll's record and report are made.

        An error keeps only the HTTP status: no validators, so the next fetch is not
        conditional and cannot hide the problem behind a 304. A success keeps what the
        response said, and the document and its diff when the body was parsed.
        """
        answered = result if error is None else None
        document, diff = parsed if parsed is not None else (None, None)
        record = PollRecord(
            feed_id=feed.id,
            checked_at=now,
            schedule=schedule,
            status=answered.status if answered else FetchStatus.ERROR,
            http_status=result.http_status if result else None,
            final_url=answered.final_url if answered else None,
            validators=answered.validators if answered else CacheValidators(),
            body_hash=body_hash,
            error=error,
            feed_title=document.title if document else None,
            site_link=document.link if document else None,
            entry_count=len(document.entries) if document else None,
            new=tuple(self._write(feed, e) for e in diff.new) if diff else (),
            updated=tuple(self._write(feed, e) for e in diff.updated) if diff else (),
            seen=diff.seen if diff else (),
            notify=diff.notify if diff else (),
            dedup_since=now - window if (window := self._settings.dedup_window) else None,
        )
        report = FeedReport(
            url=feed.url,
            name=feed.name or (document.title if document else feed.title) or feed.url,
            outcome=outcome,
            entries=len(document.entries) if document else 0,
            error=error,
            next_check_at=schedule.next_check_at,
        )
        return record, report


class _CommitBatcher:
    """Writes poll records with as few transactions as possible (group commit).

    While one transaction is being written, records that arrive wait and then go together
    in the next one. Each record stays all or nothing: if a shared transaction fails, its
    records are written again one by one, so a bad record fails only its own feed.
    """

    MAX_RECORDS = 200  #: per transaction

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[PollRecord, asyncio.Future[PollOutcome]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, record: PollRecord) -> PollOutcome:
        future: asyncio.Future[PollOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((record, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="poll-writer")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.MAX_RECORDS]
            del self._waiting[: self.MAX_RECORDS]
            try:
                outcomes = await self._store.record_polls([record for record, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    await self._one_by_one(batch)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                _settle(future, outcome)

    async def _one_by_one(
        self, batch: list[tuple[PollRecord, asyncio.Future[PollOutcome]]]
    ) -> None:
        for record, future in batch:
            try:
                _settle(future, await self._store.record_poll(record))
            except Exception as error:
                _settle(future, error=error)


def _settle(
    future: asyncio.Future[PollOutcome],
    outcome: PollOutcome | None = None,
    *,
    error: BaseException | None = None,
) -> None:
    if future.done():  # the poll waiting for it was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert outcome is not None
        future.set_result(outcome)
