"""One poll cycle end to end: local HTTP feed server -> fetch -> parse -> diff -> database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime, timedelta

import pytest

from bot.domain import DocumentLimits, FeedSpec, PollOutcome, PollRecord
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.poller import FeedReport, Poller, PollSettings
from bot.ingest.schedule import SchedulePolicy
from bot.ingest.topics import compile_rules
from bot.ingest.workers import InProcessParser
from bot.store import Store
from tests.feedserver import FeedServer

pytestmark = pytest.mark.store

POLICY = SchedulePolicy(interval=timedelta(minutes=10), jitter=0.0)


def rss(*items: tuple[str, str], title: str = "Test feed") -> str:
    """An RSS 2.0 document; items are (guid, title), newest first."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{name}</title>"
        f"<link>https://blog.example/{guid}</link><category>ML</category>"
        f"<description>&lt;p&gt;About {name} &amp;amp; friends&lt;/p&gt;</description></item>"
        for guid, name in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://blog.example/</link>{body}</channel></rss>"
    )


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchLimits(timeout=2.0, connect_timeout=1.0, read_timeout=1.0)) as f:
        yield f


@pytest.fixture
def clock(now: datetime) -> Clock:
    return Clock(now)


def make_poller(store: Store, fetcher: Fetcher, clock: Clock, **settings: object) -> Poller:
    return Poller(
        store,
        fetcher,
        InProcessParser(DocumentLimits()),
        PollSettings(default_policy=POLICY, **settings),  # type: ignore[arg-type]
        clock=clock,
        draw=lambda: 0.5,
    )


async def poll(store: Store, poller: Poller, clock: Clock) -> dict[str, FeedReport]:
    await store.make_feeds_due(clock())
    return {report.url: report for report in await poller.poll_due()}


async def subscribe_everything(store: Store, now: datetime, tg_id: int = 42) -> None:
    chat = await store.ensure_chat(tg_id, "private", "reader", now)
    await store.set_active(chat.id, True, now)


