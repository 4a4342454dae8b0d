"""A local HTTP feed server for tests and benchmarks.

aiohttp runs in a daemon thread with its own event loop, on 127.0.0.1 and an ephemeral
port, so the same server serves sync tests, async tests (whatever their loop) and bench
scripts::

    with FeedServer() as server:
        server.set_feed("/blog.xml", RSS_TEXT)        # real ETag + Last-Modified, 304s
        result = fetch(server.url("/blog.xml"))
        assert server.hits("/blog.xml") == 1

Routes (configure them from any thread, before or after :meth:`FeedServer.start`; a new
``set_*`` on a path replaces what was there, :meth:`~FeedServer.remove` makes it a 404):

==========================  ===========================================================
``set_feed``                a document with validators, optional gzip/deflate/br, delay
``set_response``            any status, headers and body, sent as given
``set_status``              an error status, optionally with Retry-After
``set_redirect``            a redirect (two paths pointing at each other make a loop)
``set_slow``                a body, then one more chunk every ``interval`` seconds
``set_huge``                ``size`` bytes of well-formed-looking RSS, streamed
``set_gzip_bomb``           a tiny compressed stream that inflates to ``size`` spaces
``set_unlabelled_gzip``     a document gzipped *without* Content-Encoding (a server slip)
==========================  ===========================================================

Hostile documents, legal but costly to parse: :func:`many_entries_rss` (slow) and
:func:`long_description_rss` (memory-hungry).

What the server saw: :attr:`~FeedServer.requests` (every request, in order),
:meth:`~FeedServer.hits`, and :meth:`~FeedServer.peak_in_flight` (most requests handled at
once, per path, per listening port or overall). ``FeedServer(listeners=3)`` listens on three
ports, which a client sees as three different hosts.

Run ``python -m tests.feedserver --dir DIR [--port N]`` to serve every file of DIR at
``/<file name>`` with ETag and Last-Modified (for benchmarks and manual checks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gzip as gzip_module
import hashlib
import mimetypes
import signal
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import quote

import brotli
from aiohttp import web

__all__ = [
    "Encoding",
    "FeedServer",
    "RecordedRequest",
    "compressed_spaces",
    "encode_body",
    "long_description_rss",
    "many_entries_rss",
]

RSS_TYPE = "application/rss+xml; charset=utf-8"
#: Content codings the server can apply. "deflate-raw" is sent as ``Content-Encoding:
#: deflate`` without the zlib wrapper, the way some real servers get it wrong.
Encoding = Literal["gzip", "deflate", "deflate-raw", "br"]

_CHUNK = 64 * 1024  #: bytes per write for streamed bodies
_SHUTDOWN_TIMEOUT = 2.0  #: how long stop() lets handlers finish before cancelling them


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server received it."""

    path: str
    method: str
    headers: Mapping[str, str]  #: names lower-cased
    time: float  #: time.monotonic() on arrival
    port: int  #: the listening port that took it


# --------------------------------------------------------------------------- routes


class _Route:
    async def respond(self, request: web.Request, server: FeedServer) -> web.StreamResponse:
        raise NotImplementedError


@dataclass(frozen=True)
class _Feed(_Route):
    body: bytes  #: as sent (already encoded)
    digest: str  #: of the unencoded body: tells whether set_feed changed the document
    headers: Mapping[str, str]
    etag: str | None
    last_modified: datetime | None
    ignore_validators: bool
    delay: float

    async def respond(self, request: web.Request, server: FeedServer) -> web.StreamResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        if not self.ignore_validators and self._not_modified(request):
            keep = ("ETag", "Last-Modified", "Cache-Control")
            return web.Response(
                status=304, headers={k: self.headers[k] for k in keep if k in self.headers}
            )
        return web.Response(body=self.body, headers=dict(self.headers))

    def _not_modified(self, request: web.Request) -> bool:
        # RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return self.etag is not None and ("*" in tags or self.etag.removeprefix("W/") in tags)
        since = _parse_http_date(request.headers.get("If-Modified-Since", ""))
        return since is not None and self.last_modified is not None and self.last_modified <= since


