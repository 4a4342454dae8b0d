"""/search in storage: saved searches, and pages of the entries that hold every word.

Each word narrows through the full-text index of migration 0010_search, then the word
boundaries of :func:`bot.text.search.boundary_pattern` are checked on what is left:

- SQLite: words of three or more characters go to FTS5 (trigram tokenizer, no positions)
  as their trigrams, each quoted, so ``AND``, ``NEAR``, ``*`` or quotes in them are plain
  text. When the index has few hits they are fetched and sorted; when it has many, entries
  are walked newest first and each one's text is checked, which stops after a page's worth.
- PostgreSQL: ``lower(title || ' ' || text) ILIKE '%word%'`` with ``%``, ``_`` and ``\\``
  escaped, which the pg_trgm GIN index serves; the newest :data:`WALK_ROWS` entries are
  read first (a common word's page is there, and the index would hand over every hit).
- Words of one or two characters carry no trigram. Beside a longer word they are checked
  on its hits; alone they are looked for among the newest :data:`SHORT_SCAN_ROWS` entries
  only, and the page says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import column, table

from bot.domain import Page
from bot.store.pages import WINDOW_PAGES, entry_views
from bot.store.tables import entries, entry_topics, searches
from bot.store.topics import topic_ids
from bot.text.search import boundary_pattern

#: entries a search of only one- and two-character words looks through, newest first
SHORT_SCAN_ROWS = 20_000
#: SQLite: up to this many index hits are fetched and sorted; beyond, entries are walked
FTS_FETCH_LIMIT = 5_000
#: PostgreSQL: entries read newest first before the trigram index is asked
WALK_ROWS = 5_000
#: saved searches kept per chat (older ones' buttons expire)
KEEP_SEARCHES = 20

_fts = table("entries_fts", column("rowid"))
_haystack = entries.c.title + literal_column("' '") + entries.c.text


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    words: tuple[str, ...]
    everything: bool  #: beyond the chat's topics (``/search all``)


@dataclass(frozen=True, slots=True)
class SearchPage:
    page: Page
    #: None: every stored entry was searched; else only the newest this many
    scanned: int | None


async def save_search(
    connection: AsyncConnection,
    chat_id: int,
    words: Sequence[str],
    everything: bool,
    now: datetime,
) -> int:
    """Keep a chat's search for its page buttons; the chat's oldest ones beyond
    :data:`KEEP_SEARCHES` go."""
    search_id: int = (
        await connection.execute(
            insert(searches)
            .values(chat_id=chat_id, words=" ".join(words), everything=everything, created_at=now)
            .returning(searches.c.id)
        )
    ).scalar_one()
    kept = (
        select(searches.c.id)
        .where(searches.c.chat_id == chat_id)
        .order_by(searches.c.id.desc())
        .limit(KEEP_SEARCHES)
    )
    await connection.execute(
        delete(searches).where(searches.c.chat_id == chat_id, searches.c.id.not_in(kept))
    )
    return search_id


async def saved_search(
    connection: AsyncConnection, search_id: int, chat_id: int
) -> SavedSearch | None:
    """The chat's saved search (None: not this chat's, or gone)."""
    row = (
        await connection.execute(
            select(searches.c.words, searches.c.everything).where(
                searches.c.id == search_id, searches.c.chat_id == chat_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return SavedSearch(search_id, tuple(row.words.split(" ")), bool(row.everything))


async def search_page(
    connection: AsyncConnection,
    terms: Sequence[str],
    wanted_topics: Sequence[str] | None,
    page: int,
    page_size: int,
    excluded_topics: Sequence[str] = (),
) -> SearchPage:
    """Page ``page`` of the entries holding every one of ``terms`` (lower-cased words),
    newest first, within the topics as :func:`bot.store.pages.latest_page` takes them."""
    page = max(page, 1)
    query = await _scoped(connection, wanted_topics, excluded_topics)
    if query is None:
        return SearchPage(Page((), page, 0, False), None)
    horizon = (page + WINDOW_PAGES) * page_size
    # one pass for the page and the count (a rare word's search reads its window once)
    if connection.dialect.name == "sqlite":
        found, scanned = await _sqlite_ids(connection, query, terms, horizon + 1)
    else:
        found, scanned = await _postgres_ids(connection, query, terms, horizon + 1)
    counted = len(found)
    ids = found[(page - 1) * page_size : page * page_size]
    views = await entry_views(connection, ids)
    known = -(-min(counted, horizon) // page_size)
    return SearchPage(Page(tuple(views), page, known, counted > horizon), scanned)


async def _scoped(
    connection: AsyncConnection,
    wanted_topics: Sequence[str] | None,
    excluded_topics: Sequence[str],
) -> Select[Any] | None:
    """Entries shown to readers, newest first, within the topics (None: none can match)."""
    query = (
        select(entries.c.id)
        .where(entries.c.pruned == false())
        .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
    )
    if wanted_topics is not None:
        wanted = list((await topic_ids(connection, wanted_topics)).values())
        if not wanted:
            return None
        return query.where(_carries(wanted))
    excluded = list((await topic_ids(connection, excluded_topics)).values())
    return query.where(~_carries(excluded)) if excluded else query


def _carries(topic_ids: list[int]) -> ColumnElement[bool]:
    return exists().where(
        entry_topics.c.entry_id == entries.c.id, entry_topics.c.topic_id.in_(topic_ids)
    )


async def _sqlite_ids(
    connection: AsyncConnection, query: Select[Any], terms: Sequence[str], limit: int
) -> tuple[list[int], int | None]:
    """SQLite: the first ``limit`` ids holding every term; and how many entries were
    searched when that is bounded (short terms alone)."""
    long = [term for term in terms if len(term) >= 3]
    hits = await _fts_hits(connection, long) if long else None
    if hits is not None:
        query = query.where(hits)
    query = query.where(*(_holds(term) for term in terms))
    if long:
        return await _ids(connection, query, limit), None
    return await _newest_only(connection, query, limit)


async def _postgres_ids(
    connection: AsyncConnection, query: Select[Any], terms: Sequence[str], limit: int
) -> tuple[list[int], int | None]:
    """PostgreSQL: as :func:`_sqlite_ids`. The newest :data:`WALK_ROWS` entries are read
    first, with an expression the trigram index does not serve: a common word has its page
    there. Otherwise the index finds every hit (short words never ask it: they have no
    trigram, and pg_trgm would read the whole index)."""
    walked = query.where(*(_pg_holds(term, indexed=False) for term in terms))
    if not any(len(term) >= 3 for term in terms):
        return await _newest_only(connection, walked, limit)
    cutoff = await _newest_cutoff(connection, WALK_ROWS)
    if cutoff is not None:
        ids = await _ids(connection, walked.where(entries.c.sort_at >= cutoff), limit)
        if len(ids) >= limit:
            return ids, None
    indexed = query.where(*(_pg_holds(term, indexed=len(term) >= 3) for term in terms))
    return await _ids(connection, indexed, limit), None


async def _ids(connection: AsyncConnection, query: Select[Any], limit: int) -> list[int]:
    return list((await connection.execute(query.limit(limit))).scalars())


async def _newest_only(
    connection: AsyncConnection, query: Select[Any], limit: int
) -> tuple[list[int], int | None]:
    """``query`` among the newest :data:`SHORT_SCAN_ROWS` entries (all, when fewer)."""
    cutoff = await _newest_cutoff(connection, SHORT_SCAN_ROWS)
    if cutoff is None:
        return await _ids(connection, query, limit), None
    return await _ids(connection, query.where(entries.c.sort_at >= cutoff), limit), (
        SHORT_SCAN_ROWS
    )


def _pg_holds(term: str, *, indexed: bool) -> ColumnElement[bool]:
    """PostgreSQL: the entry holds ``term``; ``indexed``: through the pg_trgm index's
    expression, else through one it does not serve (same meaning, and cheaper per row:
    no lower-casing, and a plain LIKE for a word without cased letters)."""
    if indexed:
        holds = func.lower(_haystack).ilike(_like(term), escape="\\")
    elif term.lower() == term.upper():
        holds = _haystack.like(_like(term), escape="\\")
    else:
        holds = _haystack.ilike(_like(term), escape="\\")
    pattern = boundary_pattern(term)
    return holds if pattern is None else and_(holds, _haystack.regexp_match(pattern))


def _holds(term: str) -> ColumnElement[bool]:
    """SQLite: the entry's title or text holds ``term``, checked on the text itself (exact
    without the index, so that entries may be walked when the index has many hits)."""
    pattern = boundary_pattern(term)
    if pattern is not None:
        return _haystack.regexp_match(pattern)
    if term.lower() == term.upper():  # no letter with a case (CJK, digits, marks): exact
        return _haystack.like(_like(term), escape="\\")
    return _haystack.regexp_match("(?i)" + re.escape(term))  # Python's re folds any case


async def _fts_hits(
    connection: AsyncConnection, terms: Sequence[str]
) -> ColumnElement[bool] | None:
    """SQLite: entries whose title or text hold every term, through ``entries_fts``; None
    when there are more than :data:`FTS_FETCH_LIMIT` of them (then walking the newest
    entries finds a page sooner than sorting them all)."""
    matches = text("entries_fts MATCH :fts_match").bindparams(fts_match=fts_match(terms))
    hits = select(_fts.c.rowid).where(matches)
    counted = (
        await connection.execute(
            select(func.count()).select_from(hits.limit(FTS_FETCH_LIMIT + 1).subquery())
        )
    ).scalar_one()
    return entries.c.id.in_(hits) if counted <= FTS_FETCH_LIMIT else None


def fts_match(terms: Sequence[str]) -> str:
    """The FTS5 query for entries that hold every trigram of every term (of three or more
    characters), each quoted so that ``AND``, ``*`` or quotes in it are plain text.

    The index keeps no positions (migration 0013), so it cannot ask for a trigram sequence;
    every trigram somewhere in the entry is what it can tell, and :func:`_holds` then
    checks the term itself."""
    grams = dict.fromkeys(term[i : i + 3] for term in terms for i in range(len(term) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


async def _newest_cutoff(connection: AsyncConnection, rows: int) -> datetime | None:
    """The ``sort_at`` of the ``rows``-th newest entry (None: fewer), from the index alone."""
    result = await connection.execute(
        select(entries.c.sort_at)
        .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
        .offset(rows - 1)
        .limit(1)
    )
    cutoff: datetime | None = result.scalar()
    return cutoff


def _like(term: str) -> str:
    """``%term%`` with LIKE's own characters escaped (``\\`` is the escape)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
