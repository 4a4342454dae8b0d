"""Pydantic's validation errors as one line of ``field: problem`` that a person can act on.

A value that came from an environment variable is blamed on the variable, not the file.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError


class ConfigError(Exception):
    """The configuration cannot be used. The message is one or more ``field: problem`` lines."""


def describe(
    error: ValidationError,
    source: str,
    overrides: Mapping[tuple[str, ...], tuple[str, str]],
) -> str:
    """``field: problem`` per error, in the YAML's own key syntax, all on one line (a
    container's log shows the whole reason in one place); a value that came from the
    environment is blamed on its variable, not on the file."""
    lines = []
    from_file = False
    for item in error.errors(include_url=False, include_input=False):
        location = _dotted(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see config.example.yaml)"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        override = overrides.get(tuple(str(part) for part in item["loc"]))
        if override is not None:
            location = f"{override[0]} ({location})"
        else:
            from_file = True
        if not location or message.startswith((f"{location}.", f"{location}[")):
            lines.append(message)  # a check across fields names its own keys
        else:
            lines.append(f"{location}: {message}")
    where = f"{source}: " if from_file else "invalid configuration: "
    return where + "; ".join(lines)


def _dotted(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after", "function-before"):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text
