"""One conditional GET of a feed, under size and time limits -> :class:`FetchResult`.

The only module that imports httpx. :meth:`Fetcher.fetch` never raises (cancellation
aside): every failure comes back as ``FetchResult(status=ERROR)`` with a one-line
``error`` and ``transient`` (True when retrying soon may help)::

    what happened                          status        error, for example                transient
    -------------------------------------  ------------  --------------------------------  ---------
    2xx                                    OK            -                                 -
    304                                    NOT_MODIFIED  -                                 -
    408, 425, 429, 5xx                     ERROR         HTTP 503 Service Unavailable      yes
    any other status (404, 410, 3xx ...)   ERROR         HTTP 404 Not Found                no
    more than max_redirects redirects      ERROR         redirect loop or more than 5 ...  no
    the whole fetch over limits.timeout    ERROR         timed out after 30s               yes
    connect or read timeout                ERROR         read timed out after 15s          yes
    DNS, refused, reset, TLS, protocol     ERROR         connection refused                yes (*)
    not an http(s) URL                     ERROR         invalid URL: ...                  no
    decoded body over limits.max_bytes     ERROR         body larger than 10 MiB           no
    corrupt gzip / deflate / brotli data   ERROR         cannot decode gzip body: ...      no
    compressed body cut short              ERROR         truncated gzip body               yes
    a Content-Encoding we cannot decode    ERROR         unsupported Content-Encoding 'x'  no

    (*) a rejected TLS certificate is not transient.

Retry-After (on 429 and 503) and Cache-Control max-age (on any response) are read into
``retry_after`` and ``max_age``, so the scheduler can honour them.

Bodies are decoded here, not by httpx: httpx inflates each network chunk in one go, and one
chunk of a compression bomb can inflate to many megabytes (brotli: gigabytes) before any
size check runs. We read raw bytes and inflate them in pieces of at most ``_PIECE`` bytes,
counting decoded bytes as we go: memory stays near ``max_bytes`` plus one piece, whatever
the compression ratio. A gzip body sent *without* Content-Encoding is passed on as it is
(``bot.feeds.parse`` unpacks it, capped).

Redirects are followed here as well, one hop at a time, so a redirect's own body is never
read (httpx would read and decode it in full).
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import importlib
import logging
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from importlib import metadata
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from bot.domain import CacheValidators, FetchResult, FetchStatus

if TYPE_CHECKING:
    from bot.config import PollingConfig

__all__ = ["USER_AGENT", "FetchLimits", "Fetcher"]

_log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return metadata.version("transmission-feedbot")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "0"


#: Says what we are and that we poll politely; a self-hosted bot has no project URL to give.
USER_AGENT = f"Transmission-feedbot/{_version()} (self-hosted Telegram feed bot; RSS/Atom reader)"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """One client serves every feed: a cookie set by one site must never reach another."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_PIECE = 64 * 1024  #: most decoded bytes produced from one decompressor call
_MAX_HINT_SECONDS = 10 * 365 * 86400  #: Retry-After / max-age beyond this are clamped
_MAX_ERROR_CHARS = 300
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_NO_VALIDATORS = CacheValidators()
#: headers that describe the encoded body, which FetchResult.body is not
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length"})


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much one fetch, and all fetches together, may take."""

    timeout: float = 30.0  #: wall time for one fetch, body included (cuts off tricklers)
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  #: longest wait for any single read
    max_bytes: int = 10 * 1024 * 1024  #: cap on the decoded body
    max_redirects: int = 5
    concurrency: int = 20  #: fetches in flight overall
    #: fetches in flight per host (scheme, host and port of the URL asked for; a redirect
    #: to another host keeps the slot it started with)
    per_host: int = 2
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if min(self.timeout, self.connect_timeout, self.read_timeout) <= 0:
            raise ValueError("timeouts must be greater than zero")
        if self.max_bytes < 1 or self.concurrency < 1 or self.per_host < 1:
            raise ValueError("max_bytes, concurrency and per_host must be at least 1")
        if self.max_redirects < 0:
            raise ValueError("max_redirects may not be negative")

    @classmethod
    def from_config(cls, polling: PollingConfig) -> FetchLimits:
        """Limits from the ``polling`` section; no single wait may exceed the total."""
        defaults = cls()
        return cls(
            timeout=polling.timeout,
            connect_timeout=min(polling.connect_timeout, polling.timeout),
            read_timeout=min(defaults.read_timeout, polling.timeout),
            max_bytes=polling.max_bytes,
            max_redirects=polling.max_redirects,
            concurrency=polling.concurrency,
            per_host=min(polling.per_host, polling.concurrency),
        )


# --------------------------------------------------------------------------- fetcher


class _Failure(Exception):
    """A fetch that ends in ERROR; ``str()`` is the one-line message."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(_one_line(message))
        self.transient = transient


