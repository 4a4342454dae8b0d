"""``feedbot feeds list | import FILE | export``: the feed list from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.app.startup import open_store
from bot.chat.feedadmin import opml_document
from bot.clock import utcnow
from bot.config.schema import Config
from bot.domain import FeedSpec
from bot.text.opml import MAX_BYTES, OpmlError, read_opml


class FeedsCommandError(Exception):
    """The command cannot do what was asked; the message is one line."""


async def list_feeds(config: Config) -> int:
    """One line a feed: state, who manages it, name, URL, topics."""
    store = await open_store(config)
    try:
        feeds = await store.followed_feeds()
    finally:
        await store.close()
    if not feeds:
        print(
            "no feeds followed (feeds: in the config, /add in chat, or feedbot feeds import)",
            file=sys.stderr,
        )
    for feed in feeds:
        state = (
            "paused"
            if feed.paused
            else "failing"
            if feed.error_count
            else "new"
            if feed.last_success_at is None
            else "ok"
        )
        topics = " ".join(f"#{topic}" for topic in feed.topics)
        print("\t".join([state, feed.managed_by, feed.name, feed.url, topics]).rstrip())
    return 0


async def import_feeds(config: Config, path: str) -> int:
    data = _read(Path(path))
    try:
        read = read_opml(data)
    except OpmlError as error:
        raise FeedsCommandError(f"{path}: {error}") from None
    specs = [FeedSpec(f.url, f.title or None, f.topics) for f in read.feeds]
    store = await open_store(config)
    try:
        added, skipped = await store.import_feeds(specs, utcnow())
    finally:
        await store.close()
    for url in added:
        print(f"added\t{url}")
    for url in skipped:
        print(f"skipped\t{url}\t(followed already)")
    for line in read.invalid:
        print(f"invalid\t{line}")
    print(
        f"{len(added)} added, {len(skipped)} skipped, {len(read.invalid)} invalid", file=sys.stderr
    )
    return 0


async def export_feeds(config: Config) -> int:
    store = await open_store(config)
    try:
        feeds = await store.followed_feeds()
    finally:
        await store.close()
    sys.stdout.buffer.write(opml_document(feeds, utcnow()))
    return 0


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise FeedsCommandError(f"{path}: cannot read ({error.strerror})") from None
    if len(data) > MAX_BYTES:
        raise FeedsCommandError(f"{path}: larger than {MAX_BYTES // 1024} KiB")
    return data
