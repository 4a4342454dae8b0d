"""Feeds that fight back, through the real ``feedbot poll --once`` and ``feedbot preview``
processes against a local hostile server: slow and memory-hungry documents (bounded by the
parse workers), an unlabelled gzip bomb, too many entries, an unasked 304, Hexo's untyped
HTML, and redirects into link-local addresses."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml

from bot.domain import FetchStatus
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.identity import MAX_TEXT_CHARS
from tests.feedserver import FeedServer, long_description_rss, many_entries_rss

pytestmark = pytest.mark.e2e

MB = 1 << 20
#: what the main process may use, whatever the documents (the issue's bound for `run`)
MAIN_PROCESS_LIMIT = 150 * MB


def small_feed(name: str, count: int = 3) -> str:
    items = "".join(
        f"<item><title>{name} {i}</title><guid>{name}-{i}</guid>"
        f"<description>&lt;p&gt;Text {i}&lt;/p&gt;</description></item>"
        for i in range(count)
    )
    return f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'


class PeakMemory:
    """Samples the RSS of a process (and, separately, of its children) until stopped."""

    def __init__(self, pid: int) -> None:
        self._process = psutil.Process(pid)
        self.main = 0
        self.children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            try:
                self.main = max(self.main, self._process.memory_info().rss)
                kids = self._process.children(recursive=True)
                self.children = max(self.children, sum(_rss(kid) for kid in kids))
            except psutil.Error:
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


def run_cli(
    folder: Path, *args: str, timeout: float = 240.0
) -> tuple[subprocess.CompletedProcess[str], PeakMemory]:
    with subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        peak = PeakMemory(process.pid)
        out, err = process.communicate(timeout=timeout)
        peak.stop()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), peak


def write_config(folder: Path, feeds: list[str], **polling: Any) -> Path:
    config = {
        "database": {"url": f"sqlite:///{folder / 'feeds.db'}"},
        "polling": {"per_host": 10, **polling},
        "feeds": [{"url": url, "name": url.rsplit("/", 1)[-1]} for url in feeds],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def poll_once(
    folder: Path, feeds: list[str], **polling: Any
) -> tuple[dict[str, str], str, PeakMemory]:
    """Run ``feedbot poll --once``: (line per feed name, whole stdout, peak memory)."""
    config = write_config(folder, feeds, **polling)
    done, peak = run_cli(folder, "poll", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    lines = {}
    for line in done.stdout.splitlines()[:-1]:
        name = line.split(":", 1)[0].split()[-1]
        lines[name] = line
    return lines, done.stdout, peak


def feed_rows(folder: Path) -> dict[str, tuple[int, str | None]]:
    with sqlite3.connect(folder / "feeds.db") as db:
        rows = db.execute("SELECT url, error_count, last_error FROM feeds").fetchall()
    return {url.rsplit("/", 1)[-1]: (count, error) for url, count, error in rows}


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


# --------------------------------------------------------------------------- time and memory


def test_a_slow_document_gets_the_time_error_and_the_others_finish(
    server: FeedServer, tmp_path: Path
) -> None:
    server.set_feed("/many.xml", many_entries_rss(100_000))  # ~20 s of feedparser's CPU
    urls = [server.url("/many.xml")]
    for name in ("one", "two", "three", "four"):
        server.set_feed(f"/{name}.xml", small_feed(name))
        urls.append(server.url(f"/{name}.xml"))

    lines, out, peak = poll_once(tmp_path, urls, parse_timeout="2s", parse_workers=2)

    assert lines["many.xml"].startswith("ERROR  many.xml: took longer than 2 s to parse (retry in")
    for name in ("one", "two", "three", "four"):
        assert lines[f"{name}.xml"].startswith(f"OK     {name}.xml: 3 entries, 3 new"), out
    assert feed_rows(tmp_path)["many.xml"] == (1, "took longer than 2 s to parse")
    assert peak.main < MAIN_PROCESS_LIMIT, f"main process peaked at {peak.main / MB:.0f} MB"


def test_a_memory_hungry_document_gets_the_memory_error(server: FeedServer, tmp_path: Path) -> None:
    server.set_feed("/long.xml", many_entries_rss(100_000))  # 128-256 MB (2026-12-02)
    server.set_feed("/fine.xml", small_feed("fine"))
    urls = [server.url("/long.xml"), server.url("/fine.xml")]

    lines, out, peak = poll_once(
        tmp_path, urls, parse_timeout="5m", parse_memory=128 * MB, parse_workers=1
    )

    assert lines["long.xml"].startswith("ERROR  long.xml: needs more than 128 MB to parse"), out
    assert lines["fine.xml"].startswith("OK     fine.xml: 3 entries"), out  # a fresh worker
    assert peak.main < MAIN_PROCESS_LIMIT, f"main process peaked at {peak.main / MB:.0f} MB"


def test_a_9_mb_description_parses_within_256_mb_and_is_stored_cut(
    server: FeedServer, tmp_path: Path
) -> None:
    server.set_feed("/long.xml", long_description_rss(9 * MB))  # 112-128 MB (2026-12-02)

    lines, out, peak = poll_once(tmp_path, [server.url("/long.xml")], parse_memory="256MB")

    assert lines["long.xml"].startswith("OK     long.xml: 1 entries, 1 new"), out
    with sqlite3.connect(tmp_path / "feeds.db") as db:
        (length,) = db.execute("SELECT length(text) FROM entries").fetchone()
    assert 0 < length <= MAX_TEXT_CHARS
    assert peak.main < MAIN_PROCESS_LIMIT, f"main process peaked at {peak.main / MB:.0f} MB"


# --------------------------------------------------------------------------- size bounds


def test_an_unlabelled_gzip_bomb_is_refused_at_max_bytes(
    server: FeedServer, tmp_path: Path
) -> None:
    big = small_feed("big").replace("</channel>", " " * (31 * MB) + "</channel>")
    server.set_unlabelled_gzip("/bomb.xml", big)

    lines, out, peak = poll_once(tmp_path, [server.url("/bomb.xml")])
    done, _ = run_cli(tmp_path, "preview", server.url("/bomb.xml"))

    refusal = "body larger than 10 MiB once unpacked (gzip sent without Content-Encoding)"
    assert lines["bomb.xml"].startswith(f"ERROR  bomb.xml: {refusal}"), out
    assert done.returncode != 0
    assert refusal in done.stderr
    assert peak.main < MAIN_PROCESS_LIMIT


def test_max_entries_keeps_the_newest(server: FeedServer, tmp_path: Path) -> None:
    days = [12, 3, 28, 19, 7, 25, 1, 22, 15, 9]
    items = "".join(
        f"<item><title>day {day}</title><guid>d{day}</guid>"
        f"<pubDate>{day:02d} Oct 2026 08:00:00 GMT</pubDate></item>"
        for day in days
    )
    server.set_feed(
        "/dated.xml", f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'
    )

    lines, out, _ = poll_once(tmp_path, [server.url("/dated.xml")], max_entries=4)

    assert lines["dated.xml"].startswith("OK     dated.xml: 4 entries, 4 new"), out
    with sqlite3.connect(tmp_path / "feeds.db") as db:
        titles = {row[0] for row in db.execute("SELECT title FROM entries")}
    assert titles == {"day 28", "day 25", "day 22", "day 19"}


# --------------------------------------------------------------------------- protocol


def test_a_304_to_an_unconditional_request_is_an_error(server: FeedServer, tmp_path: Path) -> None:
    server.set_response("/unasked.xml", status=304)

    lines, out, _ = poll_once(tmp_path, [server.url("/unasked.xml")])

    assert lines["unasked.xml"].startswith(
        "ERROR  unasked.xml: HTTP 304 Not Modified to a request without validators"
    ), out
    count, error = feed_rows(tmp_path)["unasked.xml"]
    assert count == 1
    assert "without validators" in (error or "")


def test_hexo_content_reads_as_text_in_poll_and_preview(server: FeedServer, tmp_path: Path) -> None:
    hexo = (Path(__file__).parent / "fixtures" / "generators" / "hexo.xml").read_bytes()
    server.set_feed("/atom.xml", hexo, content_type="application/atom+xml")

    lines, out, _ = poll_once(tmp_path, [server.url("/atom.xml")])
    done, _ = run_cli(tmp_path, "preview", server.url("/atom.xml"))

    assert lines["atom.xml"].startswith("OK     atom.xml: 3 entries"), out
    with sqlite3.connect(tmp_path / "feeds.db") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM entries")]
    assert len(texts) == 3
    assert not any("<" in text and ">" in text for text in texts), texts
    assert done.returncode == 0, done.stderr
    assert (
        "随着蒸馏流程不断成熟，教师模型可以在训练中途替换。下面是最小的配置： [代码]" in done.stdout
    )
    assert "<p>" not in done.stdout
    assert "figure" not in done.stdout


# --------------------------------------------------------------------------- link-local


class _PeerAs(httpx.AsyncBaseTransport):
    """The real transport, but responses for ``path`` report ``address`` as their peer
    (no test machine can serve from 169.254.169.254 itself)."""

    def __init__(self, path: str, address: str) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._path = path
        self._address = address

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.url.path == self._path:
            response.extensions = {**response.extensions, "network_stream": _Peer(self._address)}
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Peer:
    def __init__(self, address: str) -> None:
        self._address = address

    def get_extra_info(self, info: str) -> Any:
        return (self._address, 80) if info == "server_addr" else None


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "::ffff:169.254.1.1"])
async def test_a_redirect_into_link_local_is_refused(server: FeedServer, address: str) -> None:
    server.set_redirect("/start.xml", "/metadata.xml")
    server.set_feed("/metadata.xml", small_feed("secret"))
    transport = _PeerAs("/metadata.xml", address)

    async with Fetcher(FetchLimits(), transport=transport) as fetcher:
        refused = await fetcher.fetch(server.url("/start.xml"))
    allowing = FetchLimits(allow_link_local=True)
    async with Fetcher(allowing, transport=_PeerAs("/metadata.xml", address)) as fetcher:
        allowed = await fetcher.fetch(server.url("/start.xml"))

    assert refused.status is FetchStatus.ERROR
    shown = address.removeprefix("::ffff:")
    assert refused.error == (
        f"refused: redirected to {shown}, a link-local address (cloud metadata services "
        "live there); set polling.allow_link_local to follow it"
    )
    assert refused.transient is False
    assert allowed.status is FetchStatus.OK


async def test_the_connected_address_is_what_is_checked(server: FeedServer) -> None:
    """Loopback stays allowed, and the check reads the socket's real peer address."""
    server.set_feed("/local.xml", small_feed("local"))
    seen: list[Any] = []

    class Spy(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            seen.append(response.extensions["network_stream"].get_extra_info("server_addr"))
            return response

    async with Fetcher(FetchLimits(), transport=Spy()) as fetcher:
        result = await fetcher.fetch(server.url("/local.xml"))

    assert result.status is FetchStatus.OK
    assert seen[0][0] == "127.0.0.1"
