"""telegram.webhook: what Telegram can deliver to, the secret's alphabet, the variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.environment import SECRETS, environment_fields
from bot.config.errors import ConfigError
from bot.config.load import load_config
from bot.logs import Redactor

TOKEN = "123456:ABCdefGHIjklMNOpqr_stuvwxYZ"
SECRET = "Kx9_-webhook-secret-0123456789"


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, {"TELEGRAM_BOT_TOKEN": TOKEN, **(env or {})})


def refused(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, env)
    return str(caught.value)


def test_long_polling_unless_a_url_is_set() -> None:
    hook = load_config(None, {}).telegram.webhook
    assert hook.url is None
    assert not hook.enabled
    assert (hook.listen, hook.port, hook.secret_token) == ("0.0.0.0", 8443, None)


def test_a_full_webhook_section(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "telegram:\n  webhook:\n    url: https://bot.example.com/tg/in\n"
        f"    listen: 127.0.0.1\n    port: 9000\n    secret_token: {SECRET}\n",
    )
    hook = config.telegram.webhook  # type: ignore[attr-defined]
    assert hook.enabled
    assert hook.path == "/tg/in"
    assert (hook.listen, hook.port) == ("127.0.0.1", 9000)
    assert hook.secret_token.get_secret_value() == SECRET
    assert SECRET not in repr(hook)


@pytest.mark.parametrize(
    "url", ["https://bot.example.com", "https://bot.example.com:8443/x", "https://h:88/"]
)
def test_telegram_ports_are_accepted(tmp_path: Path, url: str) -> None:
    load(tmp_path, f"telegram:\n  webhook:\n    url: {url}\n")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://bot.example.com/tg", "Telegram sends webhooks over https only"),
        ("https://bot.example.com:9443/tg", "ports 443, 80, 88 or 8443 only, not 9443"),
        ("ftp://bot.example.com/tg", "is not an https URL"),
        ("bot.example.com/tg", "is not an https URL"),
        ("https://bot.example.com:99999/", "is not an https URL"),
        ("https://bot.example.com/tg#x", "may not have a #fragment"),
    ],
)
def test_urls_telegram_cannot_deliver_to_are_refused(
    tmp_path: Path, url: str, problem: str
) -> None:
    message = refused(tmp_path, f"telegram:\n  webhook:\n    url: '{url}'\n")
    assert "telegram.webhook.url" in message
    assert problem in message


def test_http_and_any_port_with_a_self_hosted_bot_api(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "telegram:\n  api_base_url: http://127.0.0.1:8081\n"
        "  webhook:\n    url: http://bot.internal:9000/tg\n",
    )
    assert config.telegram.webhook.url == "http://bot.internal:9000/tg"  # type: ignore[attr-defined]


@pytest.mark.parametrize("secret", ["has space", "ünïcode", "semi;colon", "x" * 257])
def test_a_secret_outside_telegrams_alphabet_is_refused_without_echoing_it(
    tmp_path: Path, secret: str
) -> None:
    message = refused(
        tmp_path, f"telegram:\n  webhook:\n    url: https://h/\n    secret_token: '{secret}'\n"
    )
    assert "telegram.webhook.secret_token" in message
    assert "1 to 256 characters of A-Z, a-z, 0-9, _ and -" in message
    assert secret not in message


def test_a_secret_of_256_characters_is_fine(tmp_path: Path) -> None:
    load(tmp_path, f"telegram:\n  webhook:\n    url: https://h/\n    secret_token: {'a' * 256}\n")


@pytest.mark.parametrize("port", ["0", "65536", "eighty"])
def test_a_bad_listen_port_is_refused(tmp_path: Path, port: str) -> None:
    assert "telegram.webhook.port" in refused(
        tmp_path, f"telegram:\n  webhook:\n    url: https://h/\n    port: {port}\n"
    )


def test_an_unknown_webhook_key_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, "telegram:\n  webhook:\n    url: https://h/\n    cert: x.pem\n")
    assert "telegram.webhook.cert: unknown key" in message


def test_every_webhook_key_has_a_variable_and_the_secret_a_file_form(tmp_path: Path) -> None:
    fields = environment_fields()
    assert fields["FEEDBOT_TELEGRAM_WEBHOOK_URL"] == ("telegram", "webhook", "url")
    assert fields["FEEDBOT_TELEGRAM_WEBHOOK_LISTEN"] == ("telegram", "webhook", "listen")
    assert fields["FEEDBOT_TELEGRAM_WEBHOOK_PORT"] == ("telegram", "webhook", "port")
    assert "FEEDBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN" in SECRETS
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    config = load(
        tmp_path,
        "telegram:\n  webhook:\n    port: 9000\n",
        {
            "FEEDBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example.com/tg",
            "FEEDBOT_TELEGRAM_WEBHOOK_PORT": "9001",
            "FEEDBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN_FILE": str(secret_file),
        },
    )
    hook = config.telegram.webhook  # type: ignore[attr-defined]
    assert (hook.url, hook.port) == ("https://bot.example.com/tg", 9001)
    assert hook.secret_token.get_secret_value() == SECRET


def test_a_bad_variable_is_blamed_on_it_even_in_a_check_across_fields(tmp_path: Path) -> None:
    message = refused(tmp_path, "", {"FEEDBOT_TELEGRAM_WEBHOOK_URL": "http://bot.example.com/"})
    assert message.startswith("invalid configuration: FEEDBOT_TELEGRAM_WEBHOOK_URL")
    assert "(telegram.webhook.url): Telegram sends webhooks over https only" in message
    message = refused(tmp_path, "", {"FEEDBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN": "no good"})
    assert "FEEDBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN (telegram.webhook.secret_token)" in message
    assert "no good" not in message


def test_the_secret_is_redacted_from_logs(tmp_path: Path) -> None:
    config = load(
        tmp_path, f"telegram:\n  webhook:\n    url: https://h/\n    secret_token: {SECRET}\n"
    )
    redact = Redactor(config.secrets())  # type: ignore[attr-defined]
    assert SECRET not in redact(f"setWebhook secret_token={SECRET}")


def test_without_a_secret_every_replica_derives_the_same_one_from_the_token() -> None:
    from bot.app.updates import webhook_of

    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "FEEDBOT_TELEGRAM_WEBHOOK_URL": "https://h/tg"}
    config = load_config(None, env)
    first, second = webhook_of(config), webhook_of(load_config(None, env))
    assert first is not None
    assert second is not None
    assert first.secret_token == second.secret_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", first.secret_token)
    assert TOKEN.split(":")[1] not in first.secret_token
    other = webhook_of(load_config(None, {**env, "TELEGRAM_BOT_TOKEN": "654321:Other_token"}))
    assert other is not None
    assert other.secret_token != first.secret_token
    assert first.secret_token not in repr(first)
    assert first.secret_token in config.secrets()  # redacted from logs like the token
    assert webhook_of(load_config(None, {"TELEGRAM_BOT_TOKEN": TOKEN})) is None


def test_a_webhook_host_named_bot_stays_readable_in_logs_while_bot_paths_are_redacted() -> None:
    redact = Redactor([])
    line = redact("webhook https://bot.example.com/tg; POST https://api.telegram.org/bot1:x/y")
    assert "https://bot.example.com/tg" in line
    assert "/bot<redacted>/y" in line
