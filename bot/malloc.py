"""Fewer glibc malloc arenas for the long-running bot.

glibc gives each thread that allocates its own arena (up to eight per core), and memory
freed in one arena is not reused by another. The bot has several threads (SQLite
connections, the parser, the health server), so its resident memory climbed by a third
over the same work: 160 MB against 124 MB with two arenas in ``bench/memory.py``
(10,000 feeds). Same effect as ``MALLOC_ARENA_MAX=2``; an explicit setting of that
variable wins. Must run before the first thread starts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_ARENA_MAX = -8  #: mallopt's parameter number, from glibc's <malloc.h>
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """True when the limit was set (glibc, and no MALLOC_ARENA_MAX in the environment)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt  # glibc only; musl and others have no such function
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
