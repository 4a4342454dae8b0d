"""``feedbot preview``, and the whole corpus through preview and through a real poll."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app.poll_once import poll_once
from bot.config.load import load_config
from bot.ingest.parse import parse_document
from tests.conftest import CORPUS
from tests.feedserver import FeedServer

TAG = re.compile(
    r"<\s*/?\s*(p|div|a|span|img|br|b|i|strong|em|script|style|code|pre)\b[^>]*>", re.I
)
ENTITY = re.compile(r"&(amp|lt|gt|quot|nbsp|#\d+|#x[0-9a-f]+);", re.I)

#: documents whose own text talks about tags (not markup leaking through)
QUOTES_MARKUP = {
    "Ranchero-Software_RSParser__Tests_RSParserTests_Resources_3960.json": "an article on <i>/<b>",
}

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Preview &amp; Co</title><link>https://p.example/</link>
<item><title>Second &lt;post&gt;</title><link>https://p.example/2</link>
<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate><category>Python</category>
<description>&lt;p&gt;Uses &lt;code&gt;asyncio&lt;/code&gt; &amp;amp; more&lt;/p&gt;
</description></item>
<item><title>First post</title><link>https://p.example/1</link>
<pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>
<description>Plain words.</description></item>
</channel></rss>"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")
    return path


def test_preview_prints_page_one_as_a_chat_shows_it(feed_file: Path) -> None:
    done = run_cli("preview", str(feed_file))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "LATEST UPDATES"
    assert lines[2] == "Second <post>"  # newest first, entities decoded, no markup
    assert lines[3] == "Preview & Co · 2026-11-20 · #Python"  # as the feed spells it
    assert lines[4] == "Uses asyncio & more"
    assert "First post" in done.stdout
    assert not TAG.search(done.stdout)


def test_preview_shows_page_buttons_when_there_is_more(tmp_path: Path, feed_file: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("delivery:\n  page_size: 1\n", encoding="utf-8")
    done = run_cli("preview", "--config", str(config), str(feed_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("[ · 1 · ] [ 2 ] [ › ]")
    assert "First post" not in done.stdout


def test_preview_fetches_urls_and_applies_config_topics(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.set_feed("/feed.xml", RSS)
        url = server.url("/feed.xml")
        config = tmp_path / "config.yaml"
        config.write_text(
            f"feeds:\n  - url: {url}\n    name: Named\n    topics: [blogs]\n"
            "topics:\n  plain: {keywords: [words]}\n",
            encoding="utf-8",
        )
        done = run_cli("preview", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "Named · 2026-11-20 · #blogs #Python" in done.stdout
    assert "Named · 2026-11-19 · #blogs #plain" in done.stdout


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<!doctype html><html><body><p>Hi</p></body></html>", "not a feed"),
        ("", "not a feed"),
    ],
)
def test_preview_of_a_document_that_is_not_a_feed_fails_in_one_line(
    tmp_path: Path, body: str, reason: str
) -> None:
    path = tmp_path / "page.html"
    path.write_text(body, encoding="utf-8")
    done = run_cli("preview", str(path))
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1
    assert reason in done.stderr
    assert "Traceback" not in done.stderr


def test_preview_of_a_missing_file_fails_in_one_line() -> None:
    done = run_cli("preview", "/nonexistent/feed.xml")
    assert done.returncode != 0
    assert "no such file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/feed.xml"])
def test_preview_of_a_malformed_url_fails_in_one_line(url: str) -> None:
    done = run_cli("preview", url)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"feedbot: {url}: ")


def test_preview_with_a_named_config_that_does_not_exist_fails(feed_file: Path) -> None:
    done = run_cli("preview", "--config", "/nonexistent/config.yaml", str(feed_file))
    assert done.returncode != 0
    assert "no such config file" in done.stderr
    assert done.stdout == ""


def test_preview_into_a_closed_pipe_exits_without_a_traceback(feed_file: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # like `feedbot preview ... | head` once head has exited
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "preview", str(feed_file)],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 1
    assert done.stderr == ""


# ----------------------------------------------------------------------------- the corpus


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*/*") if p.is_file())


def manifest() -> dict[str, dict[str, object]]:
    path = CORPUS / "MANIFEST.json"
    if not path.is_file():
        return {}
    return {item["file"]: item for item in json.loads(path.read_text(encoding="utf-8"))}


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_document_goes_through_preview(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["preview", str(path)])  # the CLI's own code path, without a process each
    out, err = capsys.readouterr()
    if status == 0:
        assert out.startswith("LATEST UPDATES")
        if path.parent.name == "realworld" and path.name not in QUOTES_MARKUP:
            assert not TAG.search(out), TAG.search(out)
    else:
        assert err.startswith("feedbot: ")
        assert err.count("\n") == 1


@pytest.fixture(scope="module")
def realworld_polled(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str]]:
    """Every realworld feed served locally and polled once into a real SQLite file."""
    folder = tmp_path_factory.mktemp("realworld")
    files = sorted((CORPUS / "realworld").glob("*"))
    with FeedServer() as server:
        urls = {}
        for path in files:
            server.set_feed(f"/{path.name}", path.read_bytes(), content_type="application/xml")
            urls[server.url(f"/{path.name}")] = path.name
        config_path = folder / "config.yaml"
        feeds = "".join(f"  - url: {url}\n" for url in urls)
        config_path.write_text(
            f"database:\n  url: sqlite:///{folder / 'corpus.db'}\n"
            f"polling:\n  concurrency: 40\n  per_host: 40\nfeeds:\n{feeds}",
            encoding="utf-8",
        )
        assert asyncio.run(poll_once(load_config(config_path, {}))) == 0
    return folder / "corpus.db", urls


@pytest.mark.corpus
def test_realworld_titles_are_stored_and_no_markup_leaks(
    realworld_polled: tuple[Path, dict[str, str]],
) -> None:
    database, urls = realworld_polled
    names = {item["file"]: item for item in manifest().values()}
    with sqlite3.connect(database) as db:
        stored = db.execute(
            "SELECT feeds.url, entries.title FROM entries JOIN feeds ON feeds.id = entries.feed_id"
        ).fetchall()
        errors = db.execute("SELECT url, last_error FROM feeds WHERE error_count > 0").fetchall()
    assert errors == []
    by_feed: dict[str, set[str]] = {}
    for url, title in stored:
        by_feed.setdefault(url, set()).add(title)
        if urls[url] not in QUOTES_MARKUP:
            assert not TAG.search(title), (urls[url], title)
    for url, name in urls.items():
        path = CORPUS / "realworld" / name
        parsed = parse_document(path.read_bytes(), {"content-type": "application/xml"}, url)
        titled = {e.title for e in parsed.entries if e.title}
        assert titled <= by_feed.get(url, set()), name
    assert len(names) >= len(urls)
