"""What a failed fetch says: httpx's exceptions as one line a person can act on, and a label.

httpx wraps the cause a few exceptions deep (``ConnectError`` from ``OSError`` from
``socket.gaierror`` ...); :func:`describe_http_error` names the one that matters.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import httpx

from bot.oneline import one_line

#: longest error text kept for a feed's row
MAX_ERROR_CHARS = 300


class Failure(Exception):
    """A fetch that ends in ERROR; ``str()`` is the one-line message, ``reason`` its label
    (:attr:`bot.domain.FetchResult.reason`)."""

    def __init__(self, message: str, *, transient: bool, reason: str = "network") -> None:
        super().__init__(one_line(message, MAX_ERROR_CHARS))
        self.transient = transient
        self.reason = reason


def describe_http_error(
    exc: httpx.HTTPError, connect_timeout: float, read_timeout: float
) -> Failure:
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(
            f"connect timed out after {secs(connect_timeout)}",
            transient=True,
            reason="timeout",
        )
    if isinstance(exc, httpx.ReadTimeout):
        return Failure(
            f"read timed out after {secs(read_timeout)}", transient=True, reason="timeout"
        )
    if isinstance(exc, httpx.TimeoutException):
        return Failure(f"timed out ({type(exc).__name__})", transient=True, reason="timeout")
    if isinstance(exc, httpx.ProxyError):  # its text is the proxy's status, never its URL
        return Failure(f"proxy refused the connection: {exc}", transient=True, reason="proxy")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Failure(f"invalid URL: {exc}", transient=False, reason="invalid_url")
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect_error(exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return Failure(f"protocol error: {exc}", transient=True)
    return Failure(f"network error: {exc or type(exc).__name__}", transient=True)


def _describe_connect_error(exc: httpx.ConnectError) -> Failure:
    """Name the cause the user can act on; httpx wraps it a few exceptions deep."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return Failure(
                f"DNS lookup failed for {_request_host(exc)}", transient=True, reason="dns"
            )
        if isinstance(cause, ConnectionRefusedError):
            return Failure("connection refused", transient=True, reason="refused")
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or "verification failed"
            return Failure(f"TLS certificate rejected: {reason}", transient=False, reason="tls")
        if isinstance(cause, ssl.SSLError):
            return Failure(f"TLS error: {cause.reason or cause}", transient=True, reason="tls")
    return Failure(f"cannot connect: {exc or type(exc).__name__}", transient=True)


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


def secs(seconds: float) -> str:
    return f"{seconds:g}s"
