"""Value types shared across layers.

Small frozen dataclasses, each named for the boundary it crosses. Nothing here imports
from ``bot.*`` or from any third-party library, so every layer may depend on this module.

Invariants that hold for every type below:
- datetimes are timezone-aware and in UTC;
- text fields are plain text (no markup) unless the field name says ``html``;
- topics are cleaned with :func:`normalise_topic` (NFKC, inner whitespace collapsed, the
  spelling kept: ``RL``, ``Post-training``) and compared by :func:`topic_key`, which makes
  ``rl``/``RL`` and ``post training``/``Post-training``/``post_training`` one topic. Topics
  read from storage carry the one spelling stored for their key.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: Longest topic name we keep; longer category strings are cut (they are labels, not prose).
MAX_TOPIC_CHARS = 48

_SPACES = re.compile(r"\s+")


def normalise_topic(raw: str) -> str:
    """Return a topic name as it is shown ('' when nothing is left).

    The publisher's (or the config's) spelling is kept; NFKC so that full-width Latin
    letters in CJK feeds read as their ASCII forms; a leading ``#`` dropped so that
    ``/subscribe #ml`` works; inner whitespace collapsed. Compare names with
    :func:`topic_key`, never as strings.
    """
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("#").strip()
    return _SPACES.sub(" ", text)[:MAX_TOPIC_CHARS].strip()


#: what a topic's key leaves out: names differing only in these are one topic
_KEY_IGNORES = re.compile(r"[\s_\-]+")


def topic_key(name: str) -> str:
    """The identity of a topic: casefolded (every script: ß, Σ ...) with spaces, ``-`` and
    ``_`` removed, so ``Post-training``, ``post training`` and ``POST_TRAINING`` are one.
    A name made only of those characters keys as itself, casefolded (never '' for a name).

    Migration ``0011_topic_names`` keys stored topics with a frozen copy of this function;
    change both together (with a migration), or stored keys stop matching."""
    folded = normalise_topic(name).casefold()
    return _KEY_IGNORES.sub("", folded) or folded


def distinct_topics(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` cleaned, one per key (the first spelling kept), in order, empties dropped."""
    kept: dict[str, str] = {}
    for raw in names:
        name = normalise_topic(raw)
        if name:
            kept.setdefault(topic_key(name), name)
    return tuple(kept.values())


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
    #: ERROR only: what kind of failure, one of a few short labels (the metrics' ``reason``):
    #: timeout, dns, refused, tls, proxy, network, http_4xx, http_5xx, redirects,
    #: invalid_url, body
    reason: str | None = None


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
    #: other keys this entry may be stored under (its key had another form when the feed
    #: shared, or stopped sharing, its guid or link with other entries); see ``bot.ingest.diff``
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A document that parsed as a feed. Entries in document order, ids deduplicated."""

    title: str  #: the feed's own title, plain text, '' when absent
    link: str | None  #: the site's home page
    entries: tuple[ParsedEntry, ...]


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Size bounds applied to a document before the expensive steps of parsing it."""

    max_bytes: int = 10 * 1024 * 1024  #: the body once unpacked (any compression)
    max_entries: int = 1000  #: entries kept per document, newest first


class ParseRefusedError(Exception):
    """A parse stopped by its bounds: over time, over memory, or its worker died.

    ``str(error)`` is one line for the feed's row ("took longer than 20 s to parse").
    """


class NotAFeedError(Exception):
    """The document could not be read as a feed (HTML page, empty body, garbage ...).

    ``str(error)`` is one line suitable for the feed's row and for ``preview``.
    """


# --------------------------------------------------------------------------- diffing


@dataclass(frozen=True, slots=True)
class FeedDiff:
    """What a fresh parse changes: the decision, not the I/O (see ``bot.ingest.diff``)."""

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
    own_topics: frozenset[str] = frozenset()  #: keys of the chat's, shown first in the meta line
    also_in: tuple[str, ...] = ()  #: other feeds that carried the story to this chat
    updated: bool = False  #: changed after the message showing it went out


