"""Environment overrides for every scalar key, secrets from files, and proxy URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.environment import environment_fields
from bot.config.errors import ConfigError
from bot.config.fields import redact_url
from bot.config.load import load_config
from bot.logs import Redactor

TOKEN = "123456:ABCdefGHIjklMNOpqr_stuvwxYZ"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_scalar_key_of_a_section_has_a_variable() -> None:
    fields = environment_fields()
    assert fields["TELEGRAM_BOT_TOKEN"] == ("telegram", "token")
    assert fields["DATABASE_URL"] == ("database", "url")
    assert fields["TELEGRAM_PROXY"] == ("telegram", "proxy")
    assert fields["FEEDBOT_POLLING_PROXY"] == ("polling", "proxy")
    assert fields["FEEDBOT_HEALTH_HOST"] == ("health", "host")
    assert fields["FEEDBOT_DELIVERY_RATE"] == ("delivery", "rate")
    # lists stay in the file
    assert ("telegram", "admins") not in fields.values()
    assert ("telegram", "channels") not in fields.values()


def test_generic_variables_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "polling:\n  interval: 10m\ndelivery:\n  rate: 10\n")
    config = load_config(
        path,
        {
            "FEEDBOT_POLLING_INTERVAL": "2m",
            "FEEDBOT_DELIVERY_RATE": "5",
            "FEEDBOT_HEALTH_HOST": "0.0.0.0",
            "FEEDBOT_STORAGE_KEEP_DAYS": "30",
        },
    )
    assert config.polling.interval == 120
    assert config.delivery.rate == 5
    assert config.health.host == "0.0.0.0"
    assert config.storage.keep_days == 30 * 86400


def test_health_host_is_loopback_by_default(tmp_path: Path) -> None:
    assert load_config(None, {}).health.host == "127.0.0.1"


def test_a_bad_generic_variable_is_blamed_on_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"FEEDBOT_DELIVERY_PAGE_SIZE": "99"})
    assert "FEEDBOT_DELIVERY_PAGE_SIZE (delivery.page_size)" in str(caught.value)


def test_token_and_database_url_from_files(tmp_path: Path) -> None:
    token = write(tmp_path, TOKEN + "\n", "token")
    url = write(tmp_path, "sqlite:////tmp/x.db\n", "db")
    config = load_config(
        None, {"TELEGRAM_BOT_TOKEN_FILE": str(token), "DATABASE_URL_FILE": str(url)}
    )
    assert config.token == TOKEN
    assert config.database.url == "sqlite:////tmp/x.db"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read"),
        ("", "is empty"),
        ("  \n", "is empty"),
        ("a\nb\n", "more than one line"),
        ("x" * 70_000, "larger than 64 KiB"),
    ],
)
def test_a_bad_secret_file_is_one_line_naming_the_variable(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"TELEGRAM_BOT_TOKEN_FILE": str(path)})
    message = str(caught.value)
    assert message.startswith("TELEGRAM_BOT_TOKEN_FILE: ")
    assert problem in message
    assert str(path) in message
    assert "\n" not in message


def test_a_secret_given_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, TOKEN, "token")
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_TOKEN_FILE"):
        load_config(None, {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_TOKEN_FILE": str(path)})


def test_a_bad_token_in_a_file_is_blamed_on_the_file_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "not-a-token", "token")
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"TELEGRAM_BOT_TOKEN_FILE": str(path)})
    assert "TELEGRAM_BOT_TOKEN_FILE (telegram.token)" in str(caught.value)
    assert "not-a-token" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3128",
        "https://proxy.corp:8443",
        "socks5://user:pa%40ss@10.0.0.1:1080",
        "socks5h://proxy:1080",
    ],
)
def test_proxy_urls_are_accepted(url: str) -> None:
    config = load_config(None, {"TELEGRAM_PROXY": url, "FEEDBOT_POLLING_PROXY": url})
    assert config.telegram.proxy == url
    assert config.polling.proxy == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:hunter2@proxy:21",
        "socks4://user:hunter2@proxy:1080",
        "http://user:hunter2@proxy",  # no port
        "http://user:hunter2@proxy:3128/path",
        "user:hunter2@proxy:3128",
    ],
)
def test_a_bad_proxy_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"TELEGRAM_PROXY": url})
    assert "TELEGRAM_PROXY (telegram.proxy)" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_feed_may_name_its_own_proxy_or_go_direct(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "polling:\n  proxy: http://p:3128\nfeeds:\n"
        "  - url: https://a.example/feed\n    proxy: direct\n"
        "  - url: https://b.example/feed\n    proxy: socks5://u:pw@s:1080\n"
        "  - url: https://c.example/feed\n",
    )
    feeds = load_config(path, {}).feeds
    assert [f.proxy for f in feeds] == ["direct", "socks5://u:pw@s:1080", None]


def test_proxy_passwords_are_secrets_and_redacted(tmp_path: Path) -> None:
    config = load_config(
        None,
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_PROXY": "socks5://tg:pa%2Fss@127.0.0.1:1080",
            "FEEDBOT_POLLING_PROXY": "http://feeds:other-pw@127.0.0.1:3128",
        },
    )
    secrets = config.secrets()
    assert TOKEN in secrets
    assert "pa%2Fss" in secrets
    assert "pa/ss" in secrets  # as httpx sends it, percent-decoded
    assert "other-pw" in secrets
    line = Redactor(secrets)("proxy socks5://tg:pa/ss@host failed; other-pw; pa%2Fss")
    assert "pa/ss" not in line
    assert "other-pw" not in line
    assert "pa%2Fss" not in line


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("socks5://user:secret@host:1080") == "socks5://user:***@host:1080"
    assert redact_url("http://host:3128") == "http://host:3128"
    assert redact_url("http://user@host:3128") == "http://user@host:3128"
