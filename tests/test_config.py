"""Config loading: defaults, environment overrides, and errors that name the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, config_path, load_config, parse_duration

TOKEN = "123456:TEST-token_value"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("2d", 172800), (45, 45), ("90", 90), ("1.5h", 5400)],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["10x", "", "m", "-5m", 0, True, None, [1]])
def test_bad_durations_are_refused(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked below via load_config
        parse_duration(value)


def test_defaults_without_a_file() -> None:
    config = load_config(Path("/nonexistent/config.yaml"), {}, missing_ok=True)
    assert config.database.url == "sqlite:///data/transmission.db"
    assert config.polling.interval == 600
    assert config.delivery.summary_length == 350
    assert config.delivery.page_size == 5
    assert config.delivery.first_fetch_backfill == 0
    assert config.telegram.api_base_url == "https://api.telegram.org"


def test_missing_file_is_an_error_for_commands_that_need_it() -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(Path("/nonexistent/config.yaml"), {})


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "telegram: {token: '1:file'}\ndatabase: {url: 'sqlite:///file.db'}\n",
    )
    config = load_config(
        path, {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "postgresql://u:p@db/x"}
    )
    assert config.token == TOKEN
    assert config.database.url == "postgresql://u:p@db/x"


def test_config_path_precedence() -> None:
    assert config_path("a.yaml", {"FEEDBOT_CONFIG": "b.yaml"}) == Path("a.yaml")
    assert config_path(None, {"FEEDBOT_CONFIG": "b.yaml"}) == Path("b.yaml")
    assert config_path(None, {}) == Path("config.yaml")


@pytest.mark.parametrize(
    ("yaml_text", "field", "problem"),
    [
        (
            "feeds:\n  - url: https://a.example/x\n    intervall: 5m\n",
            "feeds[0].intervall",
            "unknown key",
        ),
        ("polling:\n  interval: 10x\n", "polling.interval", "not a duration"),
        ("feeds:\n  - url: ftp://a.example/x\n", "feeds[0].url", "not an http(s) URL"),
        ("delivery:\n  page_size: 0\n", "delivery.page_size", "greater than or equal to 1"),
        ("delivery:\n  summary_length: many\n", "delivery.summary_length", "valid integer"),
        ("telegram:\n  admins: [-4]\n", "telegram.admins", "not a user id"),
        (
            "telegram:\n  channels:\n    - chat: mychannel\n",
            "telegram.channels[0].chat",
            "not a channel",
        ),
        ("database:\n  url: mysql://x\n", "database.url", "sqlite"),
        ("topics:\n  ml: {keywords: []}\n", "topics.ml.keywords", "at least 1"),
        ("wat: 1\n", "wat", "unknown key"),
        (
            "feeds:\n  - url: https://a.example/x\n  - url: https://a.example/x\n",
            "feeds[1].url",
            "listed twice",
        ),
    ],
)
def test_errors_name_the_field(tmp_path: Path, yaml_text: str, field: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, yaml_text), {})
    message = str(caught.value)
    assert f"{field}:" in message
    assert problem in message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2"):
        load_config(write(tmp_path, "feeds:\n\t- url: https://a.example/x\n"), {})


def test_bad_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    secret = "999999:secret with spaces"
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "feeds: []\n"), {"TELEGRAM_BOT_TOKEN": secret})
    assert "telegram.token" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_check_config_cli_reports_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "polling:\n  interval: soon\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "polling.interval" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_config_cli_passes_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - url: https://a.example/feed.xml\n    topics: [ML]\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout
