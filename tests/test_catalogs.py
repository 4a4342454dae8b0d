"""The translation catalogs: every sentence is marked, translated, keeps its placeholders and
markup, and the committed .mo files are what the .po compile to (``scripts/i18n`` fixes the
last; a translator the others)."""

from __future__ import annotations

import ast
import importlib
import re
import string
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from bot.domain import ChatSettings, TopicState
from bot.render import feedlist, search, strings
from bot.render.i18n import LANGUAGES, Msg, catalog_path, language_code, locale
from bot.render.keyboards import Paging
from bot.render.menu import TopicOption, topics_menu
from bot.render.message import MESSAGE_LIMIT, Rendered
from bot.render.pages import single_push, transmission
from bot.render.replies import help_text, stats
from bot.render.settings_menu import SettingsView, settings_menu
from bot.render.strings import _base
from bot.render.strings import commands as command_strings
from bot.render.strings import reading as reading_strings
from bot.store import FollowedFeed
from bot.store.maintenance import Stats
from bot.store.processes import Replica
from tests.catalogs import TRANSLATED, compiled, extract, read
from tests.factories import view
from tests.fakebotapi.html_check import parse_html, utf16_len

#: every module of bot/render/strings/ (its __init__ too), where the sentences are
WORD_MODULES = [
    importlib.import_module(
        strings.__name__ if path.stem == "__init__" else f"{strings.__name__}.{path.stem}"
    )
    for path in sorted(Path(strings.__file__).parent.glob("*.py"))
]
#: Telegram's HTML tags: a translation may not bring any its msgid does not have
_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-\w+|blockquote)\b")


def _placeholders(text: str) -> Counter[str]:
    fields = (
        f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None
    )
    return Counter(fields)


def _markup(text: str) -> Counter[str]:
    return Counter([*_TAG.findall(text), *(c for c in text if c in "<>&")])


