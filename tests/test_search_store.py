"""/search in storage: the full-text index kept in step, words as text, CJK inside runs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bot.store import Store, search
from bot.store.migrate import alembic_config
from tests.factories import parsed
from tests.test_store import add_feed, record

pytestmark = pytest.mark.store

ENTRIES = [  # key, title, text, topics; newest first
    ("clip", "CLIP, explained", "Contrastive pre-training of images and captions.", ("ml",)),
    ("eclipse", "The eclipse of 2026", "Sun and moon line up.", ("space",)),
    ("cjk", "对比学习笔记", "拉近相似样本，推远不相似样本。", ("ml",)),
    ("mixed", "用CLIP做检索", "图文检索的一个例子。", ("ml",)),
    ("body", "A quiet title", "Only the body names the transformer model.", ("ml",)),
    ("percent", "Sure things", 'I am 100% sure %%; x_y; a\\b; say "hi" NEAR (the) end*', ()),
    ("plain", "Ease case", "1000 sure, xzy, ab.", ()),
]


async def seeded(store: Store, now: datetime, with_topics: bool = True) -> int:
    feed_id = await add_feed(store, now)
    new = [
        (
            parsed(key, title=title, text=body, published=now - timedelta(hours=i)),
            topics if with_topics else (),
        )
        for i, (key, title, body, topics) in enumerate(ENTRIES)
    ]
    await store.record_poll(record(feed_id, now, new))
    return feed_id


async def found(
    store: Store, *terms: str, topics: list[str] | None = None, excluded: tuple[str, ...] = ()
) -> list[str]:
    result = await store.search_page(list(terms), topics, 1, 50, excluded)
    return [view.title for view in result.page.entries]


async def test_latin_words_match_by_word_case_insensitively(store: Store, now: datetime) -> None:
    await seeded(store, now)
    assert await found(store, "clip") == ["CLIP, explained", "用CLIP做检索"]
    assert await found(store, "eclipse") == ["The eclipse of 2026"]
    assert await found(store, "explain") == []  # a word, not a part of one
    assert await found(store, "transformer") == ["A quiet title"]  # only in the text


async def test_every_word_is_needed_in_title_or_text(store: Store, now: datetime) -> None:
    await seeded(store, now)
    assert await found(store, "clip", "captions") == ["CLIP, explained"]
    assert await found(store, "clip", "moon") == []
    assert await found(store, "quiet", "transformer", "model") == ["A quiet title"]


async def test_cjk_words_are_found_inside_longer_runs(store: Store, now: datetime) -> None:
    await seeded(store, now)
    assert await found(store, "学习") == ["对比学习笔记"]
    assert await found(store, "对比学习") == ["对比学习笔记"]
    assert await found(store, "相似样本") == ["对比学习笔记"]
    assert await found(store, "检索", "clip") == ["用CLIP做检索"]
    assert await found(store, "学习", "样本") == ["对比学习笔记"]


async def test_query_syntax_is_plain_text(store: Store, now: datetime) -> None:
    await seeded(store, now)
    for words in (
        ["%%"],
        ["100%"],
        ["x_y"],
        ["a\\b"],
        ['"hi"'],
        ["near", "(the)"],
        ["end*"],
        ['"'],
        ["*"],
        ["(", ")"],
    ):
        assert await found(store, *words) == ["Sure things"], words
    for words in (
        ["0%"],
        ["or"],
        ["not"],
        ["**"],
        ['hi" or "sure'],
        ["near(sure"],
        ["clip", "OR", "eclipse"],
    ):
        assert await found(store, *words) == [], words
    # operators are words like any other: "and" finds the entries that say "and"
    assert await found(store, "AND") == ["CLIP, explained", "The eclipse of 2026"]
    assert await found(store, "sun", "AND", "moon") == ["The eclipse of 2026"]


async def test_topic_scope_follows_the_chat(store: Store, now: datetime) -> None:
    await seeded(store, now)
    assert await found(store, "clip", topics=["space"]) == []
    assert await found(store, "eclipse", topics=["space", "ml"]) == ["The eclipse of 2026"]
    assert await found(store, "clip", topics=["nope"]) == []
    assert await found(store, "clip", excluded=("ml",)) == []
    assert await found(store, "sure", excluded=("ml",)) == ["Sure things", "Ease case"]


async def test_an_edited_entry_is_found_by_its_new_words_only(store: Store, now: datetime) -> None:
    feed_id = await seeded(store, now)
    edited = parsed(
        "eclipse",
        title="The occultation of 2026",
        text="Moon hides a star.",
        published=now - timedelta(hours=1),
    )
    await store.record_poll(record(feed_id, now + timedelta(minutes=10), updated=[edited]))
    assert await found(store, "occultation") == ["The occultation of 2026"]
    assert await found(store, "eclipse") == []
    assert await found(store, "hides", "star") == ["The occultation of 2026"]


async def test_pruned_and_deleted_entries_are_gone(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    old = now - timedelta(days=400)
    await store.record_poll(
        record(
            feed_id,
            old,
            [
                (parsed(f"e{i}", title=f"Old {i}", text=f"zeppelin number {i}"), ())
                for i in range(130)
            ],
        )
    )
    assert len((await store.search_page(["zeppelin"], None, 1, 200)).page.entries) == 130
    await store.prune(now, keep_days=timedelta(days=90), keep_entries=20)
    kept = (await store.search_page(["zeppelin"], None, 1, 200)).page.entries
    assert len(kept) == 20  # the pruned bodies left the results
    gone = [view.entry_id for view in kept[:5]]  # rows deleted as pruning deletes keys
    async with store._engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM entries WHERE id IN (" + ",".join(map(str, gone)) + ")")
        )
    left = (await store.search_page(["old"], None, 1, 200)).page.entries
    assert sorted(v.entry_id for v in left) == sorted(v.entry_id for v in kept[5:])
    if store.dialect == "sqlite":  # the index itself dropped them, not only the join
        async with store._engine.connect() as connection:
            rowids = await connection.execute(
                text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH :q"),
                {"q": search.fts_match(["zeppelin"])},
            )
            assert sorted(rowids.scalars()) == sorted(v.entry_id for v in kept[5:])


async def test_many_index_hits_walk_newest_first(
    store: Store, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seeded(store, now)
    monkeypatch.setattr(search, "FTS_FETCH_LIMIT", 1)  # SQLite: take the walking path
    assert await found(store, "sure") == ["Sure things", "Ease case"]
    assert await found(store, "clip") == ["CLIP, explained", "用CLIP做检索"]


async def test_short_words_alone_search_the_newest_entries_and_say_so(
    store: Store, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seeded(store, now)
    assert (await store.search_page(["学习"], None, 1, 5)).scanned is None  # all of them
    monkeypatch.setattr(search, "SHORT_SCAN_ROWS", 2)
    result = await store.search_page(["学习"], None, 1, 5)
    assert result.scanned == 2
    assert result.page.entries == ()  # the third newest is beyond the two searched
    assert (await store.search_page(["学习", "对比"], None, 1, 5)).scanned == 2
    assert (await store.search_page(["对比学习"], None, 1, 5)).scanned is None


async def test_pages_of_results(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(
        record(
            feed_id,
            now,
            [
                (parsed(f"p{i}", title=f"Pager {i}", published=now - timedelta(minutes=i)), ())
                for i in range(12)
            ],
        )
    )
    first = await store.search_page(["pager"], None, 1, 5)
    third = await store.search_page(["pager"], None, 3, 5)
    assert [v.title for v in first.page.entries] == [f"Pager {i}" for i in range(5)]
    assert (first.page.known_pages, first.page.has_more) == (3, False)
    assert [v.title for v in third.page.entries] == ["Pager 10", "Pager 11"]


async def test_saved_searches_belong_to_their_chat(store: Store, now: datetime) -> None:
    mine = await store.ensure_chat(1, "private", "me", now)
    other = await store.ensure_chat(2, "private", "other", now)
    search_id = await store.save_search(mine.id, ["对比", "clip"], True, now)
    saved = await store.saved_search(search_id, mine.id)
    assert saved is not None
    assert (saved.words, saved.everything) == (("对比", "clip"), True)
    assert await store.saved_search(search_id, other.id) is None
    for _ in range(search.KEEP_SEARCHES):
        await store.save_search(mine.id, ["more"], False, now)
    assert await store.saved_search(search_id, mine.id) is None  # the oldest went


async def test_the_migration_indexes_entries_already_stored(
    database_url: str, now: datetime
) -> None:
    store = await Store.open(database_url, migrate=False)
    try:
        async with store._engine.begin() as connection:  # the revision before 0010_search
            await connection.run_sync(_upgrade_to, "0009_mutes")
        # no topics: today's store writes topics.key, which comes with 0011_topic_names
        await seeded(store, now, with_topics=False)
        async with store._engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "head")
        assert await found(store, "clip") == ["CLIP, explained", "用CLIP做检索"]
        assert await found(store, "相似样本") == ["对比学习笔记"]
    finally:
        await store.close()


def _upgrade_to(connection, revision: str) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


@pytest.mark.parametrize("walk_rows", [3, 10, 1000])
async def test_walking_the_newest_first_or_asking_the_index_find_the_same(
    store: Store, now: datetime, monkeypatch: pytest.MonkeyPatch, walk_rows: int
) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(
        record(
            feed_id,
            now,
            [
                (
                    parsed(
                        f"w{i}",
                        title=f"Walker {i}" if i % 3 else f"Other {i}",
                        published=now - timedelta(minutes=i),
                    ),
                    (),
                )
                for i in range(15)
            ],
        )
    )
    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)  # PostgreSQL: walk, then the index
    monkeypatch.setattr(search, "FTS_FETCH_LIMIT", walk_rows)  # SQLite: fetch, or walk
    walkers = [f"Walker {i}" for i in range(15) if i % 3]
    for page in (1, 2, 3):
        result = await store.search_page(["walker"], None, page, 1)
        assert [v.title for v in result.page.entries] == walkers[page - 1 : page]
        assert result.page.known_pages == min(page + 5, len(walkers))
