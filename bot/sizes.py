"""Sizes in bytes as people write them (``10MiB``, ``512 MB``, ``64k``) and read them.

Units are binary, as Docker counts memory: ``1 MB`` = ``1 MiB`` = 1,048,576 bytes, so the
``512 MB`` a config asks for is the ``512 MB`` an error about it reports.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|(b|bytes?))?\s*$", re.IGNORECASE)
_UNIT_BYTES = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
#: nothing a setting takes is larger: a bigger number is a typo
MAX_SIZE = 1 << 40


def parse_size(value: object) -> int:
    """``10MiB``, ``512 MB``, ``64k`` or a number of bytes -> bytes (int), at most 1 TiB."""
    if isinstance(value, bool):  # "max_bytes: yes" is a typo, not 1 byte
        raise ValueError("expected a size like 10MB, 512MB or a number of bytes")
    if isinstance(value, int):
        size = value
    elif isinstance(value, float) and value.is_integer():
        size = int(value)
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        size = int(float(match.group(1)) * _UNIT_BYTES[(match.group(2) or "").lower()])
    else:
        raise ValueError(f"{value!r} is not a size; use 64KB, 10MB, 1GB or a number of bytes")
    if size <= 0:
        raise ValueError("must be greater than zero")
    if size > MAX_SIZE:
        raise ValueError(f"must be at most {format_size(MAX_SIZE)}")
    return size


def format_size(size: int) -> str:
    """Bytes -> the largest binary unit, up to four digits: ``10485760`` -> ``10 MiB``."""
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"