@pytest.mark.parametrize("module", WORD_MODULES, ids=lambda module: module.__name__)
def test_every_sentence_in_strings_is_marked_for_translation(module: ModuleType) -> None:
    """A plain string literal in bot/render/strings/ is a sentence no catalog will ever see:
    only ``_("...")`` arguments, docstrings, the brand, and command names may be literals."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            allowed.update(id(n) for arg in node.args for n in ast.walk(arg))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # docstrings
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and (t.id in _base.BRAND or t.id == "BRAND")
            for t in node.targets
        ):
            allowed.update(id(n) for n in ast.walk(node.value))
        elif isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant):
            name = node.elts[0].value  # ("start", _("...")): a command's name
            if isinstance(name, str) and re.fullmatch(r"[a-z_]{1,32}", name):
                allowed.add(id(node.elts[0]))
    unmarked = [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
    ]
    unmarked += [
        f"line {n.lineno}: an f-string" for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)
    ]
    assert not unmarked, "wrap these in _(...) and run scripts/i18n:\n" + "\n".join(unmarked)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_has_a_translation(language: str) -> None:
    catalog = read(language)
    missing = []
    for message in extract():
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or not found.string or found.fuzzy:
            state = "missing" if found is None else "fuzzy" if found.fuzzy else "untranslated"
            missing.append(f"{state}: {message.id!r}")
    assert not missing, (
        f"{language}: run scripts/i18n, translate these in "
        f"{catalog_path(language, '.po')}, run it again:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_markup(language: str) -> None:
    broken = []
    for message in read(language):
        if not message.id or not message.string:
            continue
        msgid, text = str(message.id), str(message.string)
        if _placeholders(msgid) != _placeholders(text):
            broken.append(f"placeholders differ: {msgid!r} -> {text!r}")
        if _markup(msgid) != _markup(text):
            broken.append(f"markup (<, >, &, tags) differs: {msgid!r} -> {text!r}")
    assert not broken, f"{language}:\n" + "\n".join(broken)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogs_are_current(language: str) -> None:
    committed = catalog_path(language, ".mo").read_bytes()
    assert committed == compiled(read(language)), (
        f"{catalog_path(language, '.mo')} is not what its .po compiles to: run scripts/i18n"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_po_holds_no_msgid_that_is_gone(language: str) -> None:
    current = {message.id for message in extract()}
    stale = [message.id for message in read(language) if message.id and message.id not in current]
    assert not stale, f"{language}: run scripts/i18n to drop {stale}"


def _every_sentence() -> list[Msg]:
    """One instance of each sentence in bot/render/strings/, placeholders filled with samples."""
    sentences: list[Msg] = []
    for module in WORD_MODULES:
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, Msg):
                sentences.append(value)
            elif callable(value) and getattr(value, "__module__", "") == module.__name__:
                arguments = value.__code__.co_varnames[: value.__code__.co_argcount]
                result = value(*(7 for _ in arguments))
                if isinstance(result, Msg):
                    sentences.append(result)
    return sentences


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_sentence_renders_in_every_language(language: str) -> None:
    """Formatting each sentence with its values works, and a translated one reads
    differently from its English (a msgid copied as its own translation is no translation)."""
    loc = locale(language)
    for sentence in _every_sentence():
        text = loc(sentence)
        assert text.strip()
        if language != "en" and re.search(r"[a-z]{3}", sentence.msgid.split("{")[0]):
            assert re.search(r"[\u4e00-\u9fff]", text), (language, sentence.msgid, text)


def _messages(language: str) -> list[Rendered]:
    loc = locale(language).in_zone("Asia/Shanghai")
    entries = [view(i, title=f"标题 {i} <&>", topics=("RL", "机器学习")) for i in range(1, 8)]
    settings = ChatSettings(language=language, timezone="Asia/Shanghai", summary_length=350)
    options = [TopicOption(1, "ml", TopicState.FOLLOWED), TopicOption(2, "rl", TopicState.SKIPPED)]
    feeds = [_feed(1), _feed(2, errors=1), _feed(3, paused=True), *(_feed(n) for n in range(4, 9))]
    return [
        transmission(entries, loc=loc, page=1, page_size=5, summary_length=350, transmission_id=9),
        transmission(
            entries[:1], loc=loc, page=1, page_size=5, summary_length=350, transmission_id=None
        ),
        help_text(command_strings.PUBLIC_COMMANDS + command_strings.ADMIN_COMMANDS, loc),
        settings_menu(SettingsView(1, "@chan", settings), loc, saved=True),
        topics_menu(options, loc=loc, pushes_on=False, following="ml", everything=False),
        feedlist.feeds_page(feeds, 1, NOW, loc),
        feedlist.sources_page(feeds, 1, loc),
        feedlist.confirm_remove(feeds[0], 1, loc),
        feedlist.alert("博客 <&>", "https://a.example/feed", NOW, "HTTP 500", NOW, 1, loc),
        feedlist.recovered("博客 <&>", NOW, NOW, loc),
        single_push(
            replace(entries[0], also_in=("博客 2 <&>",), updated=True),
            loc=loc,
            summary_length=350,
            expanded=True,
            muted=True,
            fewer=True,
        ),
        search.results(
            entries[:5],
            Paging(1, 2, False),
            loc=loc,
            words="对比 <学习>",
            everywhere=True,
            scanned=20_000,
            summary_length=350,
            search_id=3,
        ),
    ]


def test_push_buttons_marks_and_search_read_in_the_chats_language() -> None:
    loc = locale("zh_Hant").in_zone("Asia/Shanghai")
    entry = view(1, title="標題", text="長" * 500, topics=("RL",), link="https://a.example/1")
    pushed = single_push(
        replace(entry, also_in=("博客 B",), updated=True), loc=loc, summary_length=350
    )
    labels = [button.text for row in pushed.keyboard for button in row]
    assert labels == ["開啟 ↗", "展開 ⌄", "在此靜音該訂閱源", "少推 #RL"]
    assert "也見於 博客 B · ✎ 已更新" in pushed.html
    assert loc(reading_strings.muted_feed("博客 B")).startswith("已在本聊天靜音 博客 B")
    found = search.results(
        [entry],
        Paging(1, 1, False),
        loc=loc,
        words="標題",
        everywhere=True,
        scanned=None,
        summary_length=350,
        search_id=None,
    )
    assert found.html.startswith("<b>搜尋</b> · 標題 · 所有話題")


NOW = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


def test_stats_lists_the_replicas_with_role_and_ages_in_the_chats_language() -> None:
    figures = Stats(3, 0, 40, 2, 0, 0, 0, 9)
    replicas = [
        Replica("host-a:101:ab12cd34", True, NOW - timedelta(hours=2), NOW - timedelta(seconds=2)),
        Replica("host-b:202:ef56ab78", False, NOW - timedelta(minutes=5), NOW),
    ]
    english = stats(figures, "1.0", "3.11", locale("en"), replicas, NOW).html
    assert "Replicas on this database: 2" in english
    leader = "• host-a:101: leader (Telegram and sending), heartbeat 2s ago, started 2h ago"
    assert leader in english
    assert "• host-b:202: standby (polling feeds), heartbeat just now, started 5m ago" in english
    assert "ab12cd34" not in english
    chinese = stats(figures, "1.0", "3.11", locale("zh_Hans"), replicas, NOW).html
    assert "此数据库上的副本：2" in chinese
    assert "• host-a:101：主副本（Telegram 与发送），心跳 2s前" in chinese
    assert "Replicas" not in stats(figures, "1.0", "3.11", locale("en")).html  # none listed


def _feed(number: int, *, errors: int = 0, paused: bool = False) -> FollowedFeed:
    return FollowedFeed(
        id=number,
        url=f"https://blog{number}.example/feed",
        name=f"博客 {number} <&>",
        topics=("RL",),
        managed_by="config" if number == 1 else "chat",
        paused=paused,
        entry_count=12,
        last_success_at=NOW,
        next_check_at=NOW,
        error_count=errors,
        last_error="HTTP 500" if errors else None,
        last_error_at=NOW if errors else None,
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_messages_in_every_language_are_valid_telegram_html(language: str) -> None:
    for rendered in _messages(language):
        parsed = parse_html(rendered.html)
        assert utf16_len(parsed.text) <= MESSAGE_LIMIT
        for row in rendered.keyboard:
            for button in row:
                assert button.text.strip()
                assert button.callback is None or len(button.callback.encode()) <= 64


def test_dates_are_the_chats_local_day() -> None:
    """07:30 in Shanghai on the 2nd is still the 1st in UTC."""
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert locale("en").date(moment) == "2026-12-01"
    assert locale("zh_Hans").in_zone("Asia/Shanghai").date(moment) == "2026-12-02"


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh", "zh_Hans"),
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh_SG", "zh_Hans"),
        ("zh-hant", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-hk", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("en-GB", "en"),
        ("繁體中文", "zh_Hant"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_language_codes(code: str | None, language: str | None) -> None:
    assert language_code(code) == language
