"""OPML through the real bot: an admin's file imported (folders, categories, duplicates,
invalid outlines), /export as a document that parses, and the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.chat.feedadmin import OPML_FILENAME
from bot.render.i18n import EN
from bot.render.strings import commands as command_strings
from bot.render.strings import opml as opml_strings
from bot.text.opml import read_opml
from tests.botprocess import REPO
from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import REPLY_TIMEOUT, Feed, Item, say
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e


def opml(feeds: FeedServer, configured: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My reader</title></head><body>
  <outline text="Research">
    <outline text="Machine learning">
      <outline type="rss" text="ML notes" xmlUrl="{feeds.url("/ml.xml")}" category="/AI/RL"/>
    </outline>
    <outline type="rss" text="Papers" title="Papers daily" xmlUrl="{feeds.url("/papers.xml")}"/>
  </outline>
  <outline type="rss" text="Already here" xmlUrl="{configured}"/>
  <outline type="rss" text="Papers again" xmlUrl="{feeds.url("/papers.xml")}"/>
  <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
</body></opml>""".encode()


def send_file(
    api: FakeBotAPI, chat: int, name: str, data: bytes, mime_type: str = "text/x-opml"
) -> SentMessage:
    update = api.user_sends_document(chat, chat, name, data, mime_type)
    after = update["message"]["message_id"]
    return api.wait_for(
        lambda: next((m for m in api.messages(chat) if m.message_id > after), None),
        REPLY_TIMEOUT,
        f"the bot's reply to {name}",
    )


def test_an_admins_opml_file_is_imported_and_export_gives_it_back(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("o0"))
    Feed(feeds, "/ml.xml", "ML notes feed").publish(Item("m0"))
    Feed(feeds, "/papers.xml", "Papers feed").publish(Item("p0"))
    bots.start(feed)
    admin, stranger = api.add_private_chat(ADMIN, "Admin"), api.add_private_chat(3101)
    document = opml(feeds, feed.url)

    assert send_file(api, stranger, "subs.opml", document).plain_text == EN(
        command_strings.ONLY_BOT_ADMINS
    )
    summary = send_file(api, admin, "subs.opml", document).plain_text
    assert summary.startswith("OPML import: 2 feeds added, 1 already followed (skipped).")
    assert "1 could not be taken:\n- Gopher: gopher://old.example/feed is not an http(s) URL" in (
        summary
    )
    sources = say(api, admin, "/sources").plain_text
    assert "ML notes #Research #Machine learning #AI #RL" in sources  # as the file spells them
    assert "Papers daily #Research" in sources
    assert send_file(api, admin, "notes.txt", b"hello", "text/plain").plain_text == EN(
        opml_strings.OPML_NOT_OPML
    )
    broken = send_file(api, admin, "broken.opml", b"<opml><body>").plain_text
    assert broken.startswith("Could not read that file: not an XML document")

    export = say(api, admin, "/export")
    assert export.document is not None
    assert export.document["file_name"] == OPML_FILENAME
    assert export.plain_text == EN(opml_strings.EXPORT_CAPTION)
    read = read_opml(api.file_bytes(export.document["file_id"]))
    assert {f.url: f.title for f in read.feeds} == {
        feeds.url("/ml.xml"): "ML notes",
        feeds.url("/papers.xml"): "Papers daily",
        feed.url: "Test feed",
    }
    assert say(api, stranger, "/export").plain_text == EN(command_strings.ONLY_BOT_ADMINS)


def test_the_feeds_cli_imports_lists_and_exports(feeds: FeedServer, tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "config.yaml").write_text(
        f"database:\n  url: sqlite:///{root / 'bot.db'}\nfeeds:\n  - url: {feeds.url('/c.xml')}\n"
    )
    (root / "subs.opml").write_bytes(opml(feeds, feeds.url("/c.xml")))

    def feedbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "feeds", *args, "--config", str(root / "config.yaml")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    imported = feedbot("import", str(root / "subs.opml"))
    assert imported.returncode == 0, imported.stderr
    assert "2 added, 1 skipped, 1 invalid" in imported.stderr
    listed = feedbot("list").stdout.splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [
        ["config", feeds.url("/c.xml")],
        ["chat", "ML notes"],
        ["chat", "Papers daily"],
    ]
    exported = feedbot("export")
    assert len(read_opml(exported.stdout.encode()).feeds) == 3
    missing = feedbot("import", str(root / "nope.opml"))
    assert missing.returncode == 1
    assert "nope.opml: cannot read" in missing.stderr
