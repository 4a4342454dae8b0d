"""The field types every config section shares: durations, URLs, topics, strict models."""

from __future__ import annotations

import functools
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    field_validator,
)

from bot.config.durations import MAX_DURATION, format_duration, parse_duration
from bot.domain import normalise_topic
from bot.sizes import format_size, parse_size


def _no_less_than(minimum: float, shown: str, why: str) -> AfterValidator:
    def check(value: float) -> float:
        if value < minimum:
            raise ValueError(f"must be at least {shown}{why}")
        return value

    return AfterValidator(check)


def at_least(minimum: float, why: str = "") -> AfterValidator:
    """A check for a duration field: at least ``minimum`` seconds (``why`` says why)."""
    return _no_less_than(minimum, format_duration(minimum), why)


def size_at_least(minimum: int, why: str = "") -> AfterValidator:
    """A check for a size field: at least ``minimum`` bytes (``why`` says why)."""
    return _no_less_than(minimum, format_size(minimum), why)


Duration = Annotated[float, BeforeValidator(parse_duration)]
#: bytes, written ``10MB``, ``512 MiB``, ``64k`` or as a number of bytes
ByteSize = Annotated[int, BeforeValidator(parse_size)]
#: For retention: years are reasonable there.
LongDuration = Annotated[
    float, BeforeValidator(functools.partial(parse_duration, maximum=10 * MAX_DURATION))
]
#: Shortest polling interval (and min_interval): a feed checked every second is already a
#: test setup, not a use.
SHORTEST_INTERVAL = 1.0
Interval = Annotated[Duration, at_least(SHORTEST_INTERVAL)]


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


class Strict(BaseModel):
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


#: the proxy schemes httpx speaks (socks5h: the proxy resolves host names, as socks5 does
#: in httpx anyway)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def redact_url(url: str) -> str:
    """``url`` with the password of its userinfo replaced by ``***`` (for logs and errors)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _check_proxy_url(value: object) -> str:
    # Never echo the value: it may carry a password.
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme.lower() not in PROXY_SCHEMES
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            "not a proxy URL: write http://host:port, https://host:port or "
            "socks5://user:password@host:port"
        )
    if port is None:
        raise ValueError("a proxy URL needs its port (http://host:3128, socks5://host:1080)")
    return text


ProxyUrl = Annotated[str, BeforeValidator(_check_proxy_url)]
#: a feed's own proxy: a proxy URL, or "direct" to bypass ``polling.proxy``
DIRECT = "direct"
FeedProxy = Annotated[
    str, BeforeValidator(lambda v: DIRECT if str(v).strip() == DIRECT else _check_proxy_url(v))
]


def proxy_secrets(url: str | None) -> list[str]:
    """The password in a proxy URL's userinfo, as written and percent-decoded (what the
    log redactor must hide); none for a URL without one."""
    if not url or url == DIRECT:
        return []
    password = urlsplit(url).password
    return sorted({password, unquote(password)}, key=len, reverse=True) if password else []