# --------------------------------------------------------------------------- /add


@dataclass(frozen=True, slots=True)
class FeedCandidate:
    """A feed a web page links to (``<link rel="alternate">``)."""

    url: str  #: absolute
    title: str  #: the link's title ("" when it has none)


class ProbeProblem(enum.Enum):
    """Why a URL given to /add cannot be followed."""

    UNREACHABLE = "unreachable"  #: the fetch failed (detail: the error)
    NOT_A_FEED = "not_a_feed"  #: neither a feed nor a page (detail: the parser's reason)
    NO_FEEDS_ON_PAGE = "no_feeds_on_page"  #: a web page that links to no feed


@dataclass(frozen=True, slots=True)
class FeedProbe:
    """What fetching a URL for /add found: a feed (with its newest entries, for a preview),
    the feeds a page links to, or a problem."""

    url: str
    title: str = ""  #: the feed's own title
    entries: tuple[EntryView, ...] = ()  #: newest first
    candidates: tuple[FeedCandidate, ...] = ()
    problem: ProbeProblem | None = None
    detail: str = ""

    @property
    def is_feed(self) -> bool:
        return self.problem is None and not self.candidates


# --------------------------------------------------------------------------- storage records


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed as the config lists it, for syncing the feeds table."""

    url: str
    name: str | None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedForUpdate:
    """What the poller needs to know about a feed before fetching it."""

    id: int
    url: str
    name: str | None
    title: str
    validators: CacheValidators
    body_hash: str | None  #: of the last 200 body; an identical body is not parsed again
    first_fetch: bool  #: never fetched successfully: store silently (but the backfill)
    error_count: int
    topics: tuple[str, ...] = ()  #: given to every entry (the config's or those of /add)


@dataclass(frozen=True, slots=True)
class EntryWrite:
    """A new or edited entry with its topics, ready to store."""

    entry: ParsedEntry
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PollRecord:
    """Everything one poll of one feed writes, applied in one transaction."""

    feed_id: int
    checked_at: datetime
    schedule: FeedSchedule
    status: FetchStatus
    http_status: int | None = None
    final_url: str | None = None
    validators: CacheValidators = CacheValidators()
    body_hash: str | None = None  #: set for OK responses
    error: str | None = None  #: set when the fetch or the parse failed
    feed_title: str | None = None  #: set when the body parsed
    site_link: str | None = None
    entry_count: int | None = None  #: entries in the document, when it parsed
    new: tuple[EntryWrite, ...] = ()
    updated: tuple[EntryWrite, ...] = ()
    seen: tuple[str, ...] = ()  #: keys whose last-seen time moves to ``checked_at``
    notify: tuple[str, ...] = ()  #: keys of ``new`` to queue for delivery
    #: a story whose canonical link was queued for a chat since then is not queued again
    dedup_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What storage did with a :class:`PollRecord` (only rows it really inserted count)."""

    new_entries: int
    queued: int  #: outbox rows created
    chats: int = 0  #: chats those rows go to


#: Telegram's chat kinds with members where only group admins change the subscription
#: (the others: "private", and "channel", where only admins post anyway)
GROUP_CHAT_KINDS = frozenset({"group", "supergroup"})


class TopicState(enum.Enum):
    """How one topic stands in a chat's :class:`TopicChoice` (what /topics marks)."""

    FOLLOWED = "followed"  #: in ``only``
    NOT_FOLLOWED = "not_followed"  #: neither followed nor skipped
    SKIPPED = "skipped"  #: in ``excluded`` while following everything


