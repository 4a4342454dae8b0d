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
    for item in error.errors(include_url=False, include_input=True):
        location = _dotted(item["loc"])
        message = _in_words(item["type"], item["loc"], item.get("input")) or item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see config.example.yaml)"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        override = overrides.get(tuple(str(part) for part in item["loc"]))
        named = None if override is not None else _named_in(message, overrides)
        if override is not None:
            location = f"{override[0]} ({location})"
        elif named is not None:
            message = named  # a check across fields, about a key the environment set
        else:
            from_file = True
        if not location or named or message.startswith((f"{location}.", f"{location}[")):
            lines.append(message)  # a check across fields names its own keys
        else:
            lines.append(f"{location}: {message}")
    where = f"{source}: " if from_file else "invalid configuration: "
    return where + "; ".join(lines)


def _named_in(message: str, overrides: Mapping[tuple[str, ...], tuple[str, str]]) -> str | None:
    """``key: problem`` with the key's variable put in front, when the environment set it."""
    for path, (variable, _) in overrides.items():
        key = ".".join(path)
        if message.startswith(f"{key}:"):
            return f"{variable} ({key}){message.removeprefix(key)}"
    return None


#: what a list at this key holds, and an example (``{}``: the value given, when it is text)
_LISTS = {
    "topics": ("a list of topic names", "[{}]", "[ml, python]"),
    "keywords": ("a list of words", "[{}]", "[torch, pytorch]"),
    "admins": ("a list of Telegram user ids", "[{}]", "[123456789]"),
    "feeds": ("a list of feeds", "[{{url: {}}}]", "[{url: https://example.com/feed.xml}]"),
    "channels": ("a list of channels", "[{{chat: '{}'}}]", "[{chat: '@mychannel'}]"),
}
#: what a mapping at this key (or an item of this list) holds
_MAPPINGS = {
    "feeds": "a feed as a mapping, e.g. {url: https://example.com/feed.xml, topics: [ml]}",
    "channels": "a channel as a mapping, e.g. {chat: '@mychannel', topics: [ml]}",
    "topics": "a mapping of topic names to rules, e.g. {ml: {keywords: [torch]}}",
}
_LIST_TYPES = {"tuple_type", "list_type", "set_type", "frozen_set_type"}
_MAPPING_TYPES = {"dict_type", "model_type", "model_attributes_type", "mapping_type"}


def _in_words(kind: str, location: tuple[int | str, ...], given: object) -> str | None:
    """Pydantic's common complaints as what the field wants, in the config's terms."""
    names = [part for part in location if isinstance(part, str)]
    key = names[-1] if names else ""
    if kind in _LIST_TYPES:
        what, with_value, example = _LISTS.get(key, ("a list", "[{}]", "[a, b]"))
        simple = isinstance(given, str | int) and not isinstance(given, bool) and given != ""
        return f"{what}, e.g. {with_value.format(given) if simple else example}"
    if kind in _MAPPING_TYPES:
        listed = isinstance(location[-1], int) if location else False
        return _MAPPINGS.get(
            key if listed or key == "topics" else "", "a mapping of keys (see config.example.yaml)"
        )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "a Telegram user id, e.g. 123456789" if key == "admins" else "a whole number, e.g. 5"
    if kind in ("float_parsing", "float_type"):
        return "a number, e.g. 2.5"
    if kind in ("bool_parsing", "bool_type"):
        return "true or false"
    if kind == "string_type":
        return "text (put it in quotes if it looks like a number or a list)"
    return None


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
