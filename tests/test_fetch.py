"""bot.ingest.fetch against the real local feed server (tests/feedserver.py): no mocks."""

from __future__ import annotations

import asyncio
import gc
import gzip
import socket
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
import psutil
import pytest

from bot.config.schema import PollingConfig
from bot.domain import CacheValidators, FetchResult, FetchStatus
from bot.ingest.fetch import USER_AGENT, Fetcher, FetchLimits
from tests.feedserver import Encoding, FeedServer, compressed_spaces, encode_body

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Signals</title>
<item><title>First light</title><guid>tx-1</guid><description>Hello, 世界</description></item>
</channel></rss>
"""
RSS_BYTES = RSS.encode()
MiB = 1 << 20


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
async def fetcher(server: FeedServer) -> AsyncIterator[Fetcher]:
    # Depends on `server` so that the client closes before the server stops.
    async with Fetcher(FetchLimits(timeout=10)) as client:
        yield client


def assert_error(result: FetchResult, error: str, *, transient: bool) -> None:
    assert result.status is FetchStatus.ERROR, result
    assert result.error is not None
    assert error in result.error, result.error
    assert "\n" not in result.error
    assert result.transient is transient
    assert result.body is None


# --------------------------------------------------------------------------- validators


async def test_ok_then_conditional_get_is_not_modified(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/feed.xml", RSS)
    first = await fetcher.fetch(server.url("/feed.xml"))
    assert first.status is FetchStatus.OK
    assert first.http_status == 200
    assert first.body == RSS_BYTES
    assert first.final_url == server.url("/feed.xml")
    assert (first.validators.etag or "").startswith('"')
    assert (first.validators.last_modified or "").endswith("GMT")
    assert first.headers["content-type"] == "application/rss+xml; charset=utf-8"

    second = await fetcher.fetch(server.url("/feed.xml"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.http_status == 304
    assert second.body is None
    assert second.validators == first.validators
    sent = server.requests_for("/feed.xml")[1].headers
    assert sent["if-none-match"] == first.validators.etag
    assert sent["if-modified-since"] == first.validators.last_modified


async def test_last_modified_alone_makes_the_get_conditional(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/lm.xml", RSS, etag=False)
    first = await fetcher.fetch(server.url("/lm.xml"))
    assert first.validators.etag is None
    assert first.validators.last_modified is not None

    second = await fetcher.fetch(server.url("/lm.xml"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.validators == first.validators
    sent = server.requests_for("/lm.xml")[1].headers
    assert "if-none-match" not in sent
    assert sent["if-modified-since"] == first.validators.last_modified


async def test_changed_body_comes_back_with_new_validators(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/feed.xml", RSS)
    first = await fetcher.fetch(server.url("/feed.xml"))
    server.set_feed("/feed.xml", RSS.replace("First light", "Second light"))
    second = await fetcher.fetch(server.url("/feed.xml"), first.validators)
    assert second.status is FetchStatus.OK
    assert b"Second light" in (second.body or b"")
    assert second.validators.etag != first.validators.etag
    assert second.validators.last_modified != first.validators.last_modified


async def test_server_ignoring_validators_sends_the_same_body_again(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/stubborn.xml", RSS, ignore_validators=True)
    first = await fetcher.fetch(server.url("/stubborn.xml"))
    second = await fetcher.fetch(server.url("/stubborn.xml"), first.validators)
    assert second.status is FetchStatus.OK
    assert second.body == first.body == RSS_BYTES
    assert second.validators == first.validators


async def test_not_modified_keeps_old_validators_and_takes_new_ones(
    server: FeedServer, fetcher: Fetcher
) -> None:
    old = CacheValidators(etag='"v1"', last_modified="Mon, 02 Jan 2023 03:04:05 GMT")
    server.set_response("/bare304", status=304)
    bare = await fetcher.fetch(server.url("/bare304"), old)
    assert bare.status is FetchStatus.NOT_MODIFIED
    assert bare.validators == old

    server.set_response("/fresh304", status=304, headers={"ETag": '"v2"'})
    fresh = await fetcher.fetch(server.url("/fresh304"), old)
    assert fresh.validators == CacheValidators(etag='"v2"', last_modified=old.last_modified)


async def test_if_none_match_wins_over_if_modified_since(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/feed.xml", RSS)
    first = await fetcher.fetch(server.url("/feed.xml"))
    stale_tag = CacheValidators(etag='"other"', last_modified=first.validators.last_modified)
    again = await fetcher.fetch(server.url("/feed.xml"), stale_tag)
    assert again.status is FetchStatus.OK


# --------------------------------------------------------------------------- cache hints


async def test_cache_control_max_age_on_200_and_304(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_feed("/cached.xml", RSS, max_age=900)
    first = await fetcher.fetch(server.url("/cached.xml"))
    assert first.max_age == timedelta(seconds=900)
    second = await fetcher.fetch(server.url("/cached.xml"), first.validators)
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.max_age == timedelta(seconds=900)


@pytest.mark.parametrize(
    ("cache_control", "expected"),
    [
        ("public, max-age=60, must-revalidate", 60),
        ('max-age="120"', 120),
        ("no-cache", None),
        ("max-age=soon", None),
        ("max-age=99999999999999999999", 10 * 365 * 86400),
    ],
)
async def test_max_age_parsing(
    server: FeedServer, fetcher: Fetcher, cache_control: str, expected: int | None
) -> None:
    server.set_response("/cc.xml", RSS, headers={"Cache-Control": cache_control})
    result = await fetcher.fetch(server.url("/cc.xml"))
    assert result.max_age == (None if expected is None else timedelta(seconds=expected))


async def test_retry_after_in_seconds(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_status("/busy", 503, retry_after="120")
    result = await fetcher.fetch(server.url("/busy"))
    assert_error(result, "HTTP 503 Service Unavailable", transient=True)
    assert result.retry_after == timedelta(seconds=120)


async def test_retry_after_as_http_date(server: FeedServer, fetcher: Fetcher) -> None:
    later = datetime.now(UTC) + timedelta(seconds=90)
    server.set_status("/slowdown", 429, retry_after=format_datetime(later, usegmt=True))
    result = await fetcher.fetch(server.url("/slowdown"))
    assert_error(result, "HTTP 429 Too Many Requests", transient=True)
    assert result.retry_after is not None
    assert timedelta(seconds=80) <= result.retry_after <= timedelta(seconds=95)


async def test_unreadable_retry_after_is_ignored(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_status("/busy", 503, retry_after="whenever")
    result = await fetcher.fetch(server.url("/busy"))
    assert result.status is FetchStatus.ERROR
    assert result.retry_after is None


# --------------------------------------------------------------------------- HTTP errors


@pytest.mark.parametrize(
    ("status", "error", "transient"),
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", False),
        (401, "HTTP 401 Unauthorized", False),
        (403, "HTTP 403 Forbidden", False),
        (408, "HTTP 408 Request Timeout", True),
        (500, "HTTP 500 Internal Server Error", True),
        (502, "HTTP 502 Bad Gateway", True),
        (300, "HTTP 300 Multiple Choices", False),  # a 3xx without Location
    ],
)
async def test_http_error_statuses(
    server: FeedServer, fetcher: Fetcher, status: int, error: str, transient: bool
) -> None:
    server.set_status("/err", status, body="details nobody reads")
    result = await fetcher.fetch(server.url("/err"))
    assert_error(result, error, transient=transient)
    assert result.error == error
    assert result.http_status == status
    assert result.final_url == server.url("/err")
    assert result.retry_after is None


async def test_removed_path_is_a_404(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_feed("/gone.xml", RSS)
    server.remove("/gone.xml")
    result = await fetcher.fetch(server.url("/gone.xml"))
    assert_error(result, "HTTP 404 Not Found", transient=False)


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
async def test_compressed_bodies_are_decoded(
    server: FeedServer, fetcher: Fetcher, encoding: Encoding
) -> None:
    server.set_feed("/packed.xml", RSS * 50, encoding=encoding)
    result = await fetcher.fetch(server.url("/packed.xml"))
    assert result.status is FetchStatus.OK, result.error
    assert result.body == RSS_BYTES * 50
    assert "content-encoding" not in result.headers
    assert "content-length" not in result.headers
    assert server.requests_for("/packed.xml")[0].headers["accept-encoding"] == "gzip, deflate, br"


async def test_gzip_with_several_members_and_trailing_zeros(
    server: FeedServer, fetcher: Fetcher
) -> None:
    body = gzip.compress(b"<rss>") + gzip.compress(b"</rss>") + b"\x00\x00"
    server.set_response("/members.xml", body, headers={"Content-Encoding": "gzip"})
    result = await fetcher.fetch(server.url("/members.xml"))
    assert result.body == b"<rss></rss>"


async def test_stacked_encodings_are_undone_in_reverse(
    server: FeedServer, fetcher: Fetcher
) -> None:
    body = brotli.compress(gzip.compress(RSS_BYTES))
    server.set_response("/stacked.xml", body, headers={"Content-Encoding": "gzip, br"})
    result = await fetcher.fetch(server.url("/stacked.xml"))
    assert result.body == RSS_BYTES


async def test_gzip_without_content_encoding_is_passed_on(
    server: FeedServer, fetcher: Fetcher
) -> None:
    packed = gzip.compress(RSS_BYTES)
    server.set_response("/feed.xml.gz", packed, headers={"Content-Type": "application/x-gzip"})
    result = await fetcher.fetch(server.url("/feed.xml.gz"))
    assert result.body == packed  # the parser unpacks it


@pytest.mark.parametrize(
    ("body", "encoding", "error", "transient"),
    [
        (b"plain text, not gzip", "gzip", "cannot decode gzip body", False),
        (b"\x78\x9c not zlib data either", "deflate", "cannot decode deflate body", False),
        (b"\xff\xff\xff\xff garbage", "br", "cannot decode br body", False),
        (gzip.compress(RSS_BYTES * 20, mtime=0)[:60], "gzip", "truncated gzip body", True),
        (brotli.compress(RSS_BYTES * 20)[:30], "br", "truncated br body", True),
        (b"whatever", "zstd", "unsupported Content-Encoding 'zstd'", False),
    ],
    ids=["not-gzip", "not-deflate", "not-br", "truncated-gzip", "truncated-br", "zstd"],
)
async def test_undecodable_bodies(
    server: FeedServer,
    fetcher: Fetcher,
    body: bytes,
    encoding: str,
    error: str,
    transient: bool,
) -> None:
    server.set_response("/bad.xml", body, headers={"Content-Encoding": encoding})
    result = await fetcher.fetch(server.url("/bad.xml"))
    assert_error(result, error, transient=transient)
    assert result.http_status == 200


# --------------------------------------------------------------------------- size cap


class PeakRss:
    """Samples this process's resident memory in a thread while the block runs."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.baseline = 0
        self.peak = 0

    def __enter__(self) -> PeakRss:
        gc.collect()
        self.baseline = self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample_once()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self._sample_once()

    def _sample_once(self) -> None:
        self.peak = max(self.peak, self._process.memory_info().rss)