@dataclass(frozen=True, slots=True)
class TopicChoice:
    """What a chat receives: every topic except ``excluded`` (``everything``), or only the
    topics in ``only``. Entries without topics count as "every topic"."""

    everything: bool
    only: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def takes(self, topic: str) -> bool:
        """Whether entries with ``topic`` reach the chat."""
        return topic not in self.excluded if self.everything else topic in self.only


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """How a chat wants what it gets (``/settings``); None: the configured default."""

    language: str | None = None  #: en | zh_Hans | zh_Hant
    timezone: str | None = None  #: an IANA name
    quiet_from: str | None = None  #: "23:00" in the chat's timezone (with ``quiet_to``)
    quiet_to: str | None = None
    mode: str = "instant"  #: instant | hourly | daily
    digest_at: str | None = None  #: "08:00" with mode daily
    sound: bool = True  #: False: pushes are silent
    summary_length: int | None = None  #: graphemes before "..."
    link_preview: bool = False  #: a single-entry push shows its link's preview


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """A chat we talk to, as handlers and the sender see it."""

    id: int  #: our id
    tg_chat_id: int | None  #: Telegram's id (None for a configured channel not yet resolved)
    channel_ref: str | None  #: "@username" of a configured channel
    kind: str  #: private | group | supergroup | channel
    title: str
    active: bool
    all_topics: bool  #: takes every topic but ``excluded_topics``; else only ``topics``
    topics: tuple[str, ...]
    cursor_topic: str | None  #: the /latest filter /next continues (None: the chat's topics)
    cursor_page: int  #: the last page this chat saw (0: none yet)
    excluded_topics: tuple[str, ...] = ()  #: with ``all_topics``: topics it does not take
    inactive_reason: str | None = None  #: why an inactive chat gets no pushes
    settings: ChatSettings = ChatSettings()  #: what ``/settings`` chose
    thread_id: int = 0  #: a forum thread's id (0: the chat itself, or General)
    thread_gone: str | None = None  #: why the thread's pushes go to General now
    filters: tuple[str, ...] = ()  #: /filter, as typed: "+llm", "-/crypto|nft/"

    @property
    def send_thread(self) -> int | None:
        """The ``message_thread_id`` pushes go to (None: the chat, or General)."""
        return self.thread_id if self.thread_id and self.thread_gone is None else None

    @property
    def topic_choice(self) -> TopicChoice:
        return TopicChoice(
            everything=self.all_topics,
            only=frozenset(() if self.all_topics else self.topics),
            excluded=frozenset(self.excluded_topics if self.all_topics else ()),
        )

    @property
    def send_target(self) -> int | str:
        """What goes into the Bot API's ``chat_id``."""
        if self.tg_chat_id is not None:
            return self.tg_chat_id
        assert self.channel_ref is not None
        return self.channel_ref


@dataclass(frozen=True, slots=True)
class Delivery:
    """A chat's claimed outbox rows, folded into one transmission by the sender."""

    chat: ChatInfo
    outbox_ids: tuple[int, ...]
    entries: tuple[EntryView, ...]  #: newest first
    attempts: int  #: the most attempts any of the rows has had (before this one)
    queued_at: tuple[datetime, ...] = ()  #: when each row was queued (for the latency metric)


@dataclass(frozen=True, slots=True)
class EditJob:
    """A claimed edit: a message sent earlier, with what it should show now."""

    chat: ChatInfo
    edit_id: int
    message_id: int
    queued_at: datetime  #: of the latest request; settled only if still the latest
    entries: tuple[EntryView, ...]  #: in the message's order
    transmission_id: int | None  #: set when the message pages through its entries
    position: int  #: index in ``entries`` of the first changed one (its page is shown)
    muted: bool = False  #: a single push whose feed the chat muted (its button is an undo)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of LATEST UPDATES (or of a transmission)."""

    entries: tuple[EntryView, ...]
    number: int  #: 1-based
    #: pages known to exist (counted up to a bound: a window, not the whole history)
    known_pages: int
    has_more: bool  #: a page after ``known_pages`` exists


def sort_time(published: datetime | None, position: int, seen_at: datetime) -> datetime:
    """Where an entry goes in newest-first order: its date, but never later than ``seen_at``.

    Future dates (clock skew, scheduled posts) must not pin an entry to the top. Undated
    entries of one document keep the document's order (newest first by convention) by
    stepping back a microsecond per ``position``.
    """
    if published is not None and published <= seen_at:
        return published
    return seen_at - timedelta(microseconds=position)
