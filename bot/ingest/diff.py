"""Decide what a fresh parse means for storage and readers. Pure: no I/O, no clock.

Rules (each pinned by a row in tests/test_diff.py):
- a key never seen is **new**; a key seen with another content hash is **updated** (stored,
  never pushed again); a key seen with the same hash is **seen** (its last-seen time moves);
- storage keeps keys long after entries drop out of a feed, so an entry that leaves and comes
  back is *seen* or *updated*, never new;
- on a feed's first successful fetch everything is stored but only the ``backfill`` newest
  entries are queued for delivery (0 = store silently); later fetches queue every new entry;
- an entry stored under one of its aliases keeps that row (:func:`settle_keys`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain import FeedDiff, ParsedEntry

_OLDEST = datetime.min.replace(tzinfo=UTC)


def diff_feed(
    entries: Sequence[ParsedEntry],
    known: Mapping[str, str],
    *,
    first_fetch: bool,
    backfill: int = 0,
) -> FeedDiff:
    """Split ``entries`` by what storage knows (``known``: key -> content hash, for the
    entries' keys and aliases)."""
    entries = settle_keys(entries, known)
    new: list[ParsedEntry] = []
    updated: list[ParsedEntry] = []
    seen: list[str] = []
    for entry in entries:
        stored_hash = known.get(entry.key)
        if stored_hash is None:
            new.append(entry)
        elif stored_hash != entry.content_hash:
            updated.append(entry)
        else:
            seen.append(entry.key)
    if first_fetch:
        notify = tuple(e.key for e in newest(new, backfill))
    else:
        notify = tuple(e.key for e in new)
    return FeedDiff(new=tuple(new), updated=tuple(updated), seen=tuple(seen), notify=notify)


def settle_keys(entries: Sequence[ParsedEntry], known: Mapping[str, str]) -> list[ParsedEntry]:
    """Each entry under the key storage has it under, when that is one of its aliases.

    An entry's key changes form when another entry of the feed starts or stops sharing its
    guid (see ``bot.ingest.identity``). An alias that no other entry of the document has is
    the entry's own; one that several have (the shared guid) goes only to the entry whose
    content is the stored one, so a new article never takes an older one's row.
    """
    holders = Counter(key for entry in entries for key in {entry.key, *entry.aliases})
    taken = {entry.key for entry in entries}
    settled = []
    for entry in entries:
        if entry.key not in known:
            for alias in entry.aliases:
                ours = holders[alias] == 1 or known.get(alias) == entry.content_hash
                if alias in known and alias not in taken and ours:
                    taken.add(alias)
                    entry = replace(entry, key=alias)
                    break
        settled.append(entry)
    return settled


def newest(entries: Sequence[ParsedEntry], count: int) -> list[ParsedEntry]:
    """The ``count`` newest entries, in document order.

    Entries with a date sort by it; undated ones keep their place in the document, which
    feeds conventionally write newest first. Python's sort is stable, so ties keep document
    order too.
    """
    if count <= 0:
        return []
    ranked = sorted(
        range(len(entries)),
        key=lambda i: (entries[i].published or _OLDEST, -i),
        reverse=True,
    )
    chosen = sorted(ranked[:count])
    return [entries[i] for i in chosen]
