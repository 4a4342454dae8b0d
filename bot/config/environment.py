"""Environment overrides: one variable per scalar config key, and secrets read from files.

Every scalar key ``section.key`` of the sections below has a variable, named
``FEEDBOT_<SECTION>_<KEY>`` (``FEEDBOT_<SECTION>_<GROUP>_<KEY>`` for ``section.group.key``,
e.g. ``FEEDBOT_TELEGRAM_WEBHOOK_URL``) unless :data:`NAMED` gives it a name of its own (the names
people already know: ``TELEGRAM_BOT_TOKEN``, ``DATABASE_URL``). A variable that is set and
not empty wins over the file. The secrets (:data:`SECRETS`) may instead come from a file
named by ``<VARIABLE>_FILE`` (Docker and Kubernetes secrets); a file that is missing,
unreadable, empty or too large is a :class:`~bot.config.errors.ConfigError` that names the
variable.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import BaseModel

from bot.config.errors import ConfigError
from bot.config.schema import Config

#: the sections whose scalar keys have a variable (lists and feeds stay in the file)
SECTIONS = ("telegram", "database", "polling", "delivery", "storage", "health")
#: variables whose name is not FEEDBOT_<SECTION>_<KEY>
NAMED: dict[tuple[str, str], str] = {
    ("telegram", "token"): "TELEGRAM_BOT_TOKEN",
    ("telegram", "api_base_url"): "TELEGRAM_API_BASE_URL",
    ("telegram", "proxy"): "TELEGRAM_PROXY",
    ("database", "url"): "DATABASE_URL",
}
#: variables that may hold a secret, and so may be read from a file (``<NAME>_FILE``)
SECRETS = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "TELEGRAM_PROXY",
    "FEEDBOT_POLLING_PROXY",
    "FEEDBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN",
)
FILE_SUFFIX = "_FILE"
#: a secret file holds one value; anything bigger is a mistake (a directory, a dump)
MAX_SECRET_BYTES = 64 * 1024

Overrides = dict[tuple[str, ...], tuple[str, str]]


def variable_for(*path: str) -> str:
    named = NAMED.get((path[0], path[1])) if len(path) == 2 else None
    return named or "FEEDBOT_" + "_".join(part.upper() for part in path)


def environment_fields() -> dict[str, tuple[str, ...]]:
    """Variable -> (section, key) or (section, group, key), for every scalar key of
    :data:`SECTIONS` and of the groups inside them (``telegram.webhook``), in order."""
    found: dict[str, tuple[str, ...]] = {}
    for section in SECTIONS:
        model = Config.model_fields[section].annotation
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        for key, field in model.model_fields.items():
            if _is_scalar(field.annotation):
                found[variable_for(section, key)] = (section, key)
            elif isinstance(group := field.annotation, type) and issubclass(group, BaseModel):
                for inner, inner_field in group.model_fields.items():
                    if _is_scalar(inner_field.annotation):
                        found[variable_for(section, key, inner)] = (section, key, inner)
    return found


def _is_scalar(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return all(_is_scalar(arg) for arg in typing.get_args(annotation))
    if origin is not None:
        return origin not in (tuple, list, dict, collections.abc.Mapping)
    return not (isinstance(annotation, type) and issubclass(annotation, BaseModel))


def overrides_from(env: Mapping[str, str]) -> Overrides:
    """(section, key) -> (variable, value) for each override ``env`` sets; the variable is
    the one to blame for a bad value (``TELEGRAM_BOT_TOKEN_FILE`` for a token from a file)."""
    found: Overrides = {}
    for variable, field in environment_fields().items():
        for name, value in _values(variable, env):
            found[field] = (name, value)
    return found


def _values(variable: str, env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    direct = env.get(variable, "").strip()
    file_variable = variable + FILE_SUFFIX
    path = env.get(file_variable, "").strip() if variable in SECRETS else ""
    if direct and path:
        raise ConfigError(f"{variable} and {file_variable} are both set: set one of them")
    if direct:
        yield variable, direct
    elif path:
        yield file_variable, read_secret_file(file_variable, Path(path))


def read_secret_file(variable: str, path: Path) -> str:
    """The value in a secret file, without surrounding whitespace (a trailing newline)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SECRET_BYTES + 1)
    except OSError as error:
        raise ConfigError(
            f"{variable}: cannot read {path} ({error.strerror or type(error).__name__})"
        ) from None
    if len(data) > MAX_SECRET_BYTES:
        raise ConfigError(f"{variable}: {path} is larger than 64 KiB; it should hold one value")
    try:
        value = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{variable}: {path} is not UTF-8 text") from None
    if not value:
        raise ConfigError(f"{variable}: {path} is empty")
    if "\n" in value:
        raise ConfigError(f"{variable}: {path} holds more than one line; it should hold one value")
    return value
