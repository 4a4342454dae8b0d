"""A fresh clone: no config file, only the token; the first admin claims the bot in chat."""

from __future__ import annotations

import re

import pytest

from bot.render.i18n import EN
from bot.render.strings import admin as admin_strings
from bot.render.strings import commands as command_strings
from tests.botprocess import free_port
from tests.e2e.conftest import Bots
from tests.e2e.helpers import say
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

CLAIM_LINE = re.compile(r"send /claim (\S+) to the bot")


def test_no_config_file_runs_on_defaults_and_the_first_admin_claims_the_bot(
    api: FakeBotAPI, bots: Bots
) -> None:
    env = {"TELEGRAM_API_BASE_URL": api.base_url, "FEEDBOT_HEALTH_PORT": str(free_port())}
    bot = bots.make({}, env=env, config_file=False).start()
    log = bot.run_log()
    assert log.count("no config file") == 1
    assert "sqlite:///data/transmission.db" in log
    assert (bot.directory / "data" / "transmission.db").is_file()
    match = CLAIM_LINE.search(log)
    assert match, log
    code = match.group(1)

    def private_menu() -> list[str]:
        return [c["command"] for c in api.commands({"type": "all_private_chats"})]

    api.wait_for(lambda: "claim" in private_menu(), 20, "/claim in private chats' menu")
    owner, stranger = api.add_private_chat(2101), api.add_private_chat(2102)
    assert say(api, owner, "/stats").plain_text == EN(command_strings.ONLY_BOT_ADMINS)
    assert say(api, owner, "/claim WRONG-CODE").plain_text == EN(admin_strings.CLAIM_WRONG)
    group = api.add_group(-2103, "Readers")
    assert say(api, group, f"/claim {code}", user=owner).plain_text == EN(
        admin_strings.CLAIM_IN_PRIVATE
    )
    assert say(api, owner, f"/claim {code}").plain_text == EN(admin_strings.CLAIMED)
    assert "STATS" in say(api, owner, "/stats").plain_text
    api.wait_for(lambda: "claim" not in private_menu(), 20, "/claim gone from the menu")
    assert say(api, stranger, f"/claim {code}").plain_text == EN(admin_strings.CLAIM_CLOSED)
    assert say(api, stranger, "/stats").plain_text == EN(command_strings.ONLY_BOT_ADMINS)

    bot.restart()  # the claim is stored; no code is logged again
    assert not CLAIM_LINE.search(bot.run_log())
    assert "STATS" in say(api, owner, "/stats").plain_text


def test_wrong_claim_codes_are_rate_limited(api: FakeBotAPI, bots: Bots) -> None:
    bot = bots.start(telegram={"admins": []})
    code = CLAIM_LINE.search(bot.run_log())
    assert code, bot.run_log()
    guesser = api.add_private_chat(2111)
    for _ in range(5):
        assert say(api, guesser, "/claim AAAAA-AAAAA").plain_text == EN(admin_strings.CLAIM_WRONG)
    limited = say(api, guesser, f"/claim {code.group(1)}").plain_text
    assert limited.startswith("Too many wrong codes. Try again in ")
    assert say(api, api.add_private_chat(2112), f"/claim {code.group(1)}").plain_text == (
        EN(admin_strings.CLAIMED)
    )