async def test_first_fetch_does_not_notify_and_later_entries_do(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Alpha"), ("b", "Beta")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    await subscribe_everything(store, clock())
    poller = make_poller(store, fetcher, clock)

    first = (await poll(store, poller, clock))[url]
    assert (first.outcome, first.entries, first.new, first.queued) == ("new", 2, 2, 0)

    server.set_feed("/feed.xml", rss(("c", "Gamma"), ("a", "Alpha"), ("b", "Beta")))
    clock.advance(minutes=11)
    second = (await poll(store, poller, clock))[url]
    assert (second.new, second.queued) == (1, 1)
    (delivery,) = await store.claim_deliveries(clock(), timedelta(1), max_chats=5, per_chat=5)
    assert [e.title for e in delivery.entries] == ["Gamma"]
    assert delivery.entries[0].text == "About Gamma & friends"
    assert delivery.entries[0].topics == ("ML",)  # as the feed spells it


async def test_backfill_queues_the_newest_entries_of_a_first_fetch(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "A"), ("b", "B"), ("c", "C")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    await subscribe_everything(store, clock())
    report = (await poll(store, make_poller(store, fetcher, clock, backfill=2), clock))[url]
    assert report.queued == 2


async def test_not_modified_uses_validators_and_changes_nothing(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Alpha")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    poller = make_poller(store, fetcher, clock)
    await poll(store, poller, clock)
    clock.advance(minutes=11)
    report = (await poll(store, poller, clock))[url]
    assert report.outcome == "not_modified"
    conditional = server.requests_for("/feed.xml")[-1]
    assert "if-none-match" in conditional.headers
    assert "if-modified-since" in conditional.headers
    assert report.next_check_at == clock() + timedelta(minutes=10)


async def test_identical_body_without_validators_is_not_parsed_again(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Alpha")), ignore_validators=True)
    await store.sync_feeds([FeedSpec(url, None)], clock())
    poller = make_poller(store, fetcher, clock)
    await poll(store, poller, clock)
    report = (await poll(store, poller, clock))[url]
    assert report.outcome == "unchanged"


async def test_edited_entry_is_updated_not_new(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Alpha")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    await subscribe_everything(store, clock())
    poller = make_poller(store, fetcher, clock)
    await poll(store, poller, clock)
    server.set_feed("/feed.xml", rss(("a", "Alpha, corrected")))
    report = (await poll(store, poller, clock))[url]
    assert (report.new, report.queued) == (0, 0)
    page = await store.latest_page(None, 1, 5)
    assert [v.title for v in page.entries] == ["Alpha, corrected"]


async def test_entry_that_drops_out_and_comes_back_is_not_new(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Alpha"), ("b", "Beta")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    await subscribe_everything(store, clock())
    poller = make_poller(store, fetcher, clock)
    await poll(store, poller, clock)
    server.set_feed("/feed.xml", rss(("a", "Alpha")))
    await poll(store, poller, clock)
    server.set_feed("/feed.xml", rss(("a", "Alpha"), ("b", "Beta")))
    report = (await poll(store, poller, clock))[url]
    assert (report.new, report.queued) == (0, 0)


async def test_errors_are_recorded_on_the_feed_and_back_off(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/broken.xml")
    server.set_status("/broken.xml", 500)
    await store.sync_feeds([FeedSpec(url, None)], clock())
    poller = make_poller(store, fetcher, clock)
    first = (await poll(store, poller, clock))[url]
    second = (await poll(store, poller, clock))[url]
    assert first.outcome == second.outcome == "error"
    assert "500" in (second.error or "")
    (state,) = await store.feed_states()
    assert state.error_count == 2
    assert "500" in (state.last_error or "")
    assert state.next_check_at == clock() + timedelta(minutes=20)  # 10 min x 2^(2-1)
    server.set_feed("/broken.xml", rss(("a", "Alpha")))
    await poll(store, poller, clock)
    (state,) = await store.feed_states()
    assert (state.error_count, state.last_error) == (0, None)


async def test_retry_after_and_max_age_set_the_next_check(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    busy, cached = server.url("/busy.xml"), server.url("/cached.xml")
    server.set_status("/busy.xml", 503, retry_after="3600")
    server.set_feed("/cached.xml", rss(("a", "Alpha")), max_age=7200)
    await store.sync_feeds([FeedSpec(busy, None), FeedSpec(cached, None)], clock())
    reports = await poll(store, make_poller(store, fetcher, clock), clock)
    assert reports[busy].next_check_at == clock() + timedelta(hours=1)
    assert reports[cached].next_check_at == clock() + timedelta(hours=2)


async def test_a_document_that_is_not_a_feed_is_an_error_on_its_row(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/page.html")
    server.set_feed(
        "/page.html",
        "<!doctype html><html><body><p>Hello</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    await store.sync_feeds([FeedSpec(url, None)], clock())
    report = (await poll(store, make_poller(store, fetcher, clock), clock))[url]
    assert report.outcome == "error"
    (state,) = await store.feed_states()
    assert "not a feed" in (state.last_error or "")


async def test_one_failing_feed_never_stops_the_others(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    good, slow, missing, bomb = (
        server.url(p) for p in ("/good.xml", "/slow.xml", "/missing.xml", "/bomb.xml")
    )
    server.set_feed("/good.xml", rss(("a", "Alpha")))
    server.set_slow("/slow.xml", b"<rss>", chunk=b" ", interval=0.3)
    server.set_status("/missing.xml", 404)
    server.set_gzip_bomb("/bomb.xml", 200 * 1024 * 1024)
    specs = [FeedSpec(u, None) for u in (slow, missing, bomb, good)]
    await store.sync_feeds(specs, clock())
    reports = await poll(store, make_poller(store, fetcher, clock), clock)
    assert reports[good].outcome == "new"
    assert {reports[u].outcome for u in (slow, missing, bomb)} == {"error"}


async def test_topics_come_from_categories_feed_config_and_rules(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", rss(("a", "Debugging asyncio code")))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    poller = make_poller(
        store,
        fetcher,
        clock,
        feed_topics={url: ("blogs",)},
        rules=compile_rules({"python": ["asyncio"]}),
    )
    await poll(store, poller, clock)
    (entry,) = (await store.latest_page(None, 1, 5)).entries
    assert set(entry.topics) == {"ML", "blogs", "python"}
    assert (await store.latest_page(["python"], 1, 5)).entries[0].title == entry.title


def item(guid: str | None, title: str, link: str) -> str:
    guid_element = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return (
        f"<item>{guid_element}<title>{title}</title><link>{link}</link>"
        f"<description>About {title}</description></item>"
    )


def channel(*items: str) -> str:
    return f'<rss version="2.0"><channel><title>Broken</title>{"".join(items)}</channel></rss>'


REUSED_GUID = {n: item("same", n, f"https://x.example/{n}") for n in ("A", "B", "C")}
ANCHORS = {n: item(None, n, f"https://x.example/day#{n}") for n in ("A", "B", "C")}


@pytest.mark.parametrize(
    ("items", "before"),
    [
        pytest.param(REUSED_GUID, "AB", id="guid-shared-by-two"),
        pytest.param(REUSED_GUID, "A", id="guid-becomes-shared"),
        pytest.param(ANCHORS, "AB", id="links-differing-by-fragment"),
    ],
)
async def test_reused_guid_does_not_overwrite_an_older_entry(
    store: Store,
    server: FeedServer,
    fetcher: Fetcher,
    clock: Clock,
    items: dict[str, str],
    before: str,
) -> None:
    url = server.url("/feed.xml")
    server.set_feed("/feed.xml", channel(*(items[n] for n in before)))
    await store.sync_feeds([FeedSpec(url, None)], clock())
    await subscribe_everything(store, clock())
    poller = make_poller(store, fetcher, clock)
    await poll(store, poller, clock)

    server.set_feed("/feed.xml", channel(items["C"], *(items[n] for n in before)))
    clock.advance(minutes=11)
    report = (await poll(store, poller, clock))[url]

    assert (report.new, report.queued) == (1, 1)
    (delivery,) = await store.claim_deliveries(clock(), timedelta(1), max_chats=5, per_chat=5)
    assert [e.title for e in delivery.entries] == ["C"]
    stored = (await store.latest_page(None, 1, 10)).entries
    assert sorted((e.title, e.text) for e in stored) == [
        (n, f"About {n}") for n in sorted(before + "C")
    ]


async def test_a_result_the_database_refuses_is_an_error_on_that_feed_only(
    store: Store,
    server: FeedServer,
    fetcher: Fetcher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = ("first", "refused", "last")
    urls = [server.url(f"/{name}.xml") for name in names]
    for name in names:
        server.set_feed(f"/{name}.xml", rss((name, name.title())))
    await store.sync_feeds([FeedSpec(url, None) for url in urls], clock())
    record_poll, record_polls = store.record_poll, store.record_polls

    def refuse(records: Sequence[PollRecord]) -> None:
        if any(write.entry.title == "Refused" for r in records for write in r.new):
            raise ValueError("value out of range\nSQL: INSERT INTO entries ...")

    async def one(record: PollRecord) -> PollOutcome:
        refuse([record])
        return await record_poll(record)

    async def many(records: Sequence[PollRecord]) -> list[PollOutcome]:
        refuse(records)
        return await record_polls(records)

    monkeypatch.setattr(store, "record_poll", one)
    monkeypatch.setattr(store, "record_polls", many)
    reports = await poll(store, make_poller(store, fetcher, clock), clock)

    assert [reports[url].outcome for url in urls] == ["new", "error", "new"]
    states = {state.url: state for state in await store.feed_states()}
    refused = states[urls[1]]
    assert refused.last_error == "could not store the result: ValueError: value out of range"
    assert (refused.error_count, refused.next_check_at) == (1, clock() + timedelta(minutes=10))
    assert states[urls[0]].entry_count == states[urls[2]].entry_count == 1
    assert sorted(e.title for e in (await store.latest_page(None, 1, 5)).entries) == [
        "First",
        "Last",
    ]


async def test_characters_postgresql_rejects_never_reach_the_database(
    store: Store, server: FeedServer, fetcher: Fetcher, clock: Clock
) -> None:
    nul_url, ok_url = server.url("/nul.json"), server.url("/ok.xml")
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Nul\u0000s",
        "home_page_url": "https://x.example/\u0000",
        "items": [
            {
                "id": "id-\u0000",
                "url": "https://x.example/a\u0000b",
                "title": "Ti\u0000tle",
                "content_text": "Te\u0000xt",
                "tags": ["M\u0000L"],
            }
        ],
    }
    server.set_feed("/nul.json", json.dumps(document), content_type="application/feed+json")
    server.set_feed("/ok.xml", rss(("a", "Alpha")))
    await store.sync_feeds([FeedSpec(nul_url, None), FeedSpec(ok_url, None)], clock())

    reports = await poll(store, make_poller(store, fetcher, clock), clock)

    assert {reports[nul_url].outcome, reports[ok_url].outcome} == {"new"}
    stored = {e.title: e for e in (await store.latest_page(None, 1, 5)).entries}
    assert (stored["Title"].text, stored["Title"].link) == ("Text", "https://x.example/ab")
    assert {e.title for e in (await store.latest_page(["ml"], 1, 5)).entries} == {"Title", "Alpha"}


class _LongCycleClock(Clock):
    """Jumps ``by`` ahead once ``path`` has been fetched: the cycle has run that long."""

    def __init__(self, start: datetime, server: FeedServer, path: str, by: timedelta) -> None:
        super().__init__(start)
        self._server, self._path, self._by = server, path, by
        self._jumped = False

    def __call__(self) -> datetime:
        if not self._jumped and self._server.hits(self._path):
            self._jumped = True
            self.now += self._by
        return self.now


async def test_a_cycle_polls_only_the_feeds_due_when_it_started(
    store: Store, server: FeedServer, fetcher: Fetcher, now: datetime
) -> None:
    for path in ("/a.xml", "/b.xml", "/later.xml"):
        server.set_feed(path, rss((path, path)))
    first, second, later = (server.url(p) for p in ("/a.xml", "/b.xml", "/later.xml"))
    await store.sync_feeds([FeedSpec(first, None), FeedSpec(second, None)], now)
    # due five minutes after the cycle starts (a new feed is due when it is added)
    specs = [FeedSpec(url, None) for url in (first, second, later)]
    await store.sync_feeds(specs, now + timedelta(minutes=5))
    # The first fetch takes "30 minutes": by then the feed just polled is due again (its
    # interval is 10 minutes) and so is the later one; neither belongs to this cycle.
    clock = _LongCycleClock(now, server, "/a.xml", timedelta(minutes=30))
    poller = make_poller(store, fetcher, clock, batch=1)

    cycle = await poller.poll_due()

    assert [report.url for report in cycle] == [first, second]
    assert server.hits("/a.xml") == 1
    assert server.hits("/later.xml") == 0
    # the next cycle takes what fell due meanwhile, the oldest due first, and ends too
    after = await poller.poll_due()
    assert [report.url for report in after] == [later, first]
    assert [server.hits(p) for p in ("/a.xml", "/b.xml", "/later.xml")] == [2, 1, 1]


async def test_feeds_due_a_moment_after_a_cycle_starts_join_it(
    store: Store, server: FeedServer, fetcher: Fetcher, now: datetime
) -> None:
    # feeds of one interval polled together fall due milliseconds apart: one cycle (one
    # transmission per chat), not a cycle each; a feed due seconds later waits
    for path in ("/a.xml", "/b.xml", "/c.xml"):
        server.set_feed(path, rss((path, path)))
    a, b, c = (server.url(p) for p in ("/a.xml", "/b.xml", "/c.xml"))
    await store.sync_feeds([FeedSpec(a, None)], now)
    await store.sync_feeds([FeedSpec(a, None), FeedSpec(b, None)], now + timedelta(seconds=0.3))
    specs = [FeedSpec(url, None) for url in (a, b, c)]
    await store.sync_feeds(specs, now + timedelta(seconds=5))
    poller = make_poller(store, fetcher, Clock(now))

    cycle = await poller.poll_due()

    assert sorted(report.url for report in cycle) == sorted([a, b])
    assert server.hits("/c.xml") == 0
