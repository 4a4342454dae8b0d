"""Messages stay within the Bot API whatever the entries hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.domain import TopicState
from bot.render import callbacks
from bot.render.choice_text import bounded_list
from bot.render.entries import entry_block
from bot.render.i18n import EN
from bot.render.keyboards import Paging
from bot.render.menu import TOPIC_BUTTONS, TopicOption, topics_menu, topics_pages
from bot.render.message import MESSAGE_LIMIT, Button, Rendered
from bot.render.pages import LABEL_UNITS, latest, single_push, transmission
from bot.render.plain import as_plain, visible_length, visible_text
from bot.text.measure import utf16_length
from tests.factories import view

ALLOWED_TAGS = re.compile(r"</?(b|i|a)(\s[^>]*)?>")


def tags_are_telegram_only(message_html: str) -> bool:
    return all(ALLOWED_TAGS.fullmatch(tag) for tag in re.findall(r"<[^>]*>", message_html))


def all_callbacks(rendered: Rendered) -> list[str]:
    return [b.callback for row in rendered.keyboard for b in row if b.callback]


HOSTILE = [
    view(1, title="<script>alert(1)</script> & co", text="a < b && c > d " * 40),
    view(2, title="全角" * 300, text="中文摘要" * 2000, topics=("机器学习", "深度 学习")),
    view(3, title="👩‍👩‍👧" * 200, text="🇯🇵🏳️‍🌈" * 3000),
    view(4, title="", text="", link=None),
    view(5, title="quote \" and ' and &amp;", text="x" * 10_000, link='https://e.org/?a=1&b="2"'),
]


@pytest.mark.parametrize("page_size", [1, 5, 10])
def test_latest_page_fits_4096_with_hostile_entries(page_size: int) -> None:
    entries = (HOSTILE * 2)[:page_size]
    rendered = latest(
        entries,
        Paging(number=1, known_pages=3, has_more=True),
        loc=EN,
        summary_length=3000,
        topic_label="机器学习",
        topic_id=7,
    )
    assert visible_length(rendered.html) <= MESSAGE_LIMIT
    assert tags_are_telegram_only(rendered.html)
    assert all(len(data.encode()) <= callbacks.MAX_BYTES for data in all_callbacks(rendered))


def test_transmission_fits_and_pages_with_its_id() -> None:
    entries = HOSTILE * 3
    rendered = transmission(
        entries, loc=EN, page=2, page_size=5, summary_length=3000, transmission_id=2**62
    )
    assert visible_length(rendered.html) <= MESSAGE_LIMIT
    assert tags_are_telegram_only(rendered.html)
    assert "INCOMING TRANSMISSION" in rendered.html
    data = all_callbacks(rendered)
    assert callbacks.encode(callbacks.TransmissionPage(2**62, 3)) in data
    assert all(len(d.encode()) <= callbacks.MAX_BYTES for d in data)


def test_text_is_escaped_not_interpreted() -> None:
    rendered = latest(
        [HOSTILE[0]],
        Paging(1, 1, False),
        loc=EN,
        summary_length=100,
        topic_label=None,
        topic_id=None,
    )
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script> & co" in visible_text(rendered.html)


def test_single_entry_push_has_title_link_topics_date_summary_and_its_buttons() -> None:
    entry = view(
        title="SigLIP 概述",
        text="一" * 500,
        topics=("ml", "deep learning"),
        published=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        link="https://blog.example/siglip",
    )
    rendered = transmission(
        [entry], loc=EN, page=1, page_size=5, summary_length=350, transmission_id=None
    )
    text = visible_text(rendered.html)
    assert text.startswith("INCOMING TRANSMISSION\n\nSigLIP 概述\n")
    assert "#deep_learning #ml" in text
    assert "2026-11-20" in text
    assert "一" * 350 + "..." in text
    assert "一" * 351 not in text
    assert '<a href="https://blog.example/siglip">' in rendered.html
    assert rendered.keyboard == (
        (Button("Open ↗", url="https://blog.example/siglip"), Button("More ⌄", callback="E:x:1:0")),
        (
            Button("Mute this feed here", callback="E:m:1:0"),
            Button("Less of #ml", callback="E:t:1:0"),
        ),
    )


def test_more_shows_the_full_text_and_offers_less_and_undo_replaces_a_used_action() -> None:
    entry = view(text="一" * 3000, topics=("ml",), link="https://blog.example/long")
    short = single_push(entry, loc=EN, summary_length=350)
    full = single_push(entry, loc=EN, summary_length=350, expanded=True, muted=True, fewer=True)
    assert "一" * 351 not in visible_text(short.html)
    assert "一" * 3000 in visible_text(full.html)
    assert utf16_length(visible_text(full.html)) <= 4096
    assert [b.text for row in full.keyboard for b in row] == [
        "Open ↗",
        "Less ⌃",
        "↶ Undo",
        "↶ Undo",
    ]
    assert [b.callback for row in full.keyboard for b in row][1:] == [
        "E:c:1:1",
        "E:u:1:1",
        "E:r:1:1",
    ]
    assert all(len((b.callback or "").encode()) <= 64 for row in full.keyboard for b in row)


def test_summary_is_cut_at_summary_length_graphemes() -> None:
    rendered = latest(
        [view(text="ab" * 400)],
        Paging(1, 1, False),
        loc=EN,
        summary_length=350,
        topic_label=None,
        topic_id=None,
    )
    assert ("ab" * 175 + "...") in visible_text(rendered.html)


@pytest.mark.parametrize(
    ("number", "known", "more", "labels"),
    [
        (1, 1, False, None),
        (1, 2, False, ["· 1 ·", "2", "›"]),
        (2, 2, False, ["‹", "1", "· 2 ·"]),
        (1, 6, True, ["· 1 ·", "2", "3", "4", "5", "›"]),
        (7, 12, True, ["‹", "5", "6", "· 7 ·", "8", "9", "›"]),
    ],
)
def test_page_buttons(number: int, known: int, more: bool, labels: list[str] | None) -> None:
    rendered = latest(
        [view()],
        Paging(number, known, more),
        loc=EN,
        summary_length=50,
        topic_label=None,
        topic_id=None,
    )
    if labels is None:
        assert rendered.keyboard == ()
        return
    (row,) = rendered.keyboard
    assert [b.text for b in row] == labels
    for button in row:
        action = callbacks.decode(button.callback)
        if button.text.isdigit():
            assert action == callbacks.LatestPage(None, int(button.text))


def test_preview_text_has_no_markup_and_shows_the_buttons() -> None:
    rendered = latest(
        [view(title="A & B", text="x < y")],
        Paging(1, 2, False),
        loc=EN,
        summary_length=50,
        topic_label=None,
        topic_id=None,
    )
    plain = as_plain(rendered)
    assert "<" not in plain.replace("x < y", "")
    assert "&amp;" not in plain
    assert plain.endswith("[ · 1 · ] [ 2 ] [ › ]")


def test_utf16_counting_matches_telegram() -> None:
    assert utf16_length("😀") == 2
    assert visible_length("<b>😀 &amp;</b>") == 4


LONG_TOPICS = [f"{n:02d}" + "长" * 40 + "👩‍👩‍👧" for n in range(150)]


@pytest.mark.parametrize("page_size", [1, 10])
def test_a_latest_header_naming_many_long_topics_still_fits(page_size: int) -> None:
    rendered = latest(
        (HOSTILE * 2)[:page_size],
        Paging(number=3, known_pages=9, has_more=True),
        loc=EN,
        summary_length=3000,
        topic_label=", ".join(LONG_TOPICS),
        topic_id=None,
    )
    assert visible_length(rendered.html) <= MESSAGE_LIMIT
    header = visible_text(rendered.html).split("\n")[0]
    assert utf16_length(header) <= len("LATEST UPDATES · ") + LABEL_UNITS
    assert header.endswith("...")


@pytest.mark.parametrize("count", [0, 1, 20, 21, 150])
def test_topics_menu_fits_and_pages_whatever_the_topics(count: int) -> None:
    states = (TopicState.FOLLOWED, TopicState.NOT_FOLLOWED, TopicState.SKIPPED)
    options = [
        TopicOption(2**62 - n, name, states[n % 3]) for n, name in enumerate(LONG_TOPICS[:count])
    ]
    pages = topics_pages(count)
    assert pages == max(-(-count // TOPIC_BUTTONS), 1)
    shown: list[str] = []
    for page in range(1, pages + 2):  # one past the last shows the last
        rendered = topics_menu(
            options,
            loc=EN,
            pushes_on=True,
            following="everything except: " + ", ".join(LONG_TOPICS),
            everything=False,
            page=page,
        )
        buttons = [b for row in rendered.keyboard for b in row]
        assert visible_length(rendered.html) <= MESSAGE_LIMIT
        assert len(buttons) <= 100
        assert all(len(b.callback.encode()) <= callbacks.MAX_BYTES for b in buttons if b.callback)
        assert tags_are_telegram_only(rendered.html)
        assert rendered.keyboard[0][0].text == "▫️ Everything"
        toggles = [callbacks.decode(b.callback) for b in buttons]
        topic_buttons = [
            b.text
            for b, a in zip(buttons, toggles, strict=True)
            if isinstance(a, callbacks.ToggleTopic) and a.topic_id is not None
        ]
        assert len(topic_buttons) <= TOPIC_BUTTONS
        assert all(
            a.page == min(page, pages) for a in toggles if isinstance(a, callbacks.ToggleTopic)
        )
        if page <= pages:
            shown += topic_buttons
        if pages > 1:
            assert f"Page {min(page, pages)} of {pages}." in visible_text(rendered.html)
    assert len(shown) == count  # every topic on exactly one page
    assert [text.split(" ", 1)[0] for text in shown[:3]] == ["✅", "▫️", "🚫"][: min(count, 3)]


def test_bounded_list_ends_in_how_many_more() -> None:
    assert bounded_list(["ml", "python"], EN, 100) == "ml, python"
    assert bounded_list([], EN, 10) == ""
    text = bounded_list(LONG_TOPICS, EN, 500)
    assert utf16_length(text) <= 500
    kept = text.split(" … and ")[0].split(", ")
    assert kept == LONG_TOPICS[: len(kept)]
    assert text.endswith(f" … and {len(LONG_TOPICS) - len(kept)} more")


def test_an_untitled_entry_shows_its_opening_once() -> None:
    text = (
        "The relay station reported nominal carriers all night long. Later the beacon "
        "drifted east by two degrees and was corrected by the morning crew at dawn."
    )
    block = entry_block(view(title="", text=text), summary_length=350, loc=EN)
    title_line, _meta, summary = block.split("\n")
    assert "The relay station reported" in title_line
    assert block.count("The relay station reported") == 1
    assert summary.startswith("...")
    assert summary.endswith("at dawn.")


def test_an_entry_without_title_or_text_is_untitled() -> None:
    block = entry_block(view(title="", text=""), summary_length=350, loc=EN)
    assert "(untitled)" in block
