"""Load and validate the configuration once: YAML file plus environment overrides.

This is the only module that reads the config file or the environment. Everything else
receives the frozen :class:`Config` (or a part of it) as a value.

Errors come out as :class:`ConfigError`, whose message names the field
(``feeds[2].interval: ...``) and never contains the bot token.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain import normalise_topic

DEFAULT_CONFIG_PATH = "config.yaml"
DEFAULT_DATABASE_URL = "sqlite:///data/transmission.db"
DEFAULT_API_BASE_URL = "https://api.telegram.org"

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_DATABASE_URL = "DATABASE_URL"
ENV_CONFIG_PATH = "FEEDBOT_CONFIG"
ENV_HEALTH_PORT = "FEEDBOT_HEALTH_PORT"
ENV_LOG_LEVEL = "FEEDBOT_LOG_LEVEL"


class ConfigError(Exception):
    """The configuration cannot be used. The message is one or more ``field: problem`` lines."""


# --------------------------------------------------------------------------- value types

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> float:
    """``30s``, ``10m``, ``1h``, ``2d`` or a number of seconds -> seconds (float)."""
    if isinstance(value, bool):  # bool is an int; "interval: yes" is a typo, not 1 second
        raise ValueError("expected a duration like 30s, 10m, 1h or a number of seconds")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    else:
        raise ValueError(
            f"{value!r} is not a duration; use 30s, 10m, 1h, 2d or a number of seconds"
        )
    if seconds <= 0:
        raise ValueError("must be greater than zero")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _check_http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.strip()


HttpUrlStr = Annotated[str, BeforeValidator(lambda v: _check_http_url(str(v)))]


def _check_topic(value: object) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError("a topic is a short text")
    topic = normalise_topic(str(value))
    if not topic:
        raise ValueError("a topic may not be empty")
    return topic


Topic = Annotated[str, BeforeValidator(_check_topic)]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- sections

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


class ChannelConfig(_Strict):
    chat: str | int  #: "@username" of a public channel or a numeric chat id (-100...)
    topics: tuple[Topic, ...] = ()  #: empty: everything

    @field_validator("chat")
    @classmethod
    def _chat_ref(cls, value: str | int) -> str | int:
        if isinstance(value, int):
            return value
        if re.fullmatch(r"-?\d+", value):
            return int(value)
        if not _CHANNEL.match(value):
            raise ValueError(f"{value!r} is not a channel: use @username or a numeric chat id")
        return value


class TelegramConfig(_Strict):
    token: SecretStr | None = None
    api_base_url: HttpUrlStr = DEFAULT_API_BASE_URL
    admins: tuple[int, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            # Never echo the value: it may be a real token with a stray character.
            raise ValueError(
                "does not look like a bot token (expected digits:letters, from @BotFather)"
            )
        return value

    @field_validator("api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("admins")
    @classmethod
    def _positive_ids(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for user_id in value:
            if user_id <= 0:
                raise ValueError(f"{user_id} is not a user id (user ids are positive)")
        return value


class DatabaseConfig(_Strict):
    url: str = DEFAULT_DATABASE_URL

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0].lower()
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("use sqlite:///path/to/file.db or postgresql://user:password@host/db")
        return value


class PollingConfig(_Strict):
    interval: Duration = 600.0  #: default seconds between checks of a feed
    jitter: float = Field(0.1, ge=0, le=0.5)  #: +/- fraction of the interval, spreads load
    min_interval: Duration = 60.0  #: server hints (max-age) never make checks more frequent
    max_backoff: Duration = 6 * 3600.0  #: cap on the delay after repeated errors
    timeout: Duration = 30.0  #: total time for one fetch, body included
    connect_timeout: Duration = 10.0
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024)  #: cap on the decompressed body
    max_redirects: int = Field(5, ge=0, le=20)
    concurrency: int = Field(20, ge=1, le=500)  #: fetches in flight overall
    per_host: int = Field(2, ge=1, le=50)  #: fetches in flight per host
    tick: Duration = 15.0  #: how often the scheduler looks for due feeds

    @model_validator(mode="after")
    def _ordered(self) -> PollingConfig:
        if self.min_interval > self.interval:
            raise ValueError("polling.min_interval may not exceed polling.interval")
        return self


class FeedConfig(_Strict):
    url: HttpUrlStr
    name: str | None = Field(None, min_length=1, max_length=100)
    interval: Duration | None = None
    topics: tuple[Topic, ...] = ()


class TopicRule(_Strict):
    keywords: tuple[str, ...] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _non_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(k.strip() for k in value if k.strip())
        if len(cleaned) != len(value):
            raise ValueError("keywords may not be empty")
        return cleaned


class DeliveryConfig(_Strict):
    summary_length: int = Field(350, ge=20, le=3000)  #: grapheme clusters before "..."
    page_size: int = Field(5, ge=1, le=10)  #: entries per page (pages also stay < 4096 chars)
    first_fetch_backfill: int = Field(0, ge=0, le=100)  #: entries pushed from a first fetch
    rate: float = Field(30.0, gt=0, le=1000)  #: messages per second overall (Telegram: ~30)
    per_chat_interval: Duration = 1.0  #: seconds between messages to one chat
    group_per_minute: int = Field(20, ge=1, le=60)  #: messages per minute to one group
    max_attempts: int = Field(8, ge=1, le=100)  #: transient failures before giving up (recorded)
    batch_max: int = Field(50, ge=1, le=200)  #: new entries folded into one transmission
    #: how long claimed deliveries stay reserved for the sender that claimed them; after a
    #: crash (kill -9) the sends that were in flight go out again once it has passed
    lease: Duration = Field(120.0, ge=5.0)


class StorageConfig(_Strict):
    #: entry bodies older than this are pruned (the keys stay, so nothing repeats)
    keep_days: Duration = 90 * 86400.0
    #: ... but each feed keeps at least this many newest entries with bodies
    keep_entries: int = Field(200, ge=0)
    #: when to run the pruning job
    prune_every: Duration = 6 * 3600.0


class HealthConfig(_Strict):
    port: int | None = Field(None, ge=1, le=65535)  #: serves /healthz and /metrics when set
    host: str = "0.0.0.0"
    #: /healthz fails when the scheduler has not run for this long
    stale_after: Duration = 120.0


class Config(_Strict):
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    polling: PollingConfig = PollingConfig()
    feeds: tuple[FeedConfig, ...] = ()
    topics: Mapping[Topic, TopicRule] = Field(default_factory=dict)
    delivery: DeliveryConfig = DeliveryConfig()
    storage: StorageConfig = StorageConfig()
    health: HealthConfig = HealthConfig()
    #: where the config came from (not a YAML key; set by :func:`load_config`)
    source: str = Field("", exclude=True)

    @model_validator(mode="after")
    def _unique_feeds(self) -> Config:
        seen: dict[str, int] = {}
        for index, feed in enumerate(self.feeds):
            if feed.url in seen:
                raise ValueError(
                    f"feeds[{index}].url: {feed.url} is listed twice "
                    f"(first as feeds[{seen[feed.url]}])"
                )
            seen[feed.url] = index
        return self

    @property
    def token(self) -> str | None:
        return self.telegram.token.get_secret_value() if self.telegram.token else None

    def feed_interval(self, feed: FeedConfig) -> float:
        return feed.interval if feed.interval is not None else self.polling.interval


# --------------------------------------------------------------------------- loading


def config_path(cli_value: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--config``, else ``$FEEDBOT_CONFIG``, else ``./config.yaml``."""
    env = os.environ if environ is None else environ
    return Path(cli_value or env.get(ENV_CONFIG_PATH) or DEFAULT_CONFIG_PATH)


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
    source = "defaults"
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
    raw = _apply_env(raw, env)
    try:
        return Config.model_validate({**raw, "source": source})
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None


def _read_yaml(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return yaml.safe_load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where}: {problem}") from None


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Environment wins over the file for the token, the database URL and the health port."""
    merged = dict(raw)

    def section(name: str) -> dict[str, Any]:
        value = merged.get(name)
        copy = dict(value) if isinstance(value, dict) else {}
        merged[name] = copy
        return copy

    if env.get(ENV_TOKEN, "").strip():
        section("telegram")["token"] = env[ENV_TOKEN].strip()
    if env.get(ENV_DATABASE_URL, "").strip():
        section("database")["url"] = env[ENV_DATABASE_URL].strip()
    if env.get(ENV_HEALTH_PORT, "").strip():
        section("health")["port"] = env[ENV_HEALTH_PORT].strip()
    return merged


def _describe(error: ValidationError, source: str) -> str:
    """One ``field: problem`` line per error, in the YAML's own key syntax."""
    lines = []
    for item in error.errors(include_url=False, include_input=False):
        location = _dotted(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see config.example.yaml)"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        lines.append(f"{location}: {message}" if location else message)
    return f"{source}: invalid configuration\n  " + "\n  ".join(lines)


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
