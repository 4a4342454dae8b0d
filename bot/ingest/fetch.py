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
    connected to a link-local address (**)  ERROR         refused: 169.254.169.254 is ...   no
    304 to a request without validators    ERROR         HTTP 304 to a request that ...    no
    the whole fetch over limits.timeout    ERROR         timed out after 30s               yes
    connect or read timeout                ERROR         read timed out after 15s          yes
    DNS, refused, reset, TLS, protocol     ERROR         connection refused                yes (*)
    not an http(s) URL                     ERROR         invalid URL: ...                  no
    decoded body over limits.max_bytes     ERROR         body larger than 10 MiB           no
    corrupt gzip / deflate / brotli data   ERROR         cannot decode gzip body: ...      no
    compressed body cut short              ERROR         truncated gzip body               yes
    a Content-Encoding we cannot decode    ERROR         unsupported Content-Encoding 'x'  no

    (*) a rejected TLS certificate is not transient.
    (**) 169.254.0.0/16 and fe80::/10 (cloud metadata services live there), checked on the
    address each hop actually connected to (so DNS cannot point us there), unless
    ``allow_link_local``. Loopback and private networks are allowed: self-hosters run feed
    generators beside the bot.

A 304 is only an answer to a conditional request: to one that carried no validators it is
an error, never a first success (the next real document would be taken for news).

Retry-After (on 429 and 503) and Cache-Control max-age (on any response) are read into
``retry_after`` and ``max_age`` (:mod:`bot.ingest.cachehints`), so the scheduler can honour
them.

Bodies are decoded here, not by httpx: we read raw bytes and inflate them with the bounded
decoders of :mod:`bot.ingest.decompress`, which stop at ``max_bytes`` whatever the
compression ratio. A gzip body sent *without* Content-Encoding is passed on as it is (the
parser unpacks it, capped).

Redirects are followed here as well, one hop at a time, so a redirect's own body is never
read (httpx would read and decode it in full).
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.cookiejar
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from bot.domain import CacheValidators, FetchResult, FetchStatus
from bot.ingest import cachehints
from bot.ingest.decompress import (
    ACCEPT_ENCODING,
    BodyError,
    CappedBuffer,
    Identity,
    decoder_for,
    too_large,
)
from bot.ingest.fetch_errors import MAX_ERROR_CHARS, Failure, describe_http_error, secs
from bot.ingest.hostslots import HostSlots
from bot.ingest.proxies import ProxyRoutes, proxy_address
from bot.oneline import one_line
from bot.version import VERSION

if TYPE_CHECKING:
    from bot.config.schema import PollingConfig

__all__ = ["USER_AGENT", "FetchLimits", "Fetcher"]

_log = logging.getLogger(__name__)


