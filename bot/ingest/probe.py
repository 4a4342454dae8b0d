"""What /add finds at a URL: a feed with its newest entries, a page's feeds, or a problem."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from bot.domain import (
    EntryView,
    FeedProbe,
    FetchStatus,
    NotAFeedError,
    ParsedFeed,
    ParseRefusedError,
    ProbeProblem,
    sort_time,
)
from bot.ingest.charset import decode_body
from bot.ingest.decompress import BodyError, gunzip_if_needed
from bot.ingest.fetch import Fetcher
from bot.ingest.topics import TopicRules, entry_topics
from bot.ingest.workers import Parser
from bot.text.discover import feed_links, looks_like_html

PREVIEW_ENTRIES = 20  #: entries kept from a probed feed (a preview shows page 1)


class Prober:
    """Fetches through the poller's :class:`Fetcher` and parses with its :class:`Parser`
    (the same size, time, memory and host limits)."""

    def __init__(self, fetcher: Fetcher, parser: Parser, rules: TopicRules) -> None:
        self._fetcher = fetcher
        self._parser = parser
        self._rules = rules

    async def probe(self, url: str, topics: Sequence[str], now: datetime) -> FeedProbe:
        result = await self._fetcher.fetch(url)
        if result.status is not FetchStatus.OK or result.body is None:
            detail = result.error or "no document"
            return FeedProbe(url, problem=ProbeProblem.UNREACHABLE, detail=detail)
        base = result.final_url or url
        try:
            parsed = await self._parser.parse(result.body, result.headers, base)
        except ParseRefusedError as error:
            return FeedProbe(url, problem=ProbeProblem.NOT_A_FEED, detail=str(error))
        except NotAFeedError as error:
            return await self._page(url, base, result.body, result.headers, str(error))
        return FeedProbe(url, title=parsed.title, entries=self._views(url, parsed, topics, now))

    async def _page(
        self, url: str, base: str, body: bytes, headers: Mapping[str, str], reason: str
    ) -> FeedProbe:
        try:
            unpacked = gunzip_if_needed(body, self._fetcher.limits.max_bytes)
        except BodyError as error:
            return FeedProbe(url, problem=ProbeProblem.NOT_A_FEED, detail=str(error))
        text = decode_body(unpacked, headers.get("content-type", ""))
        if not looks_like_html(text):
            return FeedProbe(url, problem=ProbeProblem.NOT_A_FEED, detail=reason)
        candidates = await asyncio.to_thread(feed_links, text, base)
        if not candidates:
            return FeedProbe(url, problem=ProbeProblem.NO_FEEDS_ON_PAGE)
        return FeedProbe(url, candidates=tuple(candidates))

    def _views(
        self, url: str, parsed: ParsedFeed, topics: Sequence[str], now: datetime
    ) -> tuple[EntryView, ...]:
        name = parsed.title or urlsplit(url).netloc or url
        ranked: list[tuple[datetime, int, EntryView]] = []
        for position, entry in enumerate(parsed.entries):
            view = EntryView(
                entry_id=0,
                title=entry.title,
                link=entry.link,
                published=entry.published,
                text=entry.text,
                topics=entry_topics(
                    entry.categories, entry.title, entry.text, tuple(topics), self._rules
                ),
                feed_name=name,
            )
            ranked.append((sort_time(entry.published, position, now), -position, view))
        ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return tuple(view for _, _, view in ranked[:PREVIEW_ENTRIES])
