"""The configuration's shape and rules: a frozen pydantic model per section, and Config.

Every default and every limit of a setting is written here, beside the field it belongs to.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.config.durations import format_duration, parse_duration
from bot.config.fields import (
    SHORTEST_INTERVAL,
    ByteSize,
    Duration,
    FeedProxy,
    HttpUrlStr,
    Interval,
    LongDuration,
    ProxyUrl,
    Strict,
    Topic,
    at_least,
    proxy_secrets,
    size_at_least,
)
from bot.domain import topic_key
from bot.render.i18n import ENGLISH, LANGUAGE_HINT, language_code
from bot.render.zones import known_timezone

DEFAULT_DATABASE_URL = "sqlite:///data/transmission.db"
DEFAULT_API_BASE_URL = "https://api.telegram.org"

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


class ChannelConfig(Strict):
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


#: ports Telegram delivers webhooks to (its own servers; a self-hosted Bot API takes any)
WEBHOOK_PORTS = (443, 80, 88, 8443)
#: what Telegram accepts in setWebhook's secret_token: 1 to 256 of these characters
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_WEBHOOK_SECRET_LABEL = b"transmission webhook secret"


class WebhookConfig(Strict):
    """Webhook mode, instead of long polling, when ``url`` is set."""

    #: the public address Telegram POSTs updates to (a TLS reverse proxy in front of the bot);
    #: its path is the one the bot serves
    url: str | None = None
    #: the address and port the bot's own (plain HTTP) webhook server listens on
    listen: str = Field("0.0.0.0", min_length=1)
    port: int = Field(8443, ge=1, le=65535)
    #: Telegram sends it in X-Telegram-Bot-Api-Secret-Token with every update; unset: one
    #: derived from the bot token (the same on every replica)
    secret_token: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value)
            _ = parts.port  # ValueError when out of range
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an https URL (e.g. https://bot.example.com/tg)")
        if parts.fragment:
            raise ValueError("the URL Telegram POSTs to may not have a #fragment")
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            # Never echo the value.
            raise ValueError(
                "Telegram takes 1 to 256 characters of A-Z, a-z, 0-9, _ and - (e.g. the "
                "output of `openssl rand -hex 32`)"
            )
        return value

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def path(self) -> str:
        """The path the bot's server answers on: the URL's (a proxy passes it through)."""
        return urlsplit(self.url or "").path or "/"


class TelegramConfig(Strict):
    token: SecretStr | None = None
    api_base_url: HttpUrlStr = DEFAULT_API_BASE_URL
    admins: tuple[int, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    #: chats' language until they choose one in /settings (private chats start in their
    #: user's): en, zh-hans (简体中文) or zh-hant (繁體中文)
    language: str = ENGLISH
    #: chats' time zone for dates until they choose one (an IANA name)
    timezone: str = "UTC"

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        language = language_code(value)
        if language is None:
            raise ValueError(f"{value!r} is not a language the bot speaks: use {LANGUAGE_HINT}")
        return language

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if not known_timezone(value):
            raise ValueError(f"{value!r} is not an IANA time zone name (e.g. Asia/Shanghai)")
        return value

    #: the Bot API (and nothing else) through this proxy: http://, https:// or socks5://,
    #: credentials allowed (user:password@); none by default
    proxy: ProxyUrl | None = None

    #: webhook mode (``url`` set) instead of long polling
    webhook: WebhookConfig = WebhookConfig()

    @model_validator(mode="after")
    def _webhook_reachable_by_telegram(self) -> TelegramConfig:
        """Telegram's own servers POST only to https on a few ports; a self-hosted Bot API
        server (another ``api_base_url``) also takes http and any port."""
        url = self.webhook.url
        if url is None or self.api_base_url != DEFAULT_API_BASE_URL:
            return self
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValueError(
                "telegram.webhook.url: Telegram sends webhooks over https only; put a TLS "
                "reverse proxy in front of the bot (http works with a self-hosted Bot API "
                "server in telegram.api_base_url)"
            )
        port = parts.port or 443
        if port not in WEBHOOK_PORTS:
            raise ValueError(
                f"telegram.webhook.url: Telegram sends webhooks to ports 443, 80, 88 or 8443 "
                f"only, not {port} (the bot itself may listen on any telegram.webhook.port)"
            )
        return self

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


class DatabaseConfig(Strict):
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


class PollingConfig(Strict):
    interval: Interval = 600.0  #: default seconds between checks of a feed
    jitter: float = Field(0.1, ge=0, le=0.5)  #: +/- fraction of the interval, spreads load
    #: no feed is checked more often than this, whatever its interval or the server says;
    #: unset: 1m, or polling.interval when that is shorter
    min_interval: Interval = DEFAULT_MIN_INTERVAL
    max_backoff: Duration = 6 * 3600.0  #: cap on the delay after repeated errors
    timeout: Annotated[Duration, at_least(1.0)] = 30.0  #: total time for one fetch
    connect_timeout: Annotated[Duration, at_least(0.5)] = 10.0
    #: cap on the decompressed body
    max_bytes: Annotated[ByteSize, size_at_least(1024)] = 10 * 1024 * 1024
    max_redirects: int = Field(5, ge=0, le=20)
    concurrency: int = Field(20, ge=1, le=500)  #: fetches in flight overall
    per_host: int = Field(2, ge=1, le=50)  #: fetches in flight per host
    #: the longest the poller sleeps (it wakes when the next feed is due)
    tick: Annotated[Duration, at_least(0.1)] = 15.0
    #: feeds (and nothing else) through this proxy, unless a feed says otherwise; none by
    #: default
    proxy: ProxyUrl | None = None
    #: a feed failing this long is reported to each admin (once a day at most), and again
    #: when it works
    alert_after: Annotated[Duration, at_least(1.0)] = 6 * 3600.0
    #: entries kept per document, newest first (the rest are not read further)
    max_entries: int = Field(1000, ge=1, le=100_000)
    #: processes that parse documents; unset: one per core; 0: in the main process (no
    #: time or memory bound then)
    parse_workers: int | None = Field(None, ge=0, le=64)
    #: longest time one document may take to parse; past it the parse is stopped
    parse_timeout: Annotated[Duration, at_least(1.0)] = 20.0
    #: address space one parsing process may use (bytes); past it the parse is stopped
    parse_memory: Annotated[
        ByteSize, size_at_least(128 * 1024 * 1024, " (a parsing process needs that much)")
    ] = 512 * 1024 * 1024
    #: follow a feed (or a redirect) to a link-local address (169.254.0.0/16, fe80::/10:
    #: cloud metadata services); loopback and private networks are always allowed
    allow_link_local: bool = False

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


class FeedConfig(Strict):
    url: HttpUrlStr
    name: str | None = Field(None, min_length=1, max_length=100)
    interval: Interval | None = None
    topics: tuple[Topic, ...] = ()
    #: this feed through its own proxy, or "direct" (no proxy); unset: polling.proxy
    proxy: FeedProxy | None = None


class TopicRule(Strict):
    keywords: tuple[str, ...] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _non_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(k.strip() for k in value if k.strip())
        if len(cleaned) != len(value):
            raise ValueError("keywords may not be empty")
        return cleaned


class DeliveryConfig(Strict):
    summary_length: int = Field(350, ge=20, le=3000)  #: grapheme clusters before "..."
    page_size: int = Field(5, ge=1, le=10)  #: entries per page (pages also stay < 4096 chars)
    first_fetch_backfill: int = Field(0, ge=0, le=100)  #: entries pushed from a first fetch
    rate: float = Field(30.0, gt=0, le=1000)  #: messages per second overall (Telegram: ~30)
    #: seconds between messages to one chat
    per_chat_interval: Annotated[
        Duration, at_least(1.0, " (Telegram allows about one message a second per chat)")
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
    #: a story (the same canonical link) that reached a chat this many days ago or less is
    #: not sent to it again from another feed; 0 turns this off
    dedup_days: int = Field(7, ge=0, le=365)

    @model_validator(mode="after")
    def _retry_order(self) -> DeliveryConfig:
        if self.retry_min > self.retry_max:
            raise ValueError("delivery.retry_min may not exceed delivery.retry_max")
        return self


class StorageConfig(Strict):
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


class HealthConfig(Strict):
    port: int | None = Field(None, ge=1, le=65535)  #: serves /healthz and /metrics when set
    #: loopback unless told otherwise (the container image sets 0.0.0.0 through
    #: FEEDBOT_HEALTH_HOST and publishes the port on the host's loopback)
    host: str = Field("127.0.0.1", min_length=1)
    #: /healthz fails when the scheduler has not run for this long
    stale_after: Duration = 120.0


class Config(Strict):
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
                topic = topic_key(str(name))
                if topic in first:
                    raise ValueError(
                        f"{first[topic]!r} and {name!r} are the same topic (topics ignore "
                        "case, spaces, - and _): merge their keywords under one name"
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

    @property
    def webhook_secret(self) -> str | None:
        """setWebhook's secret_token: ``telegram.webhook.secret_token``, else one derived
        from the bot token (the same on every replica, so any may take an update; 64 hex
        characters, Telegram's alphabet; telling nothing about the token). None without a
        webhook or a token."""
        hook = self.telegram.webhook
        if hook.secret_token is not None:
            return hook.secret_token.get_secret_value()
        if hook.url is None or self.token is None:
            return None
        return hmac.new(self.token.encode(), _WEBHOOK_SECRET_LABEL, hashlib.sha256).hexdigest()

    def secrets(self) -> list[str]:
        """What must never reach a log line or an error: the token, the proxy passwords."""
        proxies = [self.telegram.proxy, self.polling.proxy, *(f.proxy for f in self.feeds)]
        found = [self.token] if self.token else []
        if self.webhook_secret is not None:  # PTB logs setWebhook's parameters at DEBUG
            found.append(self.webhook_secret)
        for url in proxies:
            found.extend(proxy_secrets(url))
        return found