class Fetcher:
    """Conditional GETs through one shared HTTP client, under :class:`FetchLimits`.

    Use as ``async with Fetcher(limits) as fetcher:`` or call :meth:`aclose` when done.
    ``transport`` is for tests that want to swap the network out.
    """

    def __init__(
        self,
        limits: FetchLimits = FetchLimits(),
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._limits = limits
        self._overall = asyncio.Semaphore(limits.concurrency)
        self._hosts = _HostSlots(limits.per_host)
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": limits.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": _ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(
                limits.timeout,
                connect=limits.connect_timeout,
                read=limits.read_timeout,
            ),
            limits=httpx.Limits(
                max_connections=limits.concurrency,
                max_keepalive_connections=limits.concurrency,
            ),
            follow_redirects=False,  # see _exchange
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            transport=transport,
        )

    @property
    def limits(self) -> FetchLimits:
        return self._limits

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, validators: CacheValidators = _NO_VALIDATORS) -> FetchResult:
        """GET ``url``, conditional on ``validators``. Never raises; see the module docs."""
        try:
            host = _host_key(url)
        except _Failure as failure:
            return _error(url, failure)
        # Per-host slot first: a busy host must not sit on overall slots while it waits.
        async with self._hosts.hold(host), self._overall:
            return await self._fetch_in_time(url, validators)

    async def _fetch_in_time(self, url: str, validators: CacheValidators) -> FetchResult:
        # The deadline starts once we hold our slots: time queued behind other feeds is free.
        try:
            async with asyncio.timeout(self._limits.timeout):
                return await self._exchange(url, validators)
        except TimeoutError:
            failure = _Failure(f"timed out after {_secs(self._limits.timeout)}", transient=True)
        except _Failure as caught:
            failure = caught
        except httpx.HTTPError as exc:
            failure = _describe_http_error(exc, self._limits)
        except Exception as exc:  # the contract is "never raises": a bug here must not stop a cycle
            _log.exception("unexpected error fetching %s", url)
            failure = _Failure(f"unexpected error: {type(exc).__name__}: {exc}", transient=True)
        return _error(url, failure)

    async def _exchange(self, url: str, validators: CacheValidators) -> FetchResult:
        request = self._client.build_request("GET", url, headers=_conditional_headers(validators))
        for _hop in range(self._limits.max_redirects + 1):
            response = await self._client.send(request, stream=True)
            try:
                if response.next_request is None:  # not a redirect: this is the answer
                    return await self._conclude(url, response, validators)
                request = response.next_request
            finally:
                await response.aclose()
        raise _Failure(
            f"redirect loop or more than {self._limits.max_redirects} redirects", transient=False
        )

    async def _conclude(
        self, url: str, response: httpx.Response, old: CacheValidators
    ) -> FetchResult:
        code = response.status_code
        if code == HTTPStatus.NOT_MODIFIED:
            kept = _merge_validators(old, _validators(response.headers))
            return _from_response(url, response, FetchStatus.NOT_MODIFIED, validators=kept)
        if not 200 <= code < 300:
            return _http_error(url, response)
        try:
            body = await _read_body(response, self._limits.max_bytes)
        except _Failure as failure:
            return _from_response(
                url, response, FetchStatus.ERROR, error=str(failure), transient=failure.transient
            )
        return _from_response(
            url, response, FetchStatus.OK, body=body, validators=_validators(response.headers)
        )


