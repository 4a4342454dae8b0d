"""Parsing in worker processes, each parse bounded in time and in memory.

feedparser and lxml hold the GIL and trust the document: a 100,000-entry feed takes half a
minute of CPU and a 9 MB description hundreds of megabytes. So documents are parsed in a
small pool of processes of our own (not ``concurrent.futures``, which cannot stop one
task): each worker takes one job at a time, under an address-space limit set when it
starts (``RLIMIT_AS``), and a job past its deadline or its memory has its worker killed and
replaced. A slow document holds one worker; the others go on. The main process never
imports the parsers (:mod:`bot.ingest.parse` is named, not imported, here), so it stays
small however big the documents are.

``workers=0`` parses in-process, in one thread (small machines): no time or memory bound
applies then, only the size bounds of :class:`bot.domain.DocumentLimits`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from bot.domain import DocumentLimits, NotAFeedError, ParsedFeed, ParseRefusedError

__all__ = ["InProcessParser", "ParsePool", "Parser", "PoolSettings", "make_parser"]

_log = logging.getLogger(__name__)

#: what a worker runs, named so that this module never imports the parsers itself
_TARGET = "bot.ingest.parse:parse_document"
#: how long a worker may take to exit when asked before it is killed
_EXIT_GRACE = 2.0

_Job = tuple[bytes, dict[str, str], str, DocumentLimits]


class Parser(Protocol):
    """Parses one fetched document: what the poller and ``preview`` call."""

    async def parse(self, body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PoolSettings:
    workers: int  #: processes; 0 parses in-process
    timeout: float = 20.0  #: seconds one parse may take
    memory: int = 512 * 1024 * 1024  #: address space of one worker, bytes


def make_parser(settings: PoolSettings, limits: DocumentLimits) -> Parser:
    if settings.workers <= 0:
        return InProcessParser(limits)
    return ParsePool(settings, limits)


def _target() -> Callable[[bytes, Mapping[str, str], str, DocumentLimits], ParsedFeed]:
    module, _, name = _TARGET.partition(":")
    function: Callable[[bytes, Mapping[str, str], str, DocumentLimits], ParsedFeed]
    function = getattr(importlib.import_module(module), name)
    return function


class InProcessParser:
    """One thread in this process: parsing holds the GIL, so more threads only take turns."""

    def __init__(self, limits: DocumentLimits) -> None:
        self._limits = limits
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="parse")

    async def parse(self, body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        job = (body, headers, url, self._limits)
        return await loop.run_in_executor(self._thread, _parse_here, *job)

    async def aclose(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


def _parse_here(
    body: bytes, headers: Mapping[str, str], url: str, limits: DocumentLimits
) -> ParsedFeed:
    return _target()(body, headers, url, limits)


# --------------------------------------------------------------------------- the worker side


def _serve(conn: Connection, memory: int) -> None:  # pragma: no cover - runs in the worker
    """A worker's life: limit itself, then parse one job after another until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    parse = _target()
    while True:
        try:
            job: _Job | None = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            return
        if job is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", parse(*job))
        except NotAFeedError as error:
            reply = ("not_a_feed", str(error))
        except MemoryError:
            reply = ("memory", None)
        except RecursionError:
            reply = ("error", "document nested too deeply")
        except Exception as error:  # a bug must cost one document, not the worker
            reply = ("error", f"{type(error).__name__}: {error}")
        del job
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", None))
        if reply[0] == "memory":
            return  # a heap that hit the limit may stay fragmented: a fresh worker replaces it


# --------------------------------------------------------------------------- the main side


