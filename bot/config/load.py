"""Where the config comes from: the YAML file (strictly read) plus environment overrides.

This is the only code that reads the config file or the environment for settings (the
variables and secret files: :mod:`bot.config.environment`);
everything else receives the frozen :class:`~bot.config.schema.Config` (or a part of it).
Errors come out as :class:`~bot.config.errors.ConfigError`, whose message names the field
(``feeds[2].interval: ...``) and never contains the bot token.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.environment import overrides_from
from bot.config.errors import ConfigError, describe
from bot.config.schema import Config

DEFAULT_CONFIG_PATH = "config.yaml"

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_DATABASE_URL = "DATABASE_URL"
ENV_CONFIG_PATH = "FEEDBOT_CONFIG"
ENV_HEALTH_PORT = "FEEDBOT_HEALTH_PORT"
ENV_LOG_LEVEL = "FEEDBOT_LOG_LEVEL"
#: every other override is listed by :func:`bot.config.environment.environment_fields`

#: Config.source when no file was read (the built-in defaults, plus the environment)
DEFAULTS_SOURCE = "defaults"


def config_path(cli_value: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--config``, else ``$FEEDBOT_CONFIG``, else ``./config.yaml``."""
    env = os.environ if environ is None else environ
    return Path(cli_value or env.get(ENV_CONFIG_PATH) or DEFAULT_CONFIG_PATH)


def config_is_implicit(cli_value: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether :func:`config_path` fell back to ``./config.yaml`` (nobody named a file, so
    its absence is no mistake; a named file that is missing is one)."""
    env = os.environ if environ is None else environ
    return not cli_value and not env.get(ENV_CONFIG_PATH)


def load_config(
    path: Path | None,
    environ: Mapping[str, str] | None = None,
    *,
    missing_ok: bool = False,
) -> Config:
    """Read ``path`` (YAML), apply environment overrides, validate.

    ``missing_ok``: a missing file gives the defaults (``preview`` needs no config at all).
    """
    env = os.environ if environ is None else environ
    raw: Any = {}
    source = DEFAULTS_SOURCE
    if path is not None:
        if path.is_file():
            raw = _read_yaml(path)
            source = str(path)
        elif not missing_ok:
            raise ConfigError(
                f"{path}: no such config file (use --config PATH or set {ENV_CONFIG_PATH})"
            )
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: the top level must be a mapping of sections (telegram:, feeds:, ...)"
        )
    overrides = overrides_from(env)
    raw = _apply_env(raw, overrides)
    try:
        return Config.model_validate({**raw, "source": source})
    except ValidationError as error:
        raise ConfigError(describe(error, source, overrides)) from None
    except RecursionError:  # pydantic on a structure nested thousands deep
        raise ConfigError(f"{source}: nested too deeply to be a configuration") from None


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error: PyYAML
    keeps the last one silently, so a second ``feeds:`` would drop the first list."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # "<<: *defaults": keys after it may override the merged ones
            key = self.construct_object(key_node, deep=True)
            try:
                first = lines.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    problem=f"{key!r} is given twice in one mapping (first on line {first + 1})",
                    problem_mark=key_node.start_mark,
                )
            lines[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=_ConfigLoader)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.reader.ReaderError as error:
        if error.encoding == "unicode":  # PyYAML's marker for a control character
            problem = f"character #x{error.character:x} is not allowed in YAML"
        else:
            problem = f"not UTF-8 text ({error.reason}); save the file as UTF-8"
        raise ConfigError(f"{path}: byte {error.position}: {problem}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where}: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a configuration") from None


def _apply_env(
    raw: dict[str, Any], overrides: Mapping[tuple[str, ...], tuple[str, str]]
) -> dict[str, Any]:
    merged = dict(raw)
    for path, (_, value) in overrides.items():
        merged = _set_in(merged, path, value)
    return merged


def _set_in(mapping: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    """A copy of ``mapping`` with ``value`` at ``path`` (a section.key or section.group.key
    that is missing, or not a mapping in the file, becomes one)."""
    head, *rest = path
    if not rest:
        return {**mapping, head: value}
    current = mapping.get(head)
    return {
        **mapping,
        head: _set_in(current if isinstance(current, dict) else {}, tuple(rest), value),
    }