@dataclass(frozen=True)
class _Fixed(_Route):
    status: int
    body: bytes
    headers: Mapping[str, str]
    delay: float = 0.0

    async def respond(self, request: web.Request, server: FeedServer) -> web.StreamResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, body=self.body, headers=dict(self.headers))


@dataclass(frozen=True)
class _Slow(_Route):
    body: bytes
    chunk: bytes
    interval: float
    duration: float
    content_type: str

    async def respond(self, request: web.Request, server: FeedServer) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": self.content_type})
        deadline = time.monotonic() + self.duration
        with contextlib.suppress(ConnectionError):  # the client gave up: that is the point
            await response.prepare(request)
            await response.write(self.body)
            while time.monotonic() < deadline and not await server._closing_within(self.interval):
                await response.write(self.chunk)
        return response


@dataclass(frozen=True)
class _Stream(_Route):
    """A body produced lazily in chunks (huge documents, compression bombs)."""

    chunks: Iterable[bytes]  #: re-iterable: every request streams it from the start
    headers: Mapping[str, str]

    async def respond(self, request: web.Request, server: FeedServer) -> web.StreamResponse:
        response = web.StreamResponse(headers=dict(self.headers))
        with contextlib.suppress(ConnectionError):  # a client that stops at its cap hangs up
            await response.prepare(request)
            for chunk in self.chunks:
                await response.write(chunk)
                if server._closing.is_set():
                    break
        return response


