"""Load and validate the configuration once: YAML file plus environment overrides.

This is the only module that reads the config file or the environment. Everything else
receives the frozen :class:`Config` (or a part of it) as a value.

Errors come out as :class:`ConfigError`, whose message names the field
(``feeds[2].interval: ...``) and never contains the bot token.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
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


def _at_least(minimum: float, why: str = "") -> AfterValidator:
    def check(seconds: float) -> float:
        if seconds < minimum:
            raise ValueError(f"must be at least {format_duration(minimum)}{why}")
        return seconds

    return AfterValidator(check)


Duration = Annotated[float, BeforeValidator(parse_duration)]
#: For retention: years are reasonable there.
LongDuration = Annotated[
    float, BeforeValidator(functools.partial(parse_duration, maximum=10 * MAX_DURATION))
]
#: Shortest polling interval (and min_interval): a feed checked every second is already a
#: test setup, not a use.
SHORTEST_INTERVAL = 1.0
Interval = Annotated[Duration, _at_least(SHORTEST_INTERVAL)]


def _check_http_url(value: str) -> str:
    parts = urlsplit(value.strip())  # ValueError for "http://[::1": pydantic reports it
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    _ = parts.port  # ValueError when out of range (http://host:99999/)
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
    """Unknown keys are errors: a typo must not pass silently. So are true/false where a
    number or text belongs (pydantic would read ``page_size: true`` as 1, and YAML reads
    ``yes``/``no``/``on``/``off`` as true/false too)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans(cls, value: object, info: ValidationInfo) -> object:
        name = info.field_name
        if name is not None and cls.model_fields[name].annotation is bool:
            return value
        items = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(item, bool) for item in items):
            raise ValueError("true/false is not a valid value here")
        return value


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
    def _usable(cls, value: str) -> str:
        # SQLAlchemy's own parser (behind bot.store, imported only when a URL is checked),
        # so that check-config refuses what `run` could not open. Never echo the URL: it
        # may carry a password.
        from bot.store.engine import async_url

        try:
            async_url(value)
        except Exception:  # ArgumentError (unparsable), ValueError (port, backend) ...
            raise ValueError(
                "not a database URL the bot can use: write sqlite:///relative/file.db, "
                "sqlite:////absolute/file.db or postgresql://user:password@host/db"
            ) from None
        return value


#: polling.min_interval when it is not set, unless polling.interval is shorter
DEFAULT_MIN_INTERVAL = 60.0


class PollingConfig(_Strict):
    interval: Interval = 600.0  #: default seconds between checks of a feed
    jitter: float = Field(0.1, ge=0, le=0.5)  #: +/- fraction of the interval, spreads load
    #: no feed is checked more often than this, whatever its interval or the server says;
    #: unset: 1m, or polling.interval when that is shorter
    min_interval: Interval = DEFAULT_MIN_INTERVAL
    max_backoff: Duration = 6 * 3600.0  #: cap on the delay after repeated errors
    timeout: Annotated[Duration, _at_least(1.0)] = 30.0  #: total time for one fetch
    connect_timeout: Annotated[Duration, _at_least(0.5)] = 10.0
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024)  #: cap on the decompressed body
    max_redirects: int = Field(5, ge=0, le=20)
    concurrency: int = Field(20, ge=1, le=500)  #: fetches in flight overall
    per_host: int = Field(2, ge=1, le=50)  #: fetches in flight per host
    tick: Annotated[Duration, _at_least(0.1)] = 15.0  #: how often it looks for due feeds

    @model_validator(mode="before")
    @classmethod
    def _min_interval_follows_interval(cls, data: Any) -> Any:
        """``interval: 30s`` alone must work: the default floor follows a shorter interval."""
        if not isinstance(data, dict) or "min_interval" in data or "interval" not in data:
            return data
        try:
            interval = parse_duration(data["interval"])
        except ValueError:
            return data  # the interval's own error says what is wrong
        return {**data, "min_interval": min(DEFAULT_MIN_INTERVAL, max(interval, SHORTEST_INTERVAL))}

    @model_validator(mode="after")
    def _ordered(self) -> PollingConfig:
        if self.min_interval > self.interval:
            default = "" if "interval" in self.model_fields_set else ", the default"
            raise ValueError(
                f"polling.min_interval: {format_duration(self.min_interval)} may not exceed "
                f"polling.interval ({format_duration(self.interval)}{default})"
            )
        return self


