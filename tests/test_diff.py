"""The decider: what a fresh parse means, as a table of (known, parsed) -> outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import sort_time
from bot.ingest.diff import diff_feed, newest, settle_keys
from tests.factories import parsed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def known_of(*entries):  # type: ignore[no-untyped-def]
    return {e.key: e.content_hash for e in entries}


A, B, C = parsed("a"), parsed("b"), parsed("c")
A_EDITED = parsed("a", text="edited body")


@pytest.mark.parametrize(
    ("known", "entries", "new", "updated", "seen"),
    [
        pytest.param({}, [A, B], ["a", "b"], [], [], id="nothing-known-everything-new"),
        pytest.param(known_of(A, B), [A, B], [], [], ["a", "b"], id="same-document-nothing-new"),
        pytest.param(known_of(A), [B, A], ["b"], [], ["a"], id="one-new-on-top"),
        pytest.param(known_of(A), [A_EDITED], [], ["a"], [], id="edit-is-update-not-new"),
        pytest.param(
            known_of(A, B, C), [A, C], [], [], ["a", "c"], id="dropped-entry-is-not-an-event"
        ),
        pytest.param(
            known_of(A, B), [B, A], [], [], ["b", "a"], id="entry-that-comes-back-is-not-new"
        ),
    ],
)
def test_diff_table(known, entries, new, updated, seen) -> None:  # type: ignore[no-untyped-def]
    diff = diff_feed(entries, known, first_fetch=False)
    assert [e.key for e in diff.new] == new
    assert [e.key for e in diff.updated] == updated
    assert list(diff.seen) == seen
    assert list(diff.notify) == new  # after the first fetch every new entry is pushed


# Entries of a feed that reuses the guid "same": each one's own key, the shared plain key
# and a private alias (the form its key takes when it is alone).
SAME_A = replace(parsed("dup-a", title="A"), aliases=("id:same", "own-a"))
SAME_C = replace(parsed("dup-c", title="C"), aliases=("id:same", "own-c"))
ALONE_A = replace(SAME_A, key="id:same", aliases=("dup-a", "own-a"))


@pytest.mark.parametrize(
    ("known", "entries", "keys"),
    [
        pytest.param(known_of(SAME_A), [SAME_C, SAME_A], ["dup-c", "dup-a"], id="own-key-known"),
        pytest.param(
            {"id:same": SAME_A.content_hash},
            [SAME_C, SAME_A],
            ["dup-c", "id:same"],
            id="guid-becomes-shared-old-entry-keeps-its-row",
        ),
        pytest.param(
            {"id:same": SAME_A.content_hash},
            [SAME_A, SAME_C],
            ["id:same", "dup-c"],
            id="order-does-not-matter",
        ),
        pytest.param(
            {"id:same": "the hash of an article no longer in the feed"},
            [SAME_C, SAME_A],
            ["dup-c", "dup-a"],
            id="shared-alias-needs-the-same-content",
        ),
        pytest.param(
            {"dup-a": "an older version of A"}, [ALONE_A], ["dup-a"], id="unshared-alias-is-own"
        ),
    ],
)
def test_entries_keep_the_row_stored_under_an_alias(known, entries, keys) -> None:  # type: ignore[no-untyped-def]
    assert [e.key for e in settle_keys(entries, known)] == keys


def test_reused_guid_does_not_overwrite_an_older_entry() -> None:
    diff = diff_feed([SAME_C, SAME_A], {"id:same": SAME_A.content_hash}, first_fetch=False)

    assert [e.title for e in diff.new] == ["C"]
    assert diff.seen == ("id:same",)
    assert diff.updated == ()


def test_first_fetch_stores_silently_by_default() -> None:
    diff = diff_feed([A, B, C], {}, first_fetch=True, backfill=0)
    assert [e.key for e in diff.new] == ["a", "b", "c"]
    assert diff.notify == ()


def test_first_fetch_backfill_queues_the_newest_by_date() -> None:
    old = parsed("old", published=T0)
    mid = parsed("mid", published=T0 + timedelta(days=1))
    recent = parsed("recent", published=T0 + timedelta(days=2))
    diff = diff_feed([old, recent, mid], {}, first_fetch=True, backfill=2)
    assert set(diff.notify) == {"recent", "mid"}
    assert list(diff.notify) == ["recent", "mid"]  # document order kept


def test_backfill_without_dates_takes_the_top_of_the_document() -> None:
    assert [e.key for e in newest([A, B, C], 2)] == ["a", "b"]


def test_backfill_larger_than_the_feed_takes_everything() -> None:
    diff = diff_feed([A, B], {}, first_fetch=True, backfill=10)
    assert list(diff.notify) == ["a", "b"]


@pytest.mark.parametrize(
    ("published", "position", "expected"),
    [
        pytest.param(T0, 0, T0, id="past-date-kept"),
        pytest.param(T0 + timedelta(days=400), 0, T0 + timedelta(days=1), id="future-capped"),
        pytest.param(None, 0, T0 + timedelta(days=1), id="undated-is-now"),
        pytest.param(
            None, 3, T0 + timedelta(days=1) - timedelta(microseconds=3), id="undated-keeps-order"
        ),
    ],
)
def test_sort_time(published, position, expected) -> None:  # type: ignore[no-untyped-def]
    assert sort_time(published, position, T0 + timedelta(days=1)) == expected
