"""The schema, as SQLAlchemy Core tables. Alembic migrations create and upgrade it.

Times are stored through :class:`UTCDateTime`: aware UTC in Python, ``timestamptz`` on
PostgreSQL, naive-UTC ISO text on SQLite (so that string order is time order there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

#: Integer primary keys that are 64-bit on PostgreSQL and ROWID aliases on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, whatever the database does with time zones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL on SQLite can hand back the stored text
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: feeds.managed_by
CONFIG, CHAT = "config", "chat"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text),  # from config; None: use the feed's own title
    Column("title", Text, nullable=False, server_default=""),  # the feed's own title
    Column("site_link", Text),
    Column("configured", Boolean, nullable=False, server_default="1"),  # still in the config
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),  # of the last 200 body: an identical one is not parsed
    Column("final_url", Text),
    Column("http_status", Integer),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_checked_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),  # None: never fetched, the next one is "first"
    Column("last_new_at", UTCDateTime),
    Column("next_check_at", UTCDateTime, nullable=False, index=True),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("entry_count", Integer, nullable=False, server_default="0"),  # in the last document
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
    Column("claimed_by", String(64)),  # the process polling it now (``processes.id``)
    # who manages the feed: "config" (feeds: in the file, synced at start) or "chat" (/add)
    Column("managed_by", String(8), nullable=False, server_default=CONFIG),
    Column("topics", Text, nullable=False, server_default=""),  # a chat-added feed's, "\n"-joined
    Column("paused", Boolean, nullable=False, server_default="0"),  # paused feeds are not fetched
    # dead-feed alerts: since when it fails (as the alert job first saw it), the last alert,
    # and whether a "recovered" note is owed
    Column("failing_since", UTCDateTime),
    Column("alerted_at", UTCDateTime),
    Column("alert_open", Boolean, nullable=False, server_default="0"),
)

#: Admins who claimed the bot in chat (/claim); the config's telegram.admins come on top.
admins = Table(
    "admins",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("claimed_at", UTCDateTime, nullable=False),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("feed_id", Id, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("link", Text),
    Column("published_at", UTCDateTime),
    # What "newest first" sorts by: the published date, but never later than when we first
    # saw the entry (feeds with future dates must not pin themselves to the top).
    Column("sort_at", UTCDateTime, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime),  # last time an edit changed the content
    Column("content_hash", String(64), nullable=False),
    Column("text", Text, nullable=False, server_default=""),  # '' once pruned
    Column("pruned", Boolean, nullable=False, server_default="0"),
    # The link with tracking parameters and spelling variants gone (bot.text.links): the
    # same story from two feeds reaches a chat once.
    Column("canonical_link", Text, index=True),
    UniqueConstraint("feed_id", "key"),
    Index("ix_entries_sort", "sort_at", "id"),
    Index("ix_entries_feed_seen", "feed_id", "last_seen_at"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # what a topic is known by: bot.domain.topic_key (casefolded, no spaces, - or _)
    Column("key", Text, nullable=False, unique=True),
    # how it is shown: the config's spelling when it names the topic, else the first seen
    Column("name", Text, nullable=False, unique=True),
)

entry_topics = Table(
    "entry_topics",
    metadata,
    Column("entry_id", Id, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Id, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("sort_at", UTCDateTime, nullable=False),  # copy of entries.sort_at for the index
    Index("ix_entry_topics_topic_sort", "topic_id", "sort_at", "entry_id"),
)

chats = Table(
    "chats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tg_chat_id", BigInteger),  # None until a config channel is resolved
    # A forum group's thread (0: the chat itself, or General): each its own subscription.
    Column("thread_id", BigInteger, nullable=False, server_default="0"),
    Column("thread_gone", Text),  # why pushes for the thread go to General instead
    Column("filters", Text),  # /filter: a JSON list like ["+llm", "-/crypto|nft/"]
    Column("channel_ref", Text, unique=True),  # "@username" of a configured channel
    Column("kind", String(16), nullable=False),  # private | group | supergroup | channel
    Column("title", Text, nullable=False, server_default=""),
    Column("source", String(8), nullable=False),  # user (/start) | config (telegram.channels)
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("inactive_reason", Text),
    Column("all_topics", Boolean, nullable=False, server_default="1"),
    # /next: the filter (None: the chat's own topics) and the last page this chat saw.
    Column("cursor_topic_id", Id, ForeignKey("topics.id", ondelete="SET NULL")),
    Column("cursor_page", Integer, nullable=False, server_default="0"),
    # /settings (None: the configured default); see bot.domain.ChatSettings
    Column("language", String(16)),
    Column("timezone", String(64)),
    Column("quiet_from", String(5)),
    Column("quiet_to", String(5)),
    Column("mode", String(8), nullable=False, server_default="instant"),
    Column("digest_at", String(5)),
    Column("sound", Boolean, nullable=False, server_default="1"),
    Column("summary_length", Integer),
    Column("link_preview", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("tg_chat_id", "thread_id"),
)

chat_topics = Table(
    "chat_topics",
    metadata,
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Id, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)

#: With ``chats.all_topics``: the topics a chat does not take ("everything except ml").
chat_excluded_topics = Table(
    "chat_excluded_topics",
    metadata,
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Id, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)

transmissions = Table(
    "transmissions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", BigInteger),
    Column("entry_ids", Text, nullable=False),  # comma-separated, page order
    Column("created_at", UTCDateTime, nullable=False),
)

#: Outbox states. pending -> sent | failed; "leased" is pending with lease_until in the future.
PENDING, SENT, FAILED = "pending", "sent", "failed"

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("entry_id", Id, ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(8), nullable=False, server_default=PENDING),
    Column("created_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime, nullable=False),  # backoff and 429 waits
    Column("lease_until", UTCDateTime),  # claimed by a sender until then
    Column("claimed_by", String(64)),  # the process (``processes.id``) that claimed it
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("transmission_id", Id, ForeignKey("transmissions.id", ondelete="SET NULL")),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("message_id", BigInteger),  # the message that shows the entry, once sent
    UniqueConstraint("chat_id", "entry_id"),
    Index("ix_outbox_due", "state", "not_before"),
    Index("ix_outbox_entry_sent", "entry_id", "sent_at"),
)

#: Messages to edit in place (an entry they show changed, or another feed had the story).
#: One row per message; queued again (``queued_at`` moves) while pending or after it was
#: done. Same states as the outbox; the message is rendered from storage when it goes out.
edits = Table(
    "edits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("state", String(8), nullable=False, server_default=PENDING),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("claimed_by", String(64)),  # the process holding the lease (bot.store.processes)
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    UniqueConstraint("chat_id", "message_id"),
    Index("ix_edits_due", "state", "not_before"),
)

#: A story a chat already had from another feed: ``entry_id`` reached the chat, ``other_id``
#: (the same canonical link, from another feed) was not queued for it; the first message's
#: meta line names the other feed.
duplicates = Table(
    "duplicates",
    metadata,
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("other_id", Id, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", Id, ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_duplicates_chat_entry", "chat_id", "entry_id"),
)

#: Feeds a chat muted (the "mute this feed here" button): no pushes from them to it.
chat_muted_feeds = Table(
    "chat_muted_feeds",
    metadata,
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("feed_id", Id, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
)

#: Running ``feedbot run`` processes: a claim belongs to a process whose heartbeat is fresh.
processes = Table(
    "processes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    # holds the Telegram duties (bot.store.leader); refreshed with each heartbeat
    Column("leader", Boolean, nullable=False, server_default="0"),
    # the poll cycle it runs now began then (None between cycles): the leader's sender holds
    # back what any replica's running cycle queued (one transmission per chat and cycle)
    Column("cycle_since", UTCDateTime),
)

#: /search: the words a chat searched for, so that page buttons carry only this row's id.
#: The full-text index over ``entries`` is made by migration 0010_search (on SQLite made
#: again without positions by 0013_search_no_positions), outside this
#: metadata: on SQLite the FTS5 table ``entries_fts`` and its triggers (a migration that
#: rebuilds ``entries`` in batch mode must create them again), on PostgreSQL the pg_trgm
#: index ``ix_entries_search``.
searches = Table(
    "searches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("words", Text, nullable=False),  # the words, space-separated
    Column("everything", Boolean, nullable=False),  # /search all: beyond the chat's topics
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_searches_chat", "chat_id", "id"),
)

#: Key/value facts the process keeps (e.g. the bot's username); small and rarely written.
settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

__all__ = [
    "CHAT",
    "CONFIG",
    "FAILED",
    "PENDING",
    "SENT",
    "UTCDateTime",
    "admins",
    "chat_excluded_topics",
    "chat_muted_feeds",
    "chat_topics",
    "chats",
    "duplicates",
    "edits",
    "entries",
    "entry_topics",
    "feeds",
    "metadata",
    "outbox",
    "processes",
    "searches",
    "settings",
    "topics",
    "transmissions",
]