class _HostSlots:
    """One semaphore per host, created on demand and dropped when nobody holds or awaits it."""

    @dataclass(slots=True)
    class _Slot:
        semaphore: asyncio.Semaphore
        users: int = 0  #: holders and waiters: the slot must outlive all who may acquire it

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, _HostSlots._Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = self._Slot(asyncio.Semaphore(self._per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[host]


# --------------------------------------------------------------------------- requests


def _host_key(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise _Failure(f"invalid URL: {exc}", transient=False) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise _Failure(f"invalid URL {url!r}: expected http:// or https://", transient=False)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:  # httpx accepts any number here; the socket layer would not
        raise _Failure(f"invalid URL: port {port} is out of range", transient=False)
    return f"{parsed.scheme}://{parsed.host}:{port}"


def _conditional_headers(validators: CacheValidators) -> dict[str, str]:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


# --------------------------------------------------------------------------- responses


def _from_response(
    url: str,
    response: httpx.Response,
    status: FetchStatus,
    *,
    body: bytes | None = None,
    validators: CacheValidators = _NO_VALIDATORS,
    error: str | None = None,
    transient: bool = True,
    retry_after: timedelta | None = None,
) -> FetchResult:
    return FetchResult(
        url=url,
        status=status,
        final_url=str(response.url),
        http_status=response.status_code,
        body=body,
        headers={k: v for k, v in response.headers.items() if k not in _DROPPED_HEADERS},
        validators=validators,
        retry_after=retry_after,
        max_age=_max_age(response.headers),
        error=error,
        transient=transient,
    )


def _http_error(url: str, response: httpx.Response) -> FetchResult:
    code = response.status_code
    reason = response.reason_phrase or _standard_reason(code)
    retry_after = _retry_after(response.headers) if code in _RETRY_AFTER_STATUSES else None
    return _from_response(
        url,
        response,
        FetchStatus.ERROR,
        error=_one_line(f"HTTP {code} {reason}".strip()),
        transient=code in _TRANSIENT_STATUSES or code >= 500,
        retry_after=retry_after,
    )


def _error(url: str, failure: _Failure) -> FetchResult:
    return FetchResult(
        url=url, status=FetchStatus.ERROR, error=str(failure), transient=failure.transient
    )


def _standard_reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _validators(headers: httpx.Headers) -> CacheValidators:
    return CacheValidators(
        etag=headers.get("etag", "").strip() or None,
        last_modified=headers.get("last-modified", "").strip() or None,
    )


def _merge_validators(old: CacheValidators, new: CacheValidators) -> CacheValidators:
    """A 304 may refresh either validator; what it leaves out stays as it was."""
    return CacheValidators(
        etag=new.etag or old.etag, last_modified=new.last_modified or old.last_modified
    )


def _max_age(headers: httpx.Headers) -> timedelta | None:
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.partition("=")
        if name.strip().lower() == "max-age":
            seconds = _delta_seconds(value.strip().strip('"'))
            return None if seconds is None else timedelta(seconds=seconds)
    return None


def _retry_after(headers: httpx.Headers) -> timedelta | None:
    """Delta-seconds, or an HTTP-date measured against the server's own Date (clock skew)."""
    value = headers.get("retry-after", "").strip()
    seconds = _delta_seconds(value)
    if seconds is not None:
        return timedelta(seconds=seconds)
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(headers.get("date", "")) or datetime.now(UTC)
    cap = timedelta(seconds=_MAX_HINT_SECONDS)
    return min(max(when - now, timedelta(0)), cap)


def _delta_seconds(value: str) -> int | None:
    if not (value.isascii() and value.isdigit()):
        return None
    if len(value) > 12:  # int() of a huge digit string is slow, and no hint is that long
        return _MAX_HINT_SECONDS
    return min(int(value), _MAX_HINT_SECONDS)


def _http_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# --------------------------------------------------------------------------- bodies


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    decoder = _decoder_for(response.headers.get("content-encoding", ""))
    if isinstance(decoder, _Identity):
        _check_declared_length(response.headers, max_bytes)
    body = _CappedBuffer(max_bytes)
    async for chunk in response.aiter_raw():
        body.extend(decoder.decode(chunk))
    body.extend(decoder.finish())
    return body.getvalue()


def _check_declared_length(headers: httpx.Headers, max_bytes: int) -> None:
    """Refuse an uncompressed body that announces its excess up front, before reading it."""
    declared = headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)


class _CappedBuffer:
    """Collects decoded pieces and fails as soon as their total passes the cap.

    The decoders yield lazily, so at most one piece beyond the cap is ever produced.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._size = 0
        self._pieces: list[bytes] = []

    def extend(self, pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            self._size += len(piece)
            if self._size > self._max_bytes:
                raise _too_large(self._max_bytes)
            self._pieces.append(piece)

    def getvalue(self) -> bytes:
        return b"".join(self._pieces)


def _too_large(max_bytes: int) -> _Failure:
    return _Failure(f"body larger than {_size_text(max_bytes)}", transient=False)


class _Decoder(Protocol):
    """Turns one Content-Encoding back into bytes, in pieces of bounded size."""

    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]:
        """Called once after the last chunk: raise if the stream was cut short."""
        ...


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _ZlibDecoder:
    """gzip (several members allowed, RFC 1952), zlib-wrapped or raw deflate."""

    def __init__(self, name: str, wbits: int) -> None:
        self._name = name
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._started = False
        self._ignore_rest = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        self._started = self._started or bool(data)
        while data and not self._ignore_rest:
            if self._inflater.eof:
                data = self._next_member(data)
                continue
            yield from self._inflate(data)
            data = self._inflater.unused_data if self._inflater.eof else b""

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._ignore_rest and not self._inflater.eof:
            raise _Failure(f"truncated {self._name} body", transient=True)
        return iter(())

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        # max_length bounds each piece; input it could not use yet waits in unconsumed_tail.
        # A full piece may leave output pending inside zlib, hence the extra empty call.
        while True:
            try:
                piece = self._inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                raise _Failure(f"cannot decode {self._name} body: {exc}", transient=False) from None
            if piece:
                yield piece
            data = self._inflater.unconsumed_tail
            if self._inflater.eof or (not data and len(piece) < _PIECE):
                return

    def _next_member(self, rest: bytes) -> bytes:
        if self._name == "gzip" and rest[:1] == b"\x1f":
            self._inflater = zlib.decompressobj(self._wbits)
            return rest
        self._ignore_rest = True  # bytes after the end of the stream: ignored, as gzip(1) does
        return b""


#: gzip, or a zlib header from servers that say gzip and mean deflate (32 = detect header)
_GZIP_WBITS = 32 + zlib.MAX_WBITS


class _DeflateDecoder:
    """'deflate' is zlib-wrapped by the spec, raw deflate from some servers: the header tells."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: _ZlibDecoder | None = None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return
            wbits = zlib.MAX_WBITS if _is_zlib_header(self._head) else -zlib.MAX_WBITS
            self._inner = _ZlibDecoder("deflate", wbits)
            data, self._head = self._head, b""
        yield from self._inner.decode(data)

    def finish(self) -> Iterator[bytes]:
        if self._inner is not None:
            return self._inner.finish()
        if self._head:
            raise _Failure("truncated deflate body", transient=True)
        return iter(())


def _is_zlib_header(head: bytes) -> bool:
    cmf, flg = head[0], head[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0


def _load_brotli() -> Any:
    """The brotli module if it can cap its output (brotli >= 1.1), else None."""
    try:
        module = importlib.import_module("brotli")
        module.Decompressor().process(b"", output_buffer_limit=1)
    except (ImportError, TypeError):
        return None
    return module


_brotli = _load_brotli()
_ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor = _brotli.Decompressor()
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._started = True
        try:
            piece: bytes = self._decompressor.process(data, output_buffer_limit=_PIECE)
            # With the limit reached, brotli holds output back until called with no input.
            while piece or not self._drained():
                yield piece
                piece = self._decompressor.process(b"", output_buffer_limit=_PIECE)
        except _brotli.error as exc:
            raise _Failure(f"cannot decode br body: {exc}", transient=False) from None

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._decompressor.is_finished():
            raise _Failure("truncated br body", transient=True)
        return iter(())

    def _drained(self) -> bool:
        return bool(self._decompressor.can_accept_more_data() or self._decompressor.is_finished())


class _Chain:
    """Two codings applied in turn (``Content-Encoding: gzip, br`` is undone br first)."""

    def __init__(self, first: _Decoder, then: _Decoder) -> None:
        self._first = first
        self._then = then

    def decode(self, data: bytes) -> Iterator[bytes]:
        for piece in self._first.decode(data):
            yield from self._then.decode(piece)

    def finish(self) -> Iterator[bytes]:
        for piece in self._first.finish():
            yield from self._then.decode(piece)
        yield from self._then.finish()


def _decoder_for(content_encoding: str) -> _Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    decoders = [_make_decoder(c) for c in reversed(codings) if c and c != "identity"]
    if not decoders:
        return _Identity()
    return functools.reduce(_Chain, decoders)


def _make_decoder(coding: str) -> _Decoder:
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip", _GZIP_WBITS)
    if coding == "deflate":
        return _DeflateDecoder()
    if coding == "br" and _brotli is not None:
        return _BrotliDecoder()
    raise _Failure(f"unsupported Content-Encoding {coding!r}", transient=False)


# --------------------------------------------------------------------------- errors


def _describe_http_error(exc: httpx.HTTPError, limits: FetchLimits) -> _Failure:
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure(f"connect timed out after {_secs(limits.connect_timeout)}", transient=True)
    if isinstance(exc, httpx.ReadTimeout):
        return _Failure(f"read timed out after {_secs(limits.read_timeout)}", transient=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(f"timed out ({type(exc).__name__})", transient=True)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure(f"invalid URL: {exc}", transient=False)
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect_error(exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return _Failure(f"protocol error: {exc}", transient=True)
    return _Failure(f"network error: {exc or type(exc).__name__}", transient=True)


def _describe_connect_error(exc: httpx.ConnectError) -> _Failure:
    """Name the cause the user can act on; httpx wraps it a few exceptions deep."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return _Failure(f"DNS lookup failed for {_request_host(exc)}", transient=True)
        if isinstance(cause, ConnectionRefusedError):
            return _Failure("connection refused", transient=True)
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or "verification failed"
            return _Failure(f"TLS certificate rejected: {reason}", transient=False)
        if isinstance(cause, ssl.SSLError):
            return _Failure(f"TLS error: {cause.reason or cause}", transient=True)
    return _Failure(f"cannot connect: {exc or type(exc).__name__}", transient=True)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _request_host(exc: httpx.HTTPError) -> str:
    try:
        return exc.request.url.host
    except RuntimeError:  # no request attached
        return "the host"


# --------------------------------------------------------------------------- text


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_ERROR_CHARS else line[: _MAX_ERROR_CHARS - 3] + "..."


def _secs(seconds: float) -> str:
    return f"{seconds:g}s"


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"
