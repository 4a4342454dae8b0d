"""Feeds through proxies: the fetcher against real local HTTP and SOCKS5 proxies."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.domain import FetchStatus
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.proxies import DIRECT, ProxyRoutes
from tests.feedserver import FeedServer
from tests.proxies import HttpProxy, SocksProxy

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    "<item><guid>1</guid><title>One</title></item></channel></rss>"
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(listeners=2) as running:
        running.set_feed("/feed.xml", RSS)
        yield running


@pytest.fixture(params=["http", "socks5"])
def proxy(request: pytest.FixtureRequest) -> Iterator[HttpProxy | SocksProxy]:
    kind = HttpProxy if request.param == "http" else SocksProxy
    with kind(user="feeds", password="s3cret-pw") as running:
        yield running


def port_of(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


async def test_polling_proxy_carries_every_feed_fetch(
    server: FeedServer, proxy: HttpProxy | SocksProxy
) -> None:
    url = server.url("/feed.xml")
    async with Fetcher(FetchLimits(timeout=10), routes=ProxyRoutes(proxy.url)) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status is FetchStatus.OK, result.error
    assert result.body is not None
    assert b"<title>One</title>" in result.body
    assert proxy.connections_to(port_of(url)) >= 1
    assert proxy.refused == 0


async def test_a_feed_marked_direct_bypasses_the_polling_proxy(
    server: FeedServer, proxy: HttpProxy | SocksProxy
) -> None:
    proxied, direct = server.url("/feed.xml", listener=0), server.url("/feed.xml", listener=1)
    routes = ProxyRoutes(proxy.url, per_feed={direct: DIRECT})
    async with Fetcher(FetchLimits(timeout=10), routes=routes) as fetcher:
        results = [await fetcher.fetch(proxied), await fetcher.fetch(direct)]
    assert [r.status for r in results] == [FetchStatus.OK, FetchStatus.OK]
    assert proxy.connections_to(port_of(proxied)) >= 1
    assert proxy.connections_to(port_of(direct)) == 0


async def test_a_feed_may_have_its_own_proxy(
    server: FeedServer, proxy: HttpProxy | SocksProxy
) -> None:
    own, plain = server.url("/feed.xml", listener=0), server.url("/feed.xml", listener=1)
    async with Fetcher(
        FetchLimits(timeout=10), routes=ProxyRoutes(None, per_feed={own: proxy.url})
    ) as fetcher:
        results = [await fetcher.fetch(own), await fetcher.fetch(plain)]
    assert [r.status for r in results] == [FetchStatus.OK, FetchStatus.OK]
    assert proxy.connections_to(port_of(own)) >= 1
    assert proxy.connections_to(port_of(plain)) == 0


# httpcore leaves the socket of a refused SOCKS5 handshake to the garbage collector (its
# Socks5Connection raises without closing the stream): collected here, inside this test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_wrong_proxy_credentials_are_an_error_without_the_password(
    server: FeedServer, proxy: HttpProxy | SocksProxy
) -> None:
    wrong = proxy.url.replace("s3cret-pw", "wrong-pw")
    async with Fetcher(FetchLimits(timeout=10), routes=ProxyRoutes(wrong)) as fetcher:
        result = await fetcher.fetch(server.url("/feed.xml"))
    gc.collect()
    assert result.status is FetchStatus.ERROR
    assert result.error is not None
    assert "wrong-pw" not in result.error
    assert "s3cret-pw" not in result.error
    assert proxy.refused >= 1
    assert proxy.total() == 0


async def test_the_environment_proxy_is_not_used(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpProxy() as trap:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, trap.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with Fetcher(FetchLimits(timeout=10)) as fetcher:
            result = await fetcher.fetch(server.url("/feed.xml"))
        assert result.status is FetchStatus.OK, result.error
        assert trap.total() == 0


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_socks5_leaves_the_host_name_to_the_proxy(server: FeedServer, scheme: str) -> None:
    """The proxy resolves the feed's host (a name only it may know), for both schemes."""
    with SocksProxy() as socks:
        url = server.url("/feed.xml").replace("127.0.0.1", "localhost")
        routes = ProxyRoutes(socks.url.replace("socks5://", f"{scheme}://"))
        async with Fetcher(FetchLimits(timeout=10), routes=routes) as fetcher:
            result = await fetcher.fetch(url)
        assert result.status is FetchStatus.OK, result.error
        assert socks.connections_to(port_of(url)) == 1
        assert socks.targets() == [f"localhost:{port_of(url)}"]


async def test_an_unreachable_proxy_is_named_in_the_feed_s_error(server: FeedServer) -> None:
    with HttpProxy() as gone:
        url = gone.url.replace("http://", "http://user:hunter2@")
    async with Fetcher(FetchLimits(timeout=10), routes=ProxyRoutes(url)) as fetcher:
        result = await fetcher.fetch(server.url("/feed.xml"))
    assert result.status is FetchStatus.ERROR
    assert result.error == f"connection refused (through the proxy http://127.0.0.1:{gone.port})"
    assert result.reason == "refused"


def test_routes_pick_the_feed_s_own_proxy_then_the_default() -> None:
    routes = ProxyRoutes(
        "http://p:1", per_feed={"https://a/": DIRECT, "https://b/": "socks5://q:2"}
    )
    assert routes.for_url("https://a/") is None
    assert routes.for_url("https://b/") == "socks5://q:2"
    assert routes.for_url("https://c/") == "http://p:1"
    assert routes.proxies() == ["http://p:1", None, "socks5://q:2"]
    assert ProxyRoutes().proxies() == [None]
