"""Durations as the config writes them (``30s``, ``10m``, ``1h``, ``2d``) <-> seconds."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest duration a setting takes: a year. Anything longer is a typo (or YAML's
#: ``.inf``), and would overflow the datetimes it is added to.
MAX_DURATION = 365 * 86400.0


def parse_duration(value: object, *, maximum: float = MAX_DURATION) -> float:
    """``30s``, ``10m``, ``1h``, ``2d`` or a number of seconds -> seconds (float), greater
    than zero and at most ``maximum`` (a year unless the field allows more)."""
    if isinstance(value, bool):  # bool is an int; "interval: yes" is a typo, not 1 second
        raise ValueError("expected a duration like 30s, 10m, 1h or a number of seconds")
    if isinstance(value, int | float):
        seconds = float(value) if abs(value) < 1e300 else math.inf  # float(10**400) raises
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    else:
        raise ValueError(
            f"{value!r} is not a duration; use 30s, 10m, 1h, 2d or a number of seconds"
        )
    if math.isnan(seconds):
        raise ValueError("not a duration; use 30s, 10m, 1h, 2d or a number of seconds")
    if seconds <= 0:
        raise ValueError("must be greater than zero")
    if seconds > maximum:
        raise ValueError(f"must be at most {format_duration(maximum)}")
    return seconds


def format_duration(seconds: float) -> str:
    """Seconds -> the largest unit that says it exactly: 60 -> ``1m``, 90 -> ``90s``."""
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"