class FeedConfig(_Strict):
    url: HttpUrlStr
    name: str | None = Field(None, min_length=1, max_length=100)
    interval: Interval | None = None
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
    #: seconds between messages to one chat
    per_chat_interval: Annotated[
        Duration, _at_least(1.0, " (Telegram allows about one message a second per chat)")
    ] = 1.0
    group_per_minute: int = Field(20, ge=1, le=60)  #: messages per minute to one group
    #: failed sends of a delivery for a reason of its own (not network, 5xx or 429, which
    #: are retried until ``give_up_after``) before it is given up (recorded)
    max_attempts: int = Field(8, ge=1, le=100)
    batch_max: int = Field(50, ge=1, le=200)  #: new entries folded into one transmission
    #: how long claimed deliveries stay reserved for the sender that claimed them; after a
    #: crash (kill -9) the sends that were in flight go out again once it has passed
    lease: Duration = Field(120.0, ge=5.0)
    #: the first wait after a network error, timeout or 5xx; doubles per failure in a row
    retry_min: Duration = 2.0
    #: the longest wait between retries (of one chat, and of everyone while the API is down)
    retry_max: Duration = 900.0
    #: deliveries still not sent this long after they were queued are given up (recorded)
    give_up_after: Duration = 3 * 86400.0
    #: deliveries queued by a poll cycle wait for its end (at most this long), so that a
    #: chat gets one transmission per cycle
    gather_max: Duration = 60.0

    @model_validator(mode="after")
    def _retry_order(self) -> DeliveryConfig:
        if self.retry_min > self.retry_max:
            raise ValueError("delivery.retry_min may not exceed delivery.retry_max")
        return self


class StorageConfig(_Strict):
    #: entry bodies older than this are pruned (the keys stay, so nothing repeats); a bare
    #: number is days here, as the key's name says ("keep_days: 30"), not seconds
    keep_days: LongDuration = 90 * 86400.0
    #: ... but each feed keeps at least this many newest entries with bodies
    keep_entries: int = Field(200, ge=0)
    #: when to run the pruning job
    prune_every: Duration = 6 * 3600.0

    @field_validator("keep_days", mode="before")
    @classmethod
    def _bare_number_is_days(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value}d"
        if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
            return f"{value.strip()}d"
        return value


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

    @field_validator("topics", mode="before")
    @classmethod
    def _distinct_topic_names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            first: dict[str, object] = {}
            for name in value:
                topic = normalise_topic(str(name))
                if topic in first:
                    raise ValueError(
                        f"{first[topic]!r} and {name!r} are the same topic (topics ignore "
                        "case): merge their keywords under one name"
                    )
                first[topic] = name
        return value

    @model_validator(mode="after")
    def _feed_intervals(self) -> Config:
        floor = self.polling.min_interval
        too_short = [
            f"feeds[{index}].interval: {format_duration(feed.interval)} is shorter than "
            f"polling.min_interval ({format_duration(floor)}); lower polling.min_interval "
            "to allow it"
            for index, feed in enumerate(self.feeds)
            if feed.interval is not None and feed.interval < floor
        ]
        if too_short:
            raise ValueError("\n  ".join(too_short))
        return self

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
    overrides = _env_overrides(env)
    raw = _apply_env(raw, overrides)
    try:
        return Config.model_validate({**raw, "source": source})
    except ValidationError as error:
        raise ConfigError(_describe(error, source, overrides)) from None
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


#: Environment variables that override a config field (the environment wins).
_ENV_FIELDS: dict[str, tuple[str, ...]] = {
    ENV_TOKEN: ("telegram", "token"),
    ENV_DATABASE_URL: ("database", "url"),
    ENV_HEALTH_PORT: ("health", "port"),
}


def _env_overrides(env: Mapping[str, str]) -> dict[tuple[str, ...], tuple[str, str]]:
    """(section, key) -> (variable, value) for each override set in ``env``."""
    return {
        field: (variable, env[variable].strip())
        for variable, field in _ENV_FIELDS.items()
        if env.get(variable, "").strip()
    }


def _apply_env(
    raw: dict[str, Any], overrides: Mapping[tuple[str, ...], tuple[str, str]]
) -> dict[str, Any]:
    merged = dict(raw)
    for (section, key), (_, value) in overrides.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), key: value}
    return merged


def _describe(
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
