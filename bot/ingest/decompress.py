"""Content-Encoding decoders that inflate in bounded pieces and stop at a size cap.

httpx inflates each network chunk in one go, and one chunk of a compression bomb can inflate
to many megabytes (brotli: gigabytes) before any size check runs. These decoders produce at
most ``_PIECE`` bytes per call and :class:`CappedBuffer` counts decoded bytes as they come,
so memory stays near the cap plus one piece, whatever the compression ratio. Every failure
is a :class:`BodyError` whose ``transient`` says whether a retry may help (a body cut short)
or not (corrupt data, an unknown coding, too large).
"""

from __future__ import annotations

import functools
import importlib
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from bot.domain import NotAFeedError
from bot.sizes import format_size

__all__ = [
    "ACCEPT_ENCODING",
    "BodyError",
    "CappedBuffer",
    "Decoder",
    "Identity",
    "decoder_for",
    "gunzip_if_needed",
    "too_large",
]

_PIECE = 64 * 1024  #: most decoded bytes produced from one decompressor call


class BodyError(Exception):
    """A body we cannot decode, or will not hold; ``str()`` is the reason."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def too_large(max_bytes: int) -> BodyError:
    return BodyError(f"body larger than {format_size(max_bytes)}", transient=False)


class CappedBuffer:
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
                raise too_large(self._max_bytes)
            self._pieces.append(piece)

    def getvalue(self) -> bytes:
        return b"".join(self._pieces)


class Decoder(Protocol):
    """Turns one Content-Encoding back into bytes, in pieces of bounded size."""

    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]:
        """Called once after the last chunk: raise if the stream was cut short."""
        ...


class Identity:
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
            raise BodyError(f"truncated {self._name} body", transient=True)
        return iter(())

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        # max_length bounds each piece; input it could not use yet waits in unconsumed_tail.
        # A full piece may leave output pending inside zlib, hence the extra empty call.
        while True:
            try:
                piece = self._inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                message = f"cannot decode {self._name} body: {exc}"
                raise BodyError(message, transient=False) from None
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
            raise BodyError("truncated deflate body", transient=True)
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
#: the codings :func:`decoder_for` can undo, for the request's Accept-Encoding
ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


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
            raise BodyError(f"cannot decode br body: {exc}", transient=False) from None

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._decompressor.is_finished():
            raise BodyError("truncated br body", transient=True)
        return iter(())

    def _drained(self) -> bool:
        return bool(self._decompressor.can_accept_more_data() or self._decompressor.is_finished())


class _Chain:
    """Two codings applied in turn (``Content-Encoding: gzip, br`` is undone br first)."""

    def __init__(self, first: Decoder, then: Decoder) -> None:
        self._first = first
        self._then = then

    def decode(self, data: bytes) -> Iterator[bytes]:
        for piece in self._first.decode(data):
            yield from self._then.decode(piece)

    def finish(self) -> Iterator[bytes]:
        for piece in self._first.finish():
            yield from self._then.decode(piece)
        yield from self._then.finish()


def decoder_for(content_encoding: str) -> Decoder:
    """The decoder that undoes a Content-Encoding header (:class:`Identity` for none)."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    decoders = [_make_decoder(c) for c in reversed(codings) if c and c != "identity"]
    if not decoders:
        return Identity()
    return functools.reduce(_Chain, decoders)


def _make_decoder(coding: str) -> Decoder:
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip", _GZIP_WBITS)
    if coding == "deflate":
        return _DeflateDecoder()
    if coding == "br" and _brotli is not None:
        return _BrotliDecoder()
    raise BodyError(f"unsupported Content-Encoding {coding!r}", transient=False)


def gunzip_if_needed(body: bytes, max_bytes: int) -> bytes:
    """Unpack a gzip body that arrived without Content-Encoding (a misconfigured server
    compressing twice), up to ``max_bytes`` (``polling.max_bytes``, as for any body);
    anything else passes unchanged."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        unpacked = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise NotAFeedError(f"not a feed: corrupt gzip data ({exc})") from None
    if len(unpacked) > max_bytes:
        raise NotAFeedError(
            f"body larger than {format_size(max_bytes)} once unpacked "
            "(gzip sent without Content-Encoding)"
        )
    return unpacked
