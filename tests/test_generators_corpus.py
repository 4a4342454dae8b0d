"""Feeds in the shapes common blog generators write, through ``feedbot preview``.

The documents in tests/fixtures/generators/ are our own, written in each generator's
shape with its quirks (Hexo's untyped HTML in Atom text constructs, Hugo's escaped
descriptions, Jekyll's xml:base, WordPress emoji images and tracking pixels, Typecho's
``<!--more-->``, Halo's CDATA titles, Ghost cards, VuePress heading anchors, Substack
subscribe widgets, Medium stat pixels, RSSHub image-only posts and markup in titles).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.__main__ import main

GENERATORS = Path(__file__).parent / "fixtures" / "generators"

TAG = re.compile(r"<\s*/?\s*[a-z][a-z0-9]*\b[^>]*>", re.I)
ENTITY = re.compile(r"&(amp|lt|gt|quot|nbsp|#\d+|#x[0-9a-f]+);", re.I)

#: file -> lines the preview must contain (titles, meta lines, summaries as a chat reads them)
EXPECTED: dict[str, list[str]] = {
    "hexo.xml": [
        "在线蒸馏的一点体会",
        "随着蒸馏流程不断成熟，教师模型可以在训练中途替换。下面是最小的配置： [代码] "
        "损失函数为 [公式]，其中 α 取 0.5。 [图片]",
        "浮点数比较之前先想清楚精度。 结论：用 math.isclose。",
        "为什么我的 a < b 比较总是错",
        "这周读完了两本书，a < b 的问题也解决了。",  # real plain text stays plain
    ],
    "hugo.xml": [
        "Averaging n samples divides the variance by n, so the error of the mean falls like "
        "[formula]. A coffee costs $5 and a book $10 here. [code] That is all.",
        "[image] The ridge at dawn Three days, two passes, one broken stove…",
    ],
    "jekyll.xml": [
        "Parsing dates & times without tears",
        "Dates are hard. Read the guide first. [code] Then keep everything in UTC.",
        "[image]",  # a post of images only
    ],
    "wordpress.xml": [
        "Frost came early – what survived",
        "[image] The leeks didn’t mind at all. The courgettes are another story 😢. "
        "My neighbour said “cover them” and he was right. [code] More next week.",
        "Bring your spare beans. Tea provided. […]",
    ],
    "typecho.xml": [
        "折腾了一晚上，终于把旧路由器刷成了 OpenWrt。 刷机命令如下： [代码] "
        "速度比原厂固件快了不少！",
        "[图片]",  # image-only post: the placeholder follows the title's language
    ],
    "halo.xml": [
        "连接池为什么会被耗尽",
        "现象 高峰期接口大量超时，日志里全是 Connection is not available。 [代码] "
        "原因是事务里调用了远程服务。",
        "本期节目： [音频] 欢迎留言。",
    ],
    "ghost.xml": [
        "[image] The deck at noon Everyone on board knew it was the last one. "
        "The captain rang the bell twice. [video]",
    ],
    "vuepress.xml": [
        "Configuring the widget Create widget.config.js next to your package file: [code] "
        "TIP Restart the dev server after changing it.",
    ],
    "substack.xml": [
        "[image] Last year I read fifty books and remember five. This year I am reading slowly.",
    ],
    "medium.xml": [
        "[image] Photo by a friend 1. Ship the boring version first Nobody asked for the "
        "animated onboarding. 2. Crash reports are love letters Read every one of them.",
    ],
    "rsshub.xml": [
        "重要 & 新消息：今天发布了新版本",  # markup in a title is stripped
        "今天发布了新版本，欢迎试用！ 更新说明见评论区。 [视频]",
        "[图片]",
    ],
}


def test_every_generator_has_a_document_and_expectations() -> None:
    assert sorted(p.name for p in GENERATORS.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_generator_shapes_read_as_text_in_preview(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["preview", str(GENERATORS / name)])
    out, err = capsys.readouterr()

    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "LATEST UPDATES"
    for expected in EXPECTED[name]:
        assert expected in lines, f"{name}: {expected!r} not in\n{out}"
    assert not TAG.search(out), (name, TAG.search(out))
    assert not ENTITY.search(out), (name, ENTITY.search(out))
    for stray in (" .", " ,", " 。", " ，"):
        assert stray not in out
