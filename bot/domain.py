"""Value types shared across layers.

Small frozen dataclasses, each named for the boundary it crosses. Nothing here imports
from ``bot.*`` or from any third-party library, so every layer may depend on this module.

Invariants that hold for every type below:
- datetimes are timezone-aware and in UTC;
- text fields are plain text (no markup) unless the field name says ``html``;
- topics are normalised with :func:`normalise_topic` (NFKC, casefolded, inner whitespace
  collapsed), so comparing them is a plain string comparison.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: Longest topic name we keep; longer category strings are cut (they are labels, not prose).
MAX_TOPIC_CHARS = 48

_SPACES = re.compile(r"\s+")


def normalise_topic(raw: str) -> str:
    """Return the canonical form of a topic name ('' when nothing is left).

    Case-insensitive for every script (``casefold`` handles ß, Σ, ...), NFKC so that
    full-width Latin letters in CJK feeds match their ASCII forms, a leading ``#`` dropped
    so that ``/subscribe #ml`` works.
    """
    text = unicodedata.normalize("NFKC", raw).casefold().strip().lstrip("#").strip()
    return _SPACES.sub(" ", text)[:MAX_TOPIC_CHARS].strip()


# --------------------------------------------------------------------------- fetching


class FetchStatus(enum.Enum):
    """What one HTTP fetch of a feed came to."""

    OK = "ok"  #: a 2xx with a body (possibly identical to the last one)
    NOT_MODIFIED = "not_modified"  #: a 304: nothing to parse, not an error
    ERROR = "error"  #: network failure, timeout, HTTP error, size cap, redirect loop ...


@dataclass(frozen=True, slots=True)
class CacheValidators:
    """What we remember from the last good response to make the next GET conditional."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Outcome of one conditional GET. Failures are data, never exceptions."""

    url: str  #: the URL that was requested
    status: FetchStatus
    final_url: str | None = None  #: after redirects (None on errors before a response)
    http_status: int | None = None
    body: bytes | None = None  #: decompressed body, only for OK
    #: response headers, names lower-cased (feedparser wants content-type, content-location)
    headers: Mapping[str, str] = field(default_factory=dict)
    validators: CacheValidators = CacheValidators()  #: from this response (304: carried over)
    retry_after: timedelta | None = None  #: from Retry-After (429/503), relative to the fetch
    max_age: timedelta | None = None  #: from Cache-Control max-age
    error: str | None = None  #: one line for the feed's row when status is ERROR
    #: ERROR only: True when retrying soon may help (timeouts, 5xx, 429, connection errors),
    #: False for permanent-looking failures (404, 410, not a feed, too large)
    transient: bool = True


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry of a parsed document, already reduced to what we store and show."""

    key: str  #: stable identity within the feed: guid/id, else normalised link, else hash
    title: str  #: plain text, may be '' when the entry has none
    link: str | None  #: absolute URL of the entry, when it has one
    published: datetime | None  #: published, else updated; None when absent or unparsable
    text: str  #: body as plain text: markup removed, placeholders for code/formulas
    categories: tuple[str, ...]  #: normalised topics from the entry's own categories/tags
    content_hash: str  #: hash of what readers see (title, link, text) to notice edits


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A document that parsed as a feed. Entries in document order, ids deduplicated."""

    title: str  #: the feed's own title, plain text, '' when absent
    link: str | None  #: the site's home page
    entries: tuple[ParsedEntry, ...]


class NotAFeedError(Exception):
    """The document could not be read as a feed (HTML page, empty body, garbage ...).

    ``str(error)`` is one line suitable for the feed's row and for ``preview``.
    """


# --------------------------------------------------------------------------- diffing


@dataclass(frozen=True, slots=True)
class KnownEntry:
    """What storage remembers about an entry key, enough to decide new/updated/unchanged."""

    key: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class FeedDiff:
    """What a fresh parse changes: the decision, not the I/O (see ``bot.diff``)."""

    new: tuple[ParsedEntry, ...]  #: never seen before: stored, and pushed if ``notify``
    updated: tuple[ParsedEntry, ...]  #: same key, new content: stored, never pushed
    seen: tuple[str, ...]  #: keys present and unchanged: their last_seen_at is bumped
    #: keys of ``new`` that are queued for delivery (first fetch: only the backfill)
    notify: tuple[str, ...]


# --------------------------------------------------------------------------- scheduling


@dataclass(frozen=True, slots=True)
class FeedSchedule:
    """When to check a feed next and what its error state is after a fetch."""

    next_check_at: datetime
    error_count: int  #: consecutive failures (0 after a success or a 304)


# --------------------------------------------------------------------------- showing


@dataclass(frozen=True, slots=True)
class EntryView:
    """An entry as the renderer needs it (from storage, or straight from a parse)."""

    entry_id: int  #: storage id (0 in ``preview``, which stores nothing)
    title: str
    link: str | None
    published: datetime | None
    text: str  #: full plain text; the renderer cuts it to ``summary_length``
    topics: tuple[str, ...]
    feed_name: str  #: config name, else the feed's own title, else its host
