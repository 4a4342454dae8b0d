"""Config loading: defaults, environment overrides, and errors that name the field."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.app.settings import poll_settings
from bot.config.durations import parse_duration
from bot.config.errors import ConfigError
from bot.config.load import config_path, load_config

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


@pytest.mark.parametrize(
    "value",
    [
        "10x",
        "",
        "m",
        "-5m",
        0,
        True,
        None,
        [1],
        float("inf"),
        float("nan"),
        pytest.param(10**400, id="int-beyond-float"),
        "100000000000d",
        "5000000d",
        "366d",
    ],
)
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


def test_the_bot_api_server_can_be_set_without_a_file() -> None:
    env = {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/"}
    config = load_config(Path("/nonexistent/config.yaml"), env, missing_ok=True)
    assert config.telegram.api_base_url == "http://127.0.0.1:8081"
    assert config.source == "defaults"


def test_a_named_config_file_that_is_missing_stays_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEEDBOT_CONFIG", raising=False)
    assert main(["check-config"]) == 0  # nothing named: the built-in defaults
    assert "defaults: OK" in capsys.readouterr().out
    assert main(["run", "--config", "missing.yaml"]) == 2
    assert "missing.yaml: no such config file" in capsys.readouterr().err
    monkeypatch.setenv("FEEDBOT_CONFIG", "gone.yaml")
    assert main(["run"]) == 2
    assert "gone.yaml: no such config file" in capsys.readouterr().err


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


@pytest.mark.parametrize(
    ("written", "size"),
    [("1GB", 1 << 30), ("512 MiB", 512 << 20), ("300m", 300 << 20), (134217728, 128 << 20)],
)
def test_sizes_are_read_as_people_write_them(tmp_path: Path, written: object, size: int) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"polling": {"parse_memory": written, "max_bytes": "64k"}}))
    polling = load_config(path, {}).polling
    assert (polling.parse_memory, polling.max_bytes) == (size, 64 << 10)


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
        ("delivery:\n  summary_length: many\n", "delivery.summary_length", "a whole number"),
        # pydantic's common complaints in the config's words (issue 11)
        (
            "feeds:\n  - url: https://a.example/x\n    topics: ml\n",
            "feeds[0].topics",
            "a list of topic names, e.g. [ml]",
        ),
        ("feeds:\n  - https://a.example/x\n", "feeds[0]", "a feed as a mapping, e.g. {url:"),
        ("telegram:\n  admins: 123\n", "telegram.admins", "a list of Telegram user ids"),
        ("telegram:\n  admins: [abc]\n", "telegram.admins[0]", "a Telegram user id"),
        ("topics: ml\n", "topics", "a mapping of topic names to rules"),
        ("topics:\n  ml: {keywords: torch}\n", "topics.ml.keywords", "e.g. [torch]"),
        ("telegram:\n  admins: [-4]\n", "telegram.admins", "not a user id"),
        (
            "telegram:\n  channels:\n    - chat: mychannel\n",
            "telegram.channels[0].chat",
            "not a channel",
        ),
        ("database:\n  url: mysql://x\n", "database.url", "sqlite"),
        ("database:\n  url: 'sqlite:relative.db'\n", "database.url", "sqlite:///"),
        ("database:\n  url: 'postgresql://u@h:port/db'\n", "database.url", "postgresql://"),
        ("feeds:\n  - url: 'http://a.example:99999/'\n", "feeds[0].url", "Port out of range"),
        ("feeds:\n  - url: 'http://[::1'\n", "feeds[0].url", "Invalid IPv6 URL"),
        ("polling:\n  interval: .inf\n", "polling.interval", "at most 365d"),
        ("polling:\n  max_backoff: 100000000000d\n", "polling.max_backoff", "at most 365d"),
        ("polling:\n  tick: 0.001s\n", "polling.tick", "at least 0.1s"),
        ("polling:\n  parse_memory: 100MB\n", "polling.parse_memory", "at least 128 MiB"),
        ("polling:\n  max_bytes: 512\n", "polling.max_bytes", "at least 1 KiB"),
        ("polling:\n  max_bytes: lots\n", "polling.max_bytes", "use 64KB, 10MB, 1GB"),
        ("polling:\n  timeout: 0.01\n", "polling.timeout", "at least 1s"),
        ("delivery:\n  per_chat_interval: 0.2s\n", "delivery.per_chat_interval", "at least 1s"),
        ("delivery:\n  page_size: true\n", "delivery.page_size", "true/false"),
        ("telegram:\n  admins: [yes]\n", "telegram.admins", "true/false"),
        (
            "topics:\n  ML: {keywords: [a]}\n  ml: {keywords: [b]}\n",
            "topics",
            "'ML' and 'ml' are the same topic",
        ),
        (
            "topics:\n  Post-training: {keywords: [a]}\n  post training: {keywords: [b]}\n",
            "topics",
            "'Post-training' and 'post training' are the same topic (topics ignore case, spaces",
        ),
        (
            "feeds:\n  - url: https://a.example/x\n    interval: 30s\n",
            "feeds[0].interval",
            "30s is shorter than polling.min_interval (1m)",
        ),
        (
            "polling:\n  interval: 1m\n  min_interval: 5m\n",
            "polling.min_interval",
            "5m may not exceed polling.interval (1m)",
        ),
        (
            "polling:\n  min_interval: 20m\n",
            "polling.min_interval",
            "may not exceed polling.interval (10m, the default)",
        ),
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
    assert not re.search(r"(\w+): \1\.", message)  # never "polling: polling.min_interval"


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


def test_durations_up_to_a_year_are_accepted() -> None:
    assert parse_duration("365d") == 365 * 86400


def test_a_short_polling_interval_alone_is_accepted_and_lowers_the_floor(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "polling:\n  interval: 30s\n"), {})

    assert config.polling.min_interval == 30
    assert poll_settings(config).default_policy.min_interval == timedelta(seconds=30)


def test_a_feed_interval_is_never_checked_more_often_than_min_interval(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "polling:\n  min_interval: 2m\n"
            "feeds:\n  - url: https://a.example/x\n    interval: 2m\n",
        ),
        {},
    )

    policy = poll_settings(config).policies["https://a.example/x"]
    assert (policy.interval, policy.min_interval) == (timedelta(minutes=2),) * 2


def test_a_key_given_twice_is_an_error_naming_the_key_and_lines(tmp_path: Path) -> None:
    text = "feeds:\n  - url: https://a.example/x\nfeeds:\n  - url: https://b.example/x\n"

    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), {})

    assert "line 3" in str(caught.value)
    assert "'feeds' is given twice in one mapping (first on line 1)" in str(caught.value)


def test_yaml_merge_keys_may_still_be_overridden(tmp_path: Path) -> None:
    text = (
        "feeds:\n"
        "  - &blog {url: https://a.example/x, interval: 5m}\n"
        "  - <<: *blog\n"
        "    url: https://b.example/x\n"
    )

    config = load_config(write(tmp_path, text), {})

    assert [(f.url, f.interval) for f in config.feeds] == [
        ("https://a.example/x", 300),
        ("https://b.example/x", 300),
    ]


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("TELEGRAM_BOT_TOKEN", "abc", "telegram.token"),
        ("DATABASE_URL", "sqlite:relative.db", "database.url"),
        ("FEEDBOT_HEALTH_PORT", "http", "health.port"),
    ],
)
def test_a_bad_environment_override_is_blamed_on_its_variable(
    tmp_path: Path, variable: str, value: str, field: str
) -> None:
    path = write(tmp_path, "feeds: []\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, {variable: value})

    message = str(caught.value)
    assert f"{variable} ({field}):" in message
    assert str(path) not in message


def test_a_config_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes("feeds: []  # café\n".encode("latin-1"))

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, {})


def test_deeply_nested_yaml_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(write(tmp_path, "feeds: " + "[" * 5000 + "]" * 5000 + "\n"), {})


@pytest.mark.parametrize(("value", "days"), [("30", 30.0), ("'7'", 7.0), ("12h", 0.5), ("2d", 2.0)])
def test_keep_days_reads_a_bare_number_as_days(tmp_path: Path, value: str, days: float) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  keep_days: {value}\n")
    assert load_config(path, environ={}).storage.keep_days == days * 86400
