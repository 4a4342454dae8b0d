"""Small real proxies for tests: HTTP (CONNECT and forwarding) and SOCKS5, on loopback.

Each runs an asyncio server in a daemon thread (like :mod:`tests.feedserver`) and counts
the connections it carried, per target ``host:port``::

    with HttpProxy(user="u", password="p") as proxy:      # or SocksProxy(...)
        ... proxy.url ...                                  # http://u:p@127.0.0.1:PORT
        assert proxy.connections_to(api_port) > 0

Credentials, when given, are required: an HTTP client without a right
``Proxy-Authorization`` gets ``407``; a SOCKS5 client must use username/password
authentication (RFC 1929) with the right pair. :attr:`refused` counts who was turned away.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
import threading
from collections import Counter
from types import TracebackType

_READ = 64 * 1024
_HEAD_LIMIT = 64 * 1024


class _Proxy:
    scheme = ""

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self.user = user
        self.password = password
        self.port = 0
        self.refused = 0
        #: HttpProxy: the first request of each forwarded connection (method and URL)
        self.first_requests: list[str] = []
        self._connections: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        auth = f"{self.user}:{self.password}@" if self.user is not None else ""
        return f"{self.scheme}://{auth}127.0.0.1:{self.port}"

    def connections_to(self, port: int) -> int:
        """Connections carried to 127.0.0.1:``port`` (or ``localhost:port``) so far."""
        with self._lock:
            return sum(n for target, n in self._connections.items() if target.endswith(f":{port}"))

    def targets(self) -> list[str]:
        """Every ``host:port`` carried to, as the client named it (a name or an address)."""
        with self._lock:
            return sorted(self._connections)

    def total(self) -> int:
        with self._lock:
            return sum(self._connections.values())

    def start(self) -> _Proxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        future.result(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._server is not None:
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> _Proxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def _count(self, target: str) -> None:
        with self._lock:
            self._connections[target] += 1

    def _refuse(self) -> None:
        with self._lock:
            self.refused += 1


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_READ):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    host: str,
    port: int,
    reply: bytes,
    head: str = "",
) -> None:
    """Connect to ``host:port``, send ``reply`` to the client and ``head`` upstream, then
    carry bytes both ways until either side closes."""
    upstream = await asyncio.open_connection(host, port)
    try:
        upstream[1].write(head.encode("latin-1"))
        client[1].write(reply)
        await client[1].drain()
        await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))
    finally:
        upstream[1].close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await upstream[1].wait_closed()


class HttpProxy(_Proxy):
    """CONNECT tunnels (https targets) and forwarded requests (http targets, absolute-form:
    the request goes on to the origin as it came, which HTTP/1.1 servers must accept)."""

    scheme = "http"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > _HEAD_LIMIT:
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        if not self._authorised(headers.get("proxy-authorization", "")):
            self._refuse()
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            self._count(target)
            reply = b"HTTP/1.1 200 Connection established\r\n\r\n"
            await _splice((reader, writer), host.strip("[]"), int(port), reply)
            return
        authority = target.split("://", 1)[1].split("/", 1)[0]
        host, _, port = authority.rpartition(":")
        self._count(authority)
        with self._lock:
            self.first_requests.append(f"{method} {target}")
        kept = [line for line in header_lines if not line.lower().startswith("proxy-")]
        await _splice(
            (reader, writer), host, int(port or 80), b"", "\r\n".join([request_line, *kept])
        )

    def _authorised(self, header: str) -> bool:
        if self.user is None:
            return True
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"


class SocksProxy(_Proxy):
    """SOCKS5 (RFC 1928) CONNECT, with username/password authentication (RFC 1929)."""

    scheme = "socks5"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 0x00 if self.user is None else 0x02
        if version != 5 or wanted not in methods:
            self._refuse()
            writer.write(b"\x05\xff")
            return
        writer.write(bytes([5, wanted]))
        if wanted == 0x02 and not await self._login(reader, writer):
            self._refuse()
            return
        _v, command, _rsv, kind = await reader.readexactly(4)
        host = await _socks_address(reader, kind)
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # CONNECT only
            writer.write(b"\x05\x07\x00\x01" + bytes(6))
            return
        self._count(f"{host}:{port}")
        reply = b"\x05\x00\x00\x01" + bytes(4) + struct.pack("!H", 0)
        await _splice((reader, writer), host, port, reply)

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        _version, user_length = await reader.readexactly(2)
        user = (await reader.readexactly(user_length)).decode()
        (password_length,) = await reader.readexactly(1)
        password = (await reader.readexactly(password_length)).decode()
        ok = (user, password) == (self.user, self.password)
        writer.write(b"\x01\x00" if ok else b"\x01\x01")
        await writer.drain()
        return ok


async def _socks_address(reader: asyncio.StreamReader, kind: int) -> str:
    if kind == 1:
        return str(ipaddress.IPv4Address(await reader.readexactly(4)))
    if kind == 4:
        return str(ipaddress.IPv6Address(await reader.readexactly(16)))
    (length,) = await reader.readexactly(1)
    return (await reader.readexactly(length)).decode()