async def test_gzip_bomb_is_cut_off_without_inflating_it(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_gzip_bomb("/bomb.xml", 200 * MiB)  # ~200 KB on the wire
    with PeakRss() as rss:
        result = await fetcher.fetch(server.url("/bomb.xml"))
    assert_error(result, "body larger than 10 MiB", transient=False)
    assert result.http_status == 200
    # The 10 MiB kept before the cap, plus noise. Inflating each network chunk whole (what
    # httpx does) adds about 64 MiB at once; inflating the whole bomb, 200 MiB.
    assert rss.growth < 32 * MiB, f"RSS grew by {rss.growth / MiB:.0f} MiB"


@pytest.mark.parametrize("encoding", ["deflate", "deflate-raw", "br"])
async def test_other_bombs_are_cut_off_too(server: FeedServer, encoding: Encoding) -> None:
    server.set_gzip_bomb("/bomb.xml", 64 * MiB, encoding=encoding)
    async with Fetcher(FetchLimits(max_bytes=MiB)) as fetcher:
        with PeakRss() as rss:
            result = await fetcher.fetch(server.url("/bomb.xml"))
    assert_error(result, "body larger than 1 MiB", transient=False)
    assert rss.growth < 16 * MiB, f"RSS grew by {rss.growth / MiB:.0f} MiB"


@pytest.mark.parametrize("content_length", [True, False])
async def test_huge_plain_body_is_refused(server: FeedServer, content_length: bool) -> None:
    server.set_huge("/huge.xml", 8 * MiB, content_length=content_length)
    async with Fetcher(FetchLimits(max_bytes=MiB)) as fetcher:
        result = await fetcher.fetch(server.url("/huge.xml"))
    assert_error(result, "body larger than 1 MiB", transient=False)


@pytest.mark.parametrize("encoding", [None, "gzip", "br"])
async def test_cap_is_on_decoded_bytes_and_inclusive(
    server: FeedServer, encoding: Encoding | None
) -> None:
    body = b"<rss>" + b"x" * 4090 + b"</rss>"
    server.set_feed("/edge.xml", body, encoding=encoding)
    async with Fetcher(FetchLimits(max_bytes=len(body))) as exact:
        assert (await exact.fetch(server.url("/edge.xml"))).body == body
    async with Fetcher(FetchLimits(max_bytes=len(body) - 1)) as short:
        result = await short.fetch(server.url("/edge.xml"))
    assert_error(result, "body larger than", transient=False)


# --------------------------------------------------------------------------- time limits


async def test_trickling_server_hits_the_total_timeout(server: FeedServer) -> None:
    server.set_slow("/slow.xml", interval=0.05)  # a byte every 50 ms: reads never time out
    async with Fetcher(FetchLimits(timeout=1)) as fetcher:
        result = await fetcher.fetch(server.url("/slow.xml"))
    assert_error(result, "timed out after 1s", transient=True)


async def test_silent_server_hits_the_read_timeout(server: FeedServer) -> None:
    server.set_slow("/stalled.xml", interval=30)
    async with Fetcher(FetchLimits(timeout=10, read_timeout=0.3)) as fetcher:
        result = await fetcher.fetch(server.url("/stalled.xml"))
    assert_error(result, "read timed out after 0.3s", transient=True)


# --------------------------------------------------------------------------- redirects


async def test_redirect_chain_is_followed_and_final_url_recorded(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_feed("/new/feed.xml", RSS)
    server.set_redirect("/old.xml", "/step1", 301)
    server.set_redirect("/step1", server.url("/step2"), 302)  # absolute Location
    server.set_redirect("/step2", "new/feed.xml", 308)  # relative to /step2
    result = await fetcher.fetch(server.url("/old.xml"))
    assert result.status is FetchStatus.OK, result.error
    assert result.url == server.url("/old.xml")
    assert result.final_url == server.url("/new/feed.xml")
    assert result.body == RSS_BYTES


async def test_redirect_loop_is_an_error(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_redirect("/ping", "/pong")
    server.set_redirect("/pong", "/ping")
    result = await fetcher.fetch(server.url("/ping"))
    assert_error(result, "redirect loop or more than 5 redirects", transient=False)
    assert server.hits("/ping") + server.hits("/pong") == 6  # the first request and 5 hops


async def test_max_redirects_is_the_number_of_hops_allowed(server: FeedServer) -> None:
    server.set_feed("/end.xml", RSS)
    server.set_redirect("/hop2", "/end.xml")
    server.set_redirect("/hop1", "/hop2")
    server.set_redirect("/hop0", "/hop1")
    async with Fetcher(FetchLimits(max_redirects=2)) as fetcher:
        two_hops = await fetcher.fetch(server.url("/hop1"))
        three_hops = await fetcher.fetch(server.url("/hop0"))
    assert two_hops.status is FetchStatus.OK
    assert_error(three_hops, "more than 2 redirects", transient=False)


# --------------------------------------------------------------------------- connections


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_connection_refused(fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"http://127.0.0.1:{_free_port()}/feed.xml")
    assert_error(result, "connection refused", transient=True)
    assert result.http_status is None
    assert result.final_url is None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://example.org/feed.xml",
        "http://",
        "file:///etc/passwd",
        "http://[::1",
        "http://[::1]:99999/feed.xml",
    ],
)
async def test_invalid_urls(fetcher: Fetcher, url: str) -> None:
    assert_error(await fetcher.fetch(url), "invalid URL", transient=False)


async def test_user_agent_and_accept_headers(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_feed("/feed.xml", RSS)
    await fetcher.fetch(server.url("/feed.xml"))
    headers = server.requests_for("/feed.xml")[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("Transmission-feedbot/")
    assert "application/rss+xml" in headers["accept"]


# --------------------------------------------------------------------------- concurrency


async def test_per_host_cap(server: FeedServer) -> None:
    urls = [server.url(f"/feed{i}.xml") for i in range(6)]
    for i in range(6):
        server.set_feed(f"/feed{i}.xml", RSS, delay=0.15)
    async with Fetcher(FetchLimits(per_host=2, concurrency=20)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        assert len(fetcher._hosts) == 0  # per-host semaphores are dropped when idle
    assert all(r.status is FetchStatus.OK for r in results)
    assert server.peak_in_flight() == 2


async def test_overall_cap_across_hosts() -> None:
    with FeedServer(listeners=3) as server:  # three ports: three hosts for the client
        for i in range(3):
            server.set_feed(f"/feed{i}.xml", RSS, delay=0.15)
        urls = [server.url(f"/feed{i}.xml", listener=n) for i in range(3) for n in range(3)]
        async with Fetcher(FetchLimits(per_host=2, concurrency=3)) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        assert all(r.status is FetchStatus.OK for r in results)
        assert server.peak_in_flight() == 3
        assert all(server.peak_in_flight(port=port) <= 2 for port in server.ports)


# --------------------------------------------------------------------------- limits


def test_limits_from_config() -> None:
    polling = PollingConfig(
        timeout=5,
        connect_timeout=20,
        max_bytes=4096,
        max_redirects=3,
        concurrency=4,
        per_host=8,
    )
    assert FetchLimits.from_config(polling) == FetchLimits(
        timeout=5,
        connect_timeout=5,  # no single wait longer than the whole fetch
        read_timeout=5,
        max_bytes=4096,
        max_redirects=3,
        concurrency=4,
        per_host=4,
    )


@pytest.mark.parametrize(
    "bad", [{"timeout": 0}, {"read_timeout": -1}, {"max_bytes": 0}, {"max_redirects": -1}]
)
def test_limits_reject_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|may not"):
        FetchLimits(**bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the server itself


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
@pytest.mark.parametrize("size", [0, 1, 3 * MiB + 12345])
def test_bomb_streams_are_valid(encoding: Encoding, size: int) -> None:
    packed = compressed_spaces(size, encoding)
    unpack = {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,
        "deflate-raw": lambda data: zlib.decompress(data, -zlib.MAX_WBITS),
        "br": brotli.decompress,
    }[encoding]
    assert unpack(packed) == b" " * size
    if size > MiB:
        assert len(packed) < size // 500


def test_encode_body_round_trips() -> None:
    assert gzip.decompress(encode_body(RSS_BYTES, "gzip")) == RSS_BYTES
    assert brotli.decompress(encode_body(RSS_BYTES, "br")) == RSS_BYTES


@pytest.mark.parametrize("size", [10, 200, 300_000])
async def test_huge_body_has_the_exact_size(server: FeedServer, size: int) -> None:
    server.set_huge("/huge.xml", size, content_length=False)
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(server.url("/huge.xml"))
    assert result.body is not None
    assert len(result.body) == size
    if size > 200:
        assert result.body.startswith(b"<?xml")
        assert result.body.endswith(b"</rss>\n")


def test_server_records_requests_from_sync_code(server: FeedServer) -> None:
    server.set_feed("/sync.xml", RSS)
    with socket.create_connection(("127.0.0.1", server.ports[0])) as conn:
        conn.sendall(
            b"GET /sync.xml HTTP/1.1\r\nHost: x\r\nX-Probe: yes\r\nConnection: close\r\n\r\n"
        )
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert server.hits("/sync.xml") == 1
    assert server.requests[0].headers["x-probe"] == "yes"
    server.reset_stats()
    assert server.hits("/sync.xml") == 0
    assert server.requests == []


async def test_cookies_from_one_feed_never_reach_another(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.set_response("/sets-cookie.xml", "<rss/>", headers={"Set-Cookie": "session=abc; Path=/"})
    server.set_feed("/other.xml", "<rss/>")
    await fetcher.fetch(server.url("/sets-cookie.xml"))
    await fetcher.fetch(server.url("/other.xml"))
    await fetcher.fetch(server.url("/sets-cookie.xml"))
    assert all("cookie" not in r.headers for r in server.requests)
