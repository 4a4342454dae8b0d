"""``feedbot preview``: fetch feeds once and print LATEST UPDATES page 1 as a chat shows it.

No token and no database: sources are fetched (URLs) or read (files), parsed, tagged with
the config's topic rules and rendered with the very functions the bot uses, then turned into
plain text (tags dropped, entities decoded) followed by the button row.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from bot.app.settings import parser, proxy_routes
from bot.config.schema import Config
from bot.domain import (
    EntryView,
    FetchStatus,
    NotAFeedError,
    ParsedFeed,
    ParseRefusedError,
    sort_time,
)
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.topics import compile_rules, entry_topics
from bot.ingest.workers import Parser
from bot.render.i18n import locale
from bot.render.keyboards import Paging
from bot.render.pages import latest
from bot.render.plain import as_plain

#: preview reads local files too; the same cap as for fetched bodies applies
_MAX_FILE_BYTES = 50 * 1024 * 1024


class PreviewError(Exception):
    """One source could not be previewed; the message is one line naming the source."""


@dataclass(frozen=True, slots=True)
class Source:
    ref: str  #: as given on the command line or in the config
    name: str | None = None  #: the config's name for the feed
    topics: tuple[str, ...] = ()


def sources_from(config: Config, refs: Sequence[str]) -> list[Source]:
    """The given URLs/files, else the configured feeds (with their names and topics)."""
    configured = {feed.url: feed for feed in config.feeds}
    if not refs:
        return [Source(f.url, f.name, f.topics) for f in config.feeds]
    sources = []
    for ref in refs:
        feed = configured.get(ref)
        sources.append(Source(ref, feed.name, feed.topics) if feed else Source(ref))
    return sources


async def load(source: Source, fetcher: Fetcher, parse: Parser) -> ParsedFeed:
    """Fetch or read one source and parse it; :class:`PreviewError` when it is not a feed."""
    try:
        scheme = urlsplit(source.ref).scheme
    except ValueError as error:  # e.g. an unbalanced IPv6 bracket: "http://[::1"
        raise PreviewError(f"{source.ref}: not a valid URL ({error})") from None
    if scheme in ("http", "https"):
        result = await fetcher.fetch(source.ref)
        if result.status is not FetchStatus.OK or result.body is None:
            raise PreviewError(f"{source.ref}: {result.error or 'no document'}")
        body, headers, base = result.body, result.headers, result.final_url or source.ref
    else:
        body, headers, base = await asyncio.to_thread(_read_local, source.ref)
    try:
        return await parse.parse(body, headers, base)
    except (NotAFeedError, ParseRefusedError) as error:
        raise PreviewError(f"{source.ref}: {error}") from None


def _read_local(ref: str) -> tuple[bytes, dict[str, str], str]:
    """A feed document on disk: (body, headers as a server would send them, base URI)."""
    path = Path(ref)
    if not path.is_file():
        raise PreviewError(f"{ref}: no such file, and not an http(s) URL")
    try:
        with path.open("rb") as handle:
            body = handle.read(_MAX_FILE_BYTES + 1)
    except OSError as error:
        raise PreviewError(f"{ref}: cannot read ({error.strerror})") from None
    if len(body) > _MAX_FILE_BYTES:
        raise PreviewError(f"{ref}: larger than {_MAX_FILE_BYTES // (1024 * 1024)} MiB")
    kind = mimetypes.guess_type(path.name)[0]
    headers = {"content-type": kind} if kind == "application/json" else {}
    return body, headers, path.resolve().as_uri()


def entry_views(
    config: Config, loaded: Sequence[tuple[Source, ParsedFeed]], now: datetime
) -> list[EntryView]:
    """Every entry of every source, newest first, as the renderer takes them."""
    rules = compile_rules({name: rule.keywords for name, rule in config.topics.items()})
    ranked: list[tuple[datetime, int, EntryView]] = []
    for source, feed in loaded:
        feed_name = source.name or feed.title or urlsplit(source.ref).netloc or source.ref
        for position, entry in enumerate(feed.entries):
            topics = entry_topics(entry.categories, entry.title, entry.text, source.topics, rules)
            view = EntryView(
                entry_id=0,
                title=entry.title,
                link=entry.link,
                published=entry.published,
                text=entry.text,
                topics=topics,
                feed_name=feed_name,
            )
            ranked.append((sort_time(entry.published, position, now), len(ranked), view))
    ranked.sort(key=lambda item: (item[0], -item[1]), reverse=True)
    return [view for _, _, view in ranked]


def first_page(config: Config, views: Sequence[EntryView]) -> str:
    """Page 1 of LATEST UPDATES as plain text, button row included."""
    size = config.delivery.page_size
    pages = max(-(-len(views) // size), 1)
    paging = Paging(number=1, known_pages=pages, has_more=False)
    rendered = latest(
        views[:size],
        paging,
        loc=locale(config.telegram.language).in_zone(config.telegram.timezone),
        summary_length=config.delivery.summary_length,
        topic_label=None,
        topic_id=None,
    )
    return as_plain(rendered)


async def run_preview(
    config: Config, refs: Sequence[str], now: datetime
) -> tuple[str | None, list[str]]:
    """(the page, or None when no source worked; one error line per failed source)."""
    sources = sources_from(config, refs)
    loaded: list[tuple[Source, ParsedFeed]] = []
    errors: list[str] = []
    parse = parser(config)
    try:
        async with Fetcher(
            FetchLimits.from_config(config.polling), routes=proxy_routes(config)
        ) as fetcher:
            for source in sources:
                try:
                    loaded.append((source, await load(source, fetcher, parse)))
                except PreviewError as error:
                    errors.append(str(error))
    finally:
        await parse.aclose()
    if not loaded:
        return None, errors
    return first_page(config, entry_views(config, loaded, now)), errors
