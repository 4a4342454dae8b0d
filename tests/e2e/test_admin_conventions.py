"""What admins reach for: a proxy for Telegram alone or for feeds alone, secrets from files,
``--version``, and /metrics by Prometheus' conventions, all on the real ``feedbot run``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from bot.version import VERSION
from tests.botprocess import REPO, wait_until
from tests.e2e.conftest import ADMIN, TOKEN, Bots
from tests.e2e.helpers import Feed, Item, say, wait_push
from tests.e2e.test_startup_failures import assert_one_line_failure
from tests.fakebotapi import FakeBotAPI
from tests.proxies import HttpProxy, SocksProxy

pytestmark = pytest.mark.e2e

PASSWORD = "pr0xy-s3cret"
Proxy = HttpProxy | SocksProxy


@pytest.fixture(params=["http", "socks5"])
def proxy(request: pytest.FixtureRequest) -> Iterator[Proxy]:
    kind = HttpProxy if request.param == "http" else SocksProxy
    with kind(user="admin", password=PASSWORD) as running:
        yield running


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def a_push_arrives(api: FakeBotAPI, feed: Feed, bots: Bots, chat: int) -> None:
    """/start in ``chat``, then a new entry on the feed reaches it."""
    say(api, api.add_private_chat(chat), "/start")
    entry = Item(f"news-{chat}")
    feed.publish(entry)
    wait_push(api, chat, entry)


def test_telegram_goes_through_its_proxy_while_feeds_go_direct(
    api: FakeBotAPI, feed: Feed, bots: Bots, proxy: Proxy
) -> None:
    feed.publish(Item("old"))
    # the http proxy from the config file, the socks5 one from the environment
    if isinstance(proxy, HttpProxy):
        bot = bots.start(feed, telegram={"proxy": proxy.url})
    else:
        bot = bots.start(feed, env={"TELEGRAM_PROXY": proxy.url})
    bot.wait_polls(1)
    a_push_arrives(api, feed, bots, 901)

    assert proxy.connections_to(port_of(api.base_url)) >= 2  # getUpdates and the rest
    assert proxy.connections_to(port_of(feed.url)) == 0
    if isinstance(proxy, HttpProxy):  # forwarded requests show their method: both clients
        methods = {line.rsplit("/", 1)[-1] for line in proxy.first_requests}
        assert "getUpdates" in methods, methods
        assert methods & {"getMe", "sendMessage", "setMyCommands"}, methods
    assert feed.server.hits(feed.path) >= 2  # fetched, directly
    log = bot.log_text()
    assert PASSWORD not in log
    assert f"through the proxy {proxy.scheme}://admin:***@127.0.0.1:{proxy.port}" in log


def test_feeds_go_through_polling_proxy_while_telegram_goes_direct(
    api: FakeBotAPI, feed: Feed, bots: Bots, proxy: Proxy
) -> None:
    feed.publish(Item("old"))
    if isinstance(proxy, SocksProxy):
        bot = bots.start(feed, polling={"proxy": proxy.url})
    else:
        bot = bots.start(feed, env={"FEEDBOT_POLLING_PROXY": proxy.url})
    bot.wait_polls(1)
    a_push_arrives(api, feed, bots, 902)

    assert proxy.connections_to(port_of(feed.url)) >= 1
    assert proxy.connections_to(port_of(api.base_url)) == 0
    assert PASSWORD not in bot.log_text()


def test_the_proxy_variables_of_other_programs_are_ignored(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    with HttpProxy() as trap:
        names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
        env = dict.fromkeys(names, trap.url) | {"NO_PROXY": "", "no_proxy": ""}
        bot = bots.start(feed, env=env)
        bot.wait_polls(1)
        a_push_arrives(api, feed, bots, 905)
        assert trap.total() == 0


def test_a_proxy_that_refuses_the_password_is_one_line_without_it(
    feed: Feed, bots: Bots, proxy: Proxy
) -> None:
    wrong = proxy.url.replace(PASSWORD, "not-the-pr0xy-pw")
    bot = bots.make(bots.config(feed, telegram={"proxy": wrong}))
    code = bot.run_to_exit()
    err = assert_one_line_failure(bot, code, "cannot reach the Bot API")
    assert f"through the proxy {proxy.scheme}://admin:***@127.0.0.1:{proxy.port}" in err
    assert proxy.refused >= 1
    assert "not-the-pr0xy-pw" not in bot.log_text()
    assert PASSWORD not in bot.log_text()


def test_the_token_from_a_file_works(
    api: FakeBotAPI, feed: Feed, bots: Bots, tmp_path: Path
) -> None:
    token_file = tmp_path / "telegram_token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    feed.publish(Item("old"))
    bot = bots.start(feed, token=None, env={"TELEGRAM_BOT_TOKEN_FILE": str(token_file)})
    bot.wait_polls(1)
    a_push_arrives(api, feed, bots, 903)


def test_a_missing_token_file_is_one_line_naming_the_variable(
    feed: Feed, bots: Bots, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "token"
    bot = bots.make(bots.config(feed), token=None, env={"TELEGRAM_BOT_TOKEN_FILE": str(missing)})
    code = bot.run_to_exit()
    err = assert_one_line_failure(bot, code, "TELEGRAM_BOT_TOKEN_FILE", str(missing))
    assert err.startswith("feedbot: TELEGRAM_BOT_TOKEN_FILE: cannot read")


def test_version_prints_the_package_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(f"feedbot {VERSION} (Python 3.")
    assert VERSION != "0+unknown"


def test_metrics_healthz_and_stats_follow_the_conventions_and_name_the_version(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    bot.wait_polls(1)
    a_push_arrives(api, feed, bots, 904)
    base = f"http://127.0.0.1:{bot.health_port}"

    def families() -> dict[str, Metric]:
        text = httpx.get(f"{base}/metrics", timeout=5).text
        return {f.name: f for f in text_string_to_metric_families(text)}

    def latency_counted() -> dict[str, Metric] | None:
        found = families()
        latency = found["feedbot_send_latency_seconds"].samples
        count = next(s.value for s in latency if s.name.endswith("_count"))
        return found if count >= 1 else None

    found = wait_until(latency_counted, 30, "the push in the send latency histogram")
    samples = [s for f in found.values() for s in f.samples]
    assert not [s.name for s in samples if s.name.endswith("_created")]
    fetches = [s for s in samples if s.name == "feedbot_fetch_duration_seconds_count"]
    assert fetches[0].value >= 2
    (build,) = [s for s in samples if s.name == "feedbot_build_info"]
    assert build.labels["version"] == VERSION
    assert next(s for s in samples if s.name == "process_resident_memory_bytes").value > 0
    assert "feedbot_last_tick_timestamp_seconds" in found

    health = httpx.get(f"{base}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.text == f"ok\nrole: leader\nversion: {VERSION}\n"
    stats = say(api, api.add_private_chat(ADMIN), "/stats")
    assert f"Version: Transmission {VERSION} (Python 3." in stats.plain_text
