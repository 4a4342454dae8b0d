"""Feed bytes -> text: declared, missing and wrong charsets, BOMs, double-encoded UTF-8."""

from __future__ import annotations

import pytest

from bot.ingest import charset
from tests.feeddocs import parse, rss

# --------------------------------------------------------------------------- encodings

CJK_TITLE = "中文标题：新闻"


@pytest.mark.parametrize(
    ("title", "codec", "declared"),
    [
        pytest.param(CJK_TITLE, "gb2312", "gb2312", id="gb2312"),
        pytest.param("朱镕基访问", "gb18030", "gb2312", id="gbk-char-in-gb2312-feed"),
        pytest.param("繁體中文標題", "big5", "big5", id="big5"),
        pytest.param("價格 €100", "cp950", "big5", id="cp950-euro-in-big5-feed"),
        pytest.param("香港㗎", "big5hkscs", "big5", id="hkscs-char-in-big5-feed"),
        pytest.param("日本語のタイトル", "shift_jis", "shift_jis", id="shift_jis"),
        pytest.param("丸数字①と～", "cp932", "Shift_JIS", id="cp932-chars-in-sjis-feed"),
        pytest.param("日本語のタイトル", "euc_jp", "EUC-JP", id="euc-jp"),
        pytest.param("한국어 제목", "euc_kr", "euc-kr", id="euc-kr"),
        pytest.param("Новости дня", "cp1251", "windows-1251", id="windows-1251"),
        pytest.param("Новости дня", "koi8_r", "koi8-r", id="koi8-r"),
        pytest.param("Żółć gęślą", "iso8859_2", "iso-8859-2", id="iso-8859-2"),
        pytest.param("“Quotes” – €", "cp1252", "iso-8859-1", id="latin1-label-means-cp1252"),
        pytest.param("日本語", "cp932", "x-sjis", id="web-only-label"),
    ],
)
def test_declared_legacy_encodings_decode(title: str, codec: str, declared: str) -> None:
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n'
    body = rss(f"<item><guid>g</guid><title>{title}</title></item>", decl=decl).encode(codec)

    (entry,) = parse(body).entries

    assert entry.title == title


@pytest.mark.parametrize(
    ("title", "body", "headers"),
    [
        pytest.param(
            "Новости",
            rss("<item><guid>g</guid><title>Новости</title></item>").encode("koi8_r"),
            {"content-type": "text/xml; charset=KOI8-R"},
            id="charset-only-in-http-header",
        ),
        pytest.param(
            CJK_TITLE,
            rss(
                f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>",
                decl='<?xml version="1.0" encoding="gb2312"?>',
            ).encode(),
            {"content-type": "text/xml; charset=gb2312"},
            id="utf8-mislabelled-gb2312",
        ),
        pytest.param(
            "Café",
            rss("<item><guid>g</guid><title>Café</title></item>").encode("cp1252"),
            {"content-type": "application/xml; charset=utf-8"},
            id="latin1-mislabelled-utf8",
        ),
        pytest.param(
            "Für „Grüße“",
            rss("<item><guid>g</guid><title>Für „Grüße“</title></item>")
            .encode()
            .decode("cp1252")
            .encode(),
            {},
            id="double-encoded-utf8-repaired",
        ),
        pytest.param(
            CJK_TITLE,
            rss(
                f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>",
                decl='<?xml version="1.0" encoding="utf-16"?>',
            ).encode("utf-16"),
            {},
            id="utf-16-bom",
        ),
        pytest.param(
            CJK_TITLE,
            rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode("utf-16-le"),
            {},
            id="utf-16le-no-bom",
        ),
        pytest.param(
            CJK_TITLE,
            rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode("utf-32-be"),
            {},
            id="utf-32be-no-bom",
        ),
        pytest.param(
            "Новости дня",
            rss(
                "<item><guid>g</guid><title>Новости дня</title></item>",
                decl='<?xml version="1.0" encoding="iso-8859-1"?>',
            ).encode("cp1251"),
            {"content-type": "application/rss+xml; charset=windows-1251"},
            id="http-charset-beats-the-declaration-for-xml-types",
        ),
        pytest.param(
            "Новости дня",
            rss(
                "<item><guid>g</guid><title>Новости дня</title></item>",
                decl='<?xml version="1.0" encoding="windows-1251"?>',
            ).encode("cp1251"),
            {"content-type": "application/octet-stream; charset=iso-8859-1"},
            id="declaration-beats-the-charset-of-a-non-xml-type",
        ),
        pytest.param(
            CJK_TITLE,
            b"\xef\xbb\xbf"
            + rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode(),
            {"content-type": "text/xml; charset=iso-8859-1"},
            id="utf-8-bom-beats-header",
        ),
    ],
)
def test_encoding_is_found_when_labels_are_missing_or_wrong(
    title: str, body: bytes, headers: dict[str, str]
) -> None:
    (entry,) = parse(body, headers).entries

    assert entry.title == title


def test_one_corrupt_byte_does_not_turn_a_gb18030_feed_into_mojibake() -> None:
    decl = '<?xml version="1.0" encoding="gb2312"?>'
    good = f"<item><guid>1</guid><title>{CJK_TITLE}</title></item>".encode("gb18030")
    broken = b"<item><guid>2</guid><title>\xff\xff" + "尾巴".encode("gb18030") + b"</title></item>"
    body = rss("{}", decl=decl).encode().replace(b"{}", good + broken)

    first, second = parse(body).entries

    assert first.title == CJK_TITLE
    assert second.title.endswith("尾巴")


def test_every_superset_codec_exists() -> None:
    for codecs_ in charset._SUPERSETS.values():
        for codec in codecs_:
            b"abc".decode(codec)