class _Slot:
    """One worker process (started on first use, and again after it was killed)."""

    def __init__(self, context: Any, memory: int) -> None:
        self._context = context
        self._memory = memory
        self._process: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def run(self, job: _Job, timeout: float) -> tuple[str, Any]:
        """Blocking (runs in a thread): send the job, wait for the reply or the deadline."""
        conn = self._start()
        try:
            conn.send(job)
            if not conn.poll(timeout):
                self.kill()
                self._ended()
                return ("timeout", None)
            reply: tuple[str, Any] = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            return ("died", self._ended())
        if reply[0] == "memory":
            self._ended()
        return reply

    def _start(self) -> Connection:
        with self._lock:
            if self._conn is not None and self._process.is_alive():
                return self._conn
            pipe: tuple[Connection, Connection] = self._context.Pipe(duplex=True)
            ours, theirs = pipe
            process = self._context.Process(
                target=_serve, args=(theirs, self._memory), name="feedbot-parse", daemon=True
            )
            process.start()
            theirs.close()
            self._process, self._conn = process, ours
            return ours

    def kill(self) -> None:
        with self._lock:
            process = self._process
        if process is not None and process.is_alive():
            with contextlib.suppress(OSError):
                process.kill()

    def _ended(self) -> int | None:
        """Reap the worker; its exit code (negative: the signal that ended it)."""
        with self._lock:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        process.join(_EXIT_GRACE)
        if process.is_alive():
            process.kill()
            process.join(_EXIT_GRACE)
        code: int | None = process.exitcode
        return code

    def stop(self) -> None:
        with self._lock:
            conn = self._conn
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        self._ended()


def _context() -> Any:
    """forkserver: workers fork from a small server that has already imported the parsers,
    so they start in milliseconds and share those pages; spawn where it is missing."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([_TARGET.partition(":")[0]])
        return context
    return multiprocessing.get_context("spawn")


class ParsePool:
    """``settings.workers`` processes, one job each at a time, under per-job deadlines."""

    def __init__(self, settings: PoolSettings, limits: DocumentLimits) -> None:
        self._settings = settings
        self._limits = limits
        context = _context()
        self._slots = [_Slot(context, settings.memory) for _ in range(settings.workers)]
        self._idle: asyncio.Queue[_Slot] | None = None
        self._threads = concurrent.futures.ThreadPoolExecutor(
            settings.workers, thread_name_prefix="parse-wait"
        )

    async def parse(self, body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        """Parse in a free worker. Raises :class:`NotAFeedError` for what is not a feed and
        :class:`ParseRefusedError` for a parse stopped by its limits."""
        idle = self._queue()
        slot = await idle.get()
        loop = asyncio.get_running_loop()
        job: _Job = (body, dict(headers), url, self._limits)
        waiting = loop.run_in_executor(self._threads, slot.run, job, self._settings.timeout)
        try:
            kind, value = await asyncio.shield(waiting)
        except asyncio.CancelledError:
            slot.kill()  # the thread then sees the pipe close and returns
            waiting.add_done_callback(lambda _: idle.put_nowait(slot))
            raise
        idle.put_nowait(slot)
        return self._outcome(kind, value, url)

    def _queue(self) -> asyncio.Queue[_Slot]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for slot in self._slots:
                self._idle.put_nowait(slot)
        return self._idle

    def _outcome(self, kind: str, value: Any, url: str) -> ParsedFeed:
        if kind == "ok":
            parsed: ParsedFeed = value
            return parsed
        if kind == "not_a_feed":
            raise NotAFeedError(value)
        memory = f"needs more than {self._settings.memory / (1 << 20):.0f} MB to parse"
        if kind == "timeout":
            _log.warning("parse of %s stopped after %gs", url, self._settings.timeout)
            raise ParseRefusedError(f"took longer than {self._settings.timeout:g} s to parse")
        if kind == "memory":
            raise ParseRefusedError(memory)
        if kind == "died":
            _log.warning("the parser of %s died (exit code %s)", url, value)
            limit = f"{self._settings.memory / (1 << 20):.0f} MB"
            raise ParseRefusedError(
                f"the parser process died (exit code {value}), most likely out of memory "
                f"(limit {limit})"
            )
        raise ParseRefusedError(f"parser error: {value}")

    async def aclose(self) -> None:
        """Ask every worker to exit (killing those that do not) and wait for them."""
        await asyncio.get_running_loop().run_in_executor(None, self._stop_all)
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _stop_all(self) -> None:
        for slot in self._slots:
            slot.stop()

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers now running (for measurements)."""
        return [s._process.pid for s in self._slots if s._process is not None]


def cpu_count() -> int:
    """The default number of workers: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