#: Says what we are and that we poll politely; a self-hosted bot has no project URL to give.
USER_AGENT = f"Transmission-feedbot/{VERSION} (self-hosted Telegram feed bot; RSS/Atom reader)"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """One client serves every feed: a cookie set by one site must never reach another."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_NO_VALIDATORS = CacheValidators()
_DIRECT = ProxyRoutes()
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
    allow_link_local: bool = False  #: follow feeds and redirects to 169.254/16, fe80::/10

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
            allow_link_local=polling.allow_link_local,
        )


# --------------------------------------------------------------------------- fetcher


class Fetcher:
    """Conditional GETs through one shared HTTP client per proxy route, under
    :class:`FetchLimits`.

    Use as ``async with Fetcher(limits) as fetcher:`` or call :meth:`aclose` when done.
    ``routes`` says which feeds go through which proxy (none by default: the environment's
    ``HTTP_PROXY`` and friends are ignored, as is ``.netrc``: only the config routes
    feeds). ``on_fetched`` gets the seconds each exchange took (a metrics hook; it must not
    raise). ``transport`` is for tests that want to swap the network out.
    """

    def __init__(
        self,
        limits: FetchLimits = FetchLimits(),
        *,
        routes: ProxyRoutes = _DIRECT,
        on_fetched: Callable[[float], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._limits = limits
        self._routes = routes
        self._on_fetched = on_fetched
        self._overall = asyncio.Semaphore(limits.concurrency)
        self._hosts = HostSlots(limits.per_host)
        self._clients = {proxy: _client(limits, proxy, transport) for proxy in routes.proxies()}

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
        for client in self._clients.values():
            await client.aclose()

    async def fetch(self, url: str, validators: CacheValidators = _NO_VALIDATORS) -> FetchResult:
        """GET ``url``, conditional on ``validators``. Never raises; see the module docs."""
        try:
            host = _host_key(url)
        except Failure as failure:
            return _error(url, failure)
        proxy = self._routes.for_url(url)
        # Per-host slot first: a busy host must not sit on overall slots while it waits.
        async with self._hosts.hold(host), self._overall:
            started = time.monotonic()
            try:
                result = await self._fetch_in_time(self._clients[proxy], url, validators)
            finally:
                if self._on_fetched is not None:
                    self._on_fetched(time.monotonic() - started)
        if proxy is not None and result.status is FetchStatus.ERROR and result.http_status is None:
            # no answer at all: the proxy may be the cause, so the error names it
            where = f"{result.error} (through the proxy {proxy_address(proxy)})"
            result = dataclasses.replace(result, error=one_line(where, MAX_ERROR_CHARS))
        return result

    async def _fetch_in_time(
        self, client: httpx.AsyncClient, url: str, validators: CacheValidators
    ) -> FetchResult:
        # The deadline starts once we hold our slots: time queued behind other feeds is free.
        try:
            async with asyncio.timeout(self._limits.timeout):
                return await self._exchange(client, url, validators)
        except TimeoutError:
            failure = Failure(
                f"timed out after {secs(self._limits.timeout)}", transient=True, reason="timeout"
            )
        except Failure as caught:
            failure = caught
        except httpx.HTTPError as exc:
            failure = describe_http_error(
                exc, self._limits.connect_timeout, self._limits.read_timeout
            )
        except Exception as exc:  # the contract is "never raises": a bug here must not stop a cycle
            _log.exception("unexpected error fetching %s", url)
            failure = Failure(
                f"unexpected error: {type(exc).__name__}: {exc}", transient=True, reason="internal"
            )
        return _error(url, failure)

    async def _exchange(
        self, client: httpx.AsyncClient, url: str, validators: CacheValidators
    ) -> FetchResult:
        headers = cachehints.conditional_headers(validators)
        request = client.build_request("GET", url, headers=headers)
        for _hop in range(self._limits.max_redirects + 1):
            response = await client.send(request, stream=True)
            try:
                if not self._limits.allow_link_local:
                    _refuse_link_local(response, redirected=_hop > 0)
                if response.next_request is None:  # not a redirect: this is the answer
                    return await self._conclude(url, response, validators)
                request = response.next_request
            finally:
                await response.aclose()
        raise Failure(
            f"redirect loop or more than {self._limits.max_redirects} redirects",
            transient=False,
            reason="redirects",
        )

    async def _conclude(
        self, url: str, response: httpx.Response, old: CacheValidators
    ) -> FetchResult:
        code = response.status_code
        if code == HTTPStatus.NOT_MODIFIED:
            if old == _NO_VALIDATORS:
                return _from_response(
                    url,
                    response,
                    FetchStatus.ERROR,
                    error="HTTP 304 Not Modified to a request without validators "
                    "(no ETag or Last-Modified was sent): the server sent no document",
                    transient=False,
                )
            kept = cachehints.merge_validators(old, cachehints.validators(response.headers))
            return _from_response(url, response, FetchStatus.NOT_MODIFIED, validators=kept)
        if not 200 <= code < 300:
            return _http_error(url, response)
        try:
            body = await _read_body(response, self._limits.max_bytes)
        except BodyError as refused:
            error = one_line(str(refused), MAX_ERROR_CHARS)
            return _from_response(
                url,
                response,
                FetchStatus.ERROR,
                error=error,
                transient=refused.transient,
                reason="body",
            )
        return _from_response(
            url,
            response,
            FetchStatus.OK,
            body=body,
            validators=cachehints.validators(response.headers),
        )


def _client(
    limits: FetchLimits, proxy: str | None, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={
            "User-Agent": limits.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(
            limits.timeout, connect=limits.connect_timeout, read=limits.read_timeout
        ),
        limits=httpx.Limits(
            max_connections=limits.concurrency, max_keepalive_connections=limits.concurrency
        ),
        follow_redirects=False,  # see Fetcher._exchange
        cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        proxy=proxy,
        # Proxies come from the config alone, never from HTTP(S)_PROXY, ALL_PROXY or
        # .netrc; SSL_CERT_FILE and SSL_CERT_DIR are still honoured (the context reads them).
        trust_env=False,
        verify=httpx.create_ssl_context(),
        transport=transport,
    )


# --------------------------------------------------------------------------- requests


def _host_key(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise Failure(f"invalid URL: {exc}", transient=False, reason="invalid_url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Failure(
            f"invalid URL {url!r}: expected http:// or https://",
            transient=False,
            reason="invalid_url",
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:  # httpx accepts any number here; the socket layer would not
        raise Failure(
            f"invalid URL: port {port} is out of range", transient=False, reason="invalid_url"
        )
    return f"{parsed.scheme}://{parsed.host}:{port}"


def _refuse_link_local(response: httpx.Response, *, redirected: bool) -> None:
    """Raise when this response came from a link-local address (see the module docs)."""
    address = _peer_address(response)
    if address is None:
        return
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local:
        how = "redirected to" if redirected else "connected to"
        raise Failure(
            f"refused: {how} {address}, a link-local address (cloud metadata services "
            "live there); set polling.allow_link_local to follow it",
            transient=False,
        )


def _peer_address(response: httpx.Response) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address the connection really went to (DNS may have said anything), else the
    URL's host when it is an address literal, else None."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    host = peer[0] if isinstance(peer, tuple) and peer else response.url.host
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return None


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
    reason: str | None = None,
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
        max_age=cachehints.max_age(response.headers),
        error=error,
        transient=transient,
        reason=reason,
    )


def _http_error(url: str, response: httpx.Response) -> FetchResult:
    code = response.status_code
    reason = response.reason_phrase or _standard_reason(code)
    hinted = code in _RETRY_AFTER_STATUSES
    retry_after = cachehints.retry_after(response.headers) if hinted else None
    return _from_response(
        url,
        response,
        FetchStatus.ERROR,
        error=one_line(f"HTTP {code} {reason}".strip(), MAX_ERROR_CHARS),
        transient=code in _TRANSIENT_STATUSES or code >= 500,
        retry_after=retry_after,
        reason="http_5xx" if code >= 500 else "http_4xx" if code >= 400 else "http_other",
    )


def _error(url: str, failure: Failure) -> FetchResult:
    return FetchResult(
        url=url,
        status=FetchStatus.ERROR,
        error=str(failure),
        transient=failure.transient,
        reason=failure.reason,
    )


def _standard_reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


# --------------------------------------------------------------------------- bodies


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    decoder = decoder_for(response.headers.get("content-encoding", ""))
    if isinstance(decoder, Identity):
        _check_declared_length(response.headers, max_bytes)
    body = CappedBuffer(max_bytes)
    async for chunk in response.aiter_raw():
        body.extend(decoder.decode(chunk))
    body.extend(decoder.finish())
    return body.getvalue()


def _check_declared_length(headers: httpx.Headers, max_bytes: int) -> None:
    """Refuse an uncompressed body that announces its excess up front, before reading it."""
    declared = headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