class _Chunks:
    """A re-iterable view of a generator function, so a route can stream more than once."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[bytes]:
        return self._make()


# --------------------------------------------------------------------------- the server


@dataclass
class _Stats:
    requests: list[RecordedRequest] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[object] = field(default_factory=Counter)  # keys: path, port, None
    peaks: Counter[object] = field(default_factory=Counter)


class FeedServer:
    """A configurable HTTP server for feeds; see the module docs for the route kinds."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, listeners: int = 1) -> None:
        """``port=0`` picks free ports; a fixed ``port`` is the first of ``listeners`` ports."""
        if listeners < 1:
            raise ValueError("listeners must be at least 1")
        self.host = host
        self._wanted_ports = [port + i if port else 0 for i in range(listeners)]
        self.ports: list[int] = []
        self._routes: dict[str, _Route] = {}
        self._stats = _Stats()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()  # set in the server's loop only

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FeedServer:
        """Bind and serve; returns once the ports accept connections."""
        if self._thread is not None:
            raise RuntimeError("FeedServer already started")
        sockets = [self._bind(port) for port in self._wanted_ports]
        self.ports = [sock.getsockname()[1] for sock in sockets]
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(sockets, ready, failure), name="feedserver", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise RuntimeError("FeedServer failed to start") from failure[0]
        return self

    def stop(self) -> None:
        """Close the listeners, end trickling responses and wait for the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._thread = self._loop = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the first listener (no trailing slash)."""
        return self.base_urls[0]

    @property
    def base_urls(self) -> list[str]:
        if not self.ports:
            raise RuntimeError("FeedServer not started")
        return [f"http://{self.host}:{port}" for port in self.ports]

    def url(self, path: str, *, listener: int = 0) -> str:
        """The absolute URL of ``path`` on one of the listeners."""
        return self.base_urls[listener] + _path(path)

    # ------------------------------------------------------------------ routes

    def set_feed(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = RSS_TYPE,
        etag: bool = True,
        last_modified: bool = True,
        ignore_validators: bool = False,
        max_age: int | None = None,
        gzip: bool = False,
        encoding: Encoding | None = None,
        delay: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Serve a document with a real ETag (quoted hash of the body) and Last-Modified.

        Last-Modified moves forward (by at least a second, so that second-granular
        If-Modified-Since still sees it) only when the body changes. Conditional requests
        get a 304 unless ``ignore_validators``. ``gzip=True`` is ``encoding="gzip"``;
        ``delay`` seconds pass before each response (to observe concurrency).
        """
        path = _path(path)
        raw = body.encode() if isinstance(body, str) else body
        digest = hashlib.sha256(raw).hexdigest()
        coding: Encoding | None = "gzip" if gzip and encoding is None else encoding
        tag = f'"{digest[:24]}{"-" + coding if coding else ""}"'
        modified = self._next_last_modified(path, digest)
        sent: dict[str, str] = {"Content-Type": content_type}
        if etag:
            sent["ETag"] = tag
        if last_modified:
            sent["Last-Modified"] = format_datetime(modified, usegmt=True)
        if max_age is not None:
            sent["Cache-Control"] = f"max-age={max_age}"
        if coding:
            sent["Content-Encoding"] = "deflate" if coding == "deflate-raw" else coding
            sent["Vary"] = "Accept-Encoding"
        sent.update(headers or {})
        self._routes[path] = _Feed(
            body=encode_body(raw, coding) if coding else raw,
            digest=digest,
            headers=sent,
            etag=tag if etag else None,
            last_modified=modified if last_modified else None,
            ignore_validators=ignore_validators,
            delay=delay,
        )

    def set_response(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer with exactly this status, these headers and this body (no validators)."""
        raw = body.encode() if isinstance(body, str) else body
        self._routes[_path(path)] = _Fixed(status, raw, dict(headers or {}), delay)

    def set_status(
        self,
        path: str,
        status: int,
        *,
        retry_after: str | None = None,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """An error (or any other) status; ``retry_after`` is sent verbatim as Retry-After."""
        sent = dict(headers or {})
        if retry_after is not None:
            sent["Retry-After"] = retry_after
        self.set_response(path, body, status=status, headers=sent)

    def set_redirect(self, path: str, to: str, status: int = 301) -> None:
        """Redirect to ``to``: a path on this server (sent relative) or an absolute URL."""
        self.set_response(path, status=status, headers={"Location": to})

    def set_slow(
        self,
        path: str,
        body: bytes | str = b"<?xml version='1.0'?><rss><channel>",
        *,
        chunk: bytes = b"<",
        interval: float = 0.5,
        duration: float = 120.0,
        content_type: str = RSS_TYPE,
    ) -> None:
        """Send ``body`` at once, then ``chunk`` every ``interval`` s for ``duration`` s."""
        raw = body.encode() if isinstance(body, str) else body
        self._routes[_path(path)] = _Slow(raw, chunk, interval, duration, content_type)

    def set_huge(self, path: str, size: int, *, content_length: bool = True) -> None:
        """Stream exactly ``size`` bytes of RSS-looking XML, uncompressed.

        ``content_length=False`` sends it chunked, so a client cannot refuse it up front.
        """
        headers = {"Content-Type": RSS_TYPE}
        if content_length:
            headers["Content-Length"] = str(size)
        chunks = _Chunks(functools.partial(_huge_rss, size))
        self._routes[_path(path)] = _Stream(chunks, headers)

    def set_gzip_bomb(
        self, path: str, decompressed_size: int, *, encoding: Encoding = "gzip"
    ) -> None:
        """A valid compressed stream of ``decompressed_size`` spaces (gzip: ~1/1000 of it).

        The compressed bytes are built once per (size, encoding) and cached.
        """
        body = compressed_spaces(decompressed_size, encoding)
        coding = "deflate" if encoding == "deflate-raw" else encoding
        headers = {
            "Content-Type": RSS_TYPE,
            "Content-Encoding": coding,
            "Content-Length": str(len(body)),
        }
        chunks = [body[i : i + _CHUNK] for i in range(0, len(body), _CHUNK)]
        self._routes[_path(path)] = _Stream(chunks, headers)

    def set_unlabelled_gzip(self, path: str, body: bytes | str) -> None:
        """``body`` gzipped and sent as it is, without Content-Encoding (the parser's job)."""
        raw = body.encode() if isinstance(body, str) else body
        packed = gzip_module.compress(raw, compresslevel=9)
        self.set_response(path, packed, headers={"Content-Type": RSS_TYPE})

    def remove(self, path: str) -> None:
        """Forget ``path``: it answers 404 from now on."""
        self._routes.pop(_path(path), None)

    # ------------------------------------------------------------------ observations

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._stats.requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        path = _path(path)
        return [request for request in self.requests if request.path == path]

    def hits(self, path: str) -> int:
        with self._lock:
            return self._stats.hits[_path(path)]

    def peak_in_flight(self, path: str | None = None, *, port: int | None = None) -> int:
        """Most requests handled at the same time: for ``path``, for ``port``, or overall."""
        key: object = _path(path) if path is not None else port
        with self._lock:
            return self._stats.peaks[key]

    def reset_stats(self) -> None:
        """Forget recorded requests, hits and peaks (routes stay)."""
        with self._lock:
            in_flight = self._stats.in_flight
            self._stats = _Stats(in_flight=in_flight)

    # ------------------------------------------------------------------ internals

    def _next_last_modified(self, path: str, digest: str) -> datetime:
        now = datetime.now(UTC).replace(microsecond=0)
        previous = self._routes.get(path)
        if not isinstance(previous, _Feed) or previous.last_modified is None:
            return now
        if previous.digest == digest:
            return previous.last_modified
        return max(now, previous.last_modified + timedelta(seconds=1))

    def _bind(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
            sock.listen(512)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        return sock

    def _serve(
        self, sockets: list[socket.socket], ready: threading.Event, failure: list[BaseException]
    ) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._open(sockets))
        except BaseException as exc:
            failure.append(exc)
            for sock in sockets:
                sock.close()
            loop.close()
            ready.set()
            return
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _open(self, sockets: list[socket.socket]) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        for sock in sockets:
            await web.SockSite(self._runner, sock).start()

    async def _close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _closing_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the server is shutting down."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)
        return self._closing.is_set()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        port = _local_port(request)
        keys: tuple[object, ...] = (request.path, port, None)
        self._enter(request, port, keys)
        try:
            route = self._routes.get(request.path)
            if route is None:
                return web.Response(status=404, text="not found\n")
            return await route.respond(request, self)
        finally:
            with self._lock:
                self._stats.in_flight.subtract(keys)

    def _enter(self, request: web.Request, port: int, keys: tuple[object, ...]) -> None:
        recorded = RecordedRequest(
            path=request.path,
            method=request.method,
            headers={name.lower(): value for name, value in request.headers.items()},
            time=time.monotonic(),
            port=port,
        )
        with self._lock:
            stats = self._stats
            stats.requests.append(recorded)
            stats.hits[request.path] += 1
            stats.in_flight.update(keys)
            for key in keys:
                stats.peaks[key] = max(stats.peaks[key], stats.in_flight[key])


def _path(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _local_port(request: web.Request) -> int:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return int(sockname[1]) if sockname else 0


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- bodies


def encode_body(body: bytes, encoding: Encoding) -> bytes:
    """``body`` compressed the way a server would send it with that Content-Encoding."""
    if encoding == "gzip":
        return gzip_module.compress(body, mtime=0)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "deflate-raw":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return packer.compress(body) + packer.flush()
    return bytes(brotli.compress(body))


def _huge_rss(size: int) -> Iterator[bytes]:
    """Exactly ``size`` bytes: an RSS head, repeated items, space padding, the closing tags."""
    head = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Huge</title>\n'
    )
    tail = b"</channel></rss>\n"
    if size <= len(head) + len(tail):
        yield (head + tail)[:size]
        return
    item = b"<item><title>Filler</title><description>" + b"x" * 200 + b"</description></item>\n"
    block = item * (_CHUNK // len(item))
    yield head
    remaining = size - len(head) - len(tail)
    while remaining >= len(block):
        yield block
        remaining -= len(block)
    yield b" " * remaining
    yield tail


@functools.lru_cache(maxsize=4)
def many_entries_rss(count: int) -> bytes:
    """A legal RSS document with ``count`` distinct dated entries, newest first (100,000:
    about 9 MB, and tens of seconds of feedparser's time)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = (
        f"<item><title>Entry {i}</title><guid>{i}</guid>"
        f"<pubDate>{format_datetime(start - timedelta(minutes=i), usegmt=True)}</pubDate></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Many</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def long_description_rss(size: int) -> bytes:
    """One entry whose description is about ``size`` bytes of escaped HTML paragraphs."""
    paragraph = "&lt;p&gt;word &amp;amp; more&lt;/p&gt;"
    body = paragraph * (size // len(paragraph))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Long</title>'
        f"<item><title>Long</title><guid>long</guid><description>{body}</description></item>"
        "</channel></rss>"
    ).encode()


@functools.lru_cache(maxsize=8)
def compressed_spaces(size: int, encoding: Encoding = "gzip") -> bytes:
    """A correct ``encoding`` stream that inflates to ``size`` spaces, built cheaply.

    gzip and deflate: after a full flush, deflate forgets its history, so compressing the
    same 1 MiB block again yields the same bytes; we compress it once and repeat them
    (about 1000:1), adding the header and the checksum ourselves. Brotli compresses the
    repeated block incrementally (far better than 1000:1).
    """
    block = b" " * (1 << 20)
    count, rest = divmod(size, len(block))
    if encoding == "br":
        packer = brotli.Compressor(quality=5)
        parts = [packer.process(block) for _ in range(count)]
        parts += [packer.process(block[:rest]), packer.finish()]
        return b"".join(parts)
    deflated = _repeated_deflate(block, count, rest)
    if encoding == "deflate-raw":
        return deflated
    if encoding == "deflate":
        checksum = _repeat_checksum(zlib.adler32, block, count, rest, start=1)
        return b"\x78\xda" + deflated + struct.pack(">I", checksum)
    checksum = _repeat_checksum(zlib.crc32, block, count, rest, start=0)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, mtime 0, unix
    return header + deflated + struct.pack("<II", checksum, size & 0xFFFFFFFF)


def _repeated_deflate(block: bytes, count: int, rest: int) -> bytes:
    def flushed(data: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)

    last_block = b"\x03\x00"  # an empty final block ends the deflate stream
    return flushed(block) * count + (flushed(block[:rest]) if rest else b"") + last_block


def _repeat_checksum(
    update: Callable[[bytes, int], int], block: bytes, count: int, rest: int, *, start: int
) -> int:
    value = start
    for _ in range(count):
        value = update(block, value)
    return update(block[:rest], value)


# --------------------------------------------------------------------------- command line


def _content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    known = {
        ".rss": "application/rss+xml",
        ".atom": "application/atom+xml",
        ".xml": "application/xml",
        ".json": "application/feed+json",
    }
    return known.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.feedserver",
        description="Serve every file of a directory at /<file name>, with ETag and "
        "Last-Modified, until interrupted.",
    )
    parser.add_argument("--dir", required=True, type=Path, help="directory of feed files")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.dir.iterdir() if p.is_file())
    server = FeedServer(host=args.host, port=args.port)
    for file in files:
        server.set_feed("/" + file.name, file.read_bytes(), content_type=_content_type(file.name))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"serving {len(files)} files from {args.dir} at {server.base_url}/", flush=True)
        for file in files[:3]:
            print("  " + server.url("/" + quote(file.name)), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
