"""bot.text.html: feed HTML -> summary text, placeholders, double escaping, references."""

from __future__ import annotations

import random
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.text.html import MAX_MARKUP_CHARS, html_to_text, looks_like_html, plain_to_text
from bot.text.measure import ELLIPSIS, grapheme_count, truncate
from bot.text.placeholders import (
    CODE_PLACEHOLDER,
    CODE_PLACEHOLDER_CJK,
    FORMULA_PLACEHOLDER,
    FORMULA_PLACEHOLDER_CJK,
)
from tests.test_text_measure import E_ACUTE, FAMILY, FLAG_JP, HANGUL_GAG, THUMB_DARK

CODE, CODE_ZH = CODE_PLACEHOLDER, CODE_PLACEHOLDER_CJK
MATH, MATH_ZH = FORMULA_PLACEHOLDER, FORMULA_PLACEHOLDER_CJK


def _case(id_: str, *values: object) -> object:
    return pytest.param(*values, id=id_)


# --------------------------------------------------------------------------- html_to_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("amp-in-markup", "<p>Salt &amp; pepper</p>", "Salt & pepper"),
        _case("amp-without-markup", "Salt &amp; pepper", "Salt & pepper"),
        _case("hex-reference", "<p>&#x4e2d;&#x6587;</p>", "中文"),
        _case("decimal-reference", "&#20013;&#25991; text", "中文 text"),
        _case("nbsp-is-a-space", "<p>ten&nbsp;&nbsp;apples</p>", "ten apples"),
        _case("named-hellip-mdash", "<p>Wait&hellip; what&mdash;no</p>", "Wait… what—no"),
        _case("named-copy-no-markup", "&copy; 2024 Example", "© 2024 Example"),
        _case("lt-gt-decoded", "<p>if a &lt; b &amp;&amp; b &gt; c</p>", "if a < b && b > c"),
        _case("unknown-entity-kept", "<p>R&D &unknownthing; here</p>", "R&D &unknownthing; here"),
    ],
)
def test_entities_are_decoded(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "nested-inline",
            "<div><p>The <b>quick <i>brown <u>fox</u></i></b> jumps</p></div>",
            "The quick brown fox jumps",
        ),
        _case("inline-does-not-add-space", "<p>un<b>break</b>able</p>", "unbreakable"),
        _case(
            "link-keeps-text-only",
            '<p>Read <a href="https://example.org/post?id=1">the post</a>.</p>',
            "Read the post.",
        ),
        _case(
            "images-become-placeholders",
            '<p>Chart:<img src="a.png" alt="a bar chart"> up</p>',
            "Chart: [image] up",
        ),
        _case("comments-dropped", "<p>before<!-- hidden note -->after</p>", "beforeafter"),
    ],
)
def test_nested_markup_keeps_only_visible_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("paragraphs", "<p>First.</p><p>Second.</p>", "First. Second."),
        _case("br", "line one<br>line two<br/>line three", "line one line two line three"),
        _case("list-items", "<ul><li>alpha</li><li>beta</li></ul>gamma", "alpha beta gamma"),
        _case("headings", "<h2>Title</h2><p>Body</p>", "Title Body"),
        _case(
            "table-cells",
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            "a b c",
        ),
        _case("blockquote", "said<blockquote>quoted</blockquote>done", "said quoted done"),
        _case("divs", "<div>one</div><div>two</div>", "one two"),
        _case("cjk-blocks", "<p>第一段</p><p>第二段</p>", "第一段 第二段"),
        _case("newlines-and-tabs", "<p>a\n\n\tb \r\n c</p>", "a b c"),
        _case("ideographic-space", "<p>前\u3000后</p>", "前 后"),
        _case("leading-trailing-space", "  <p>  padded  </p>  ", "padded"),
    ],
)
def test_block_boundaries_become_single_spaces(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        _case("script", "<p>keep</p><script>var secret = 1;</script>"),
        _case("style", "<style>p { color: red }</style><p>keep</p>"),
        _case("noscript", "<p>keep</p><noscript>enable javascript</noscript>"),
        _case("iframe", '<p>keep</p><iframe src="https://video.example">no frames</iframe>'),
        _case("svg", '<p>keep</p><svg><title>icon</title><text x="0">label</text></svg>'),
        _case("template", "<template><p>later</p></template><p>keep</p>"),
        _case("object", '<object data="x.swf">flash fallback</object><p>keep</p>'),
        _case(
            "full-document-head",
            "<!DOCTYPE html><html><head><title>Tab title</title>"
            '<meta charset="utf-8"><style>b{}</style></head><body><p>keep</p></body></html>',
        ),
    ],
)
def test_invisible_elements_are_removed_entirely(html: str) -> None:
    assert html_to_text(html) == "keep"


def test_tail_text_after_removed_element_is_kept() -> None:
    assert html_to_text("<p>before<script>x()</script> after</p>") == "before after"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("spaced-less-than", "a < b", "a < b"),
        _case("less-than-digit", "<p>1 <2 and 3 > 2</p>", "1 <2 and 3 > 2"),
        _case("less-than-with-entity", "x < y &amp; z", "x < y & z"),
        _case(
            "generic-type-in-prose", "<p>Use List&lt;String&gt; here</p>", "Use List<String> here"
        ),
    ],
)
def test_stray_less_than_is_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# --------------------------------------------------------------------------- code blocks


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "pre-code",
            "<p>Install it:</p><pre><code>pip install thing\nthing --help</code></pre><p>Done.</p>",
            f"Install it: {CODE} Done.",
        ),
        _case("bare-pre", "<p>Output</p><pre>42</pre>", f"Output {CODE}"),
        _case("multiline-code", "Run <code>make\nmake test</code> now", f"Run {CODE} now"),
        _case("code-with-br", "Run <code>make<br>make test</code> now", f"Run {CODE} now"),
        _case(
            "highlight-div",
            '<div class="highlight"><span class="k">def</span> f(): pass</div>after',
            f"{CODE} after",
        ),
        _case(
            "codehilite-div",
            '<p>See</p><div class="codehilite language-py"><pre>x = 1</pre></div>',
            f"See {CODE}",
        ),
        _case(
            "highlight-figure",
            '<figure class="highlight"><table><tr><td>1</td><td>puts 1</td></tr></table></figure>',
            CODE,
        ),
        _case(
            "adjacent-blocks-collapse",
            "<p>Two files:</p><pre>a = 1</pre>\n<pre>b = 2</pre><p>end</p>",
            f"Two files: {CODE} end",
        ),
        _case("empty-pre-dropped", "<p>nothing</p><pre> \n </pre><p>here</p>", "nothing here"),
    ],
)
def test_code_block_becomes_placeholder_in_english_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "pre-in-chinese",
            "<p>先安装依赖，然后运行下面的脚本：</p>"
            "<pre><code>pip install torch\npython train.py</code></pre>"
            "<p>训练会在几分钟内完成。</p>",
            f"先安装依赖，然后运行下面的脚本： {CODE_ZH} 训练会在几分钟内完成。",
        ),
        _case(
            "chinese-with-english-terms",
            "<p>使用 PyTorch 的 DataLoader 加载数据集：</p><pre>loader = DataLoader(ds)</pre>",
            f"使用 PyTorch 的 DataLoader 加载数据集： {CODE_ZH}",
        ),
        _case(
            "japanese",
            "<p>次のコマンドを実行します。</p><pre>npm install</pre>",
            f"次のコマンドを実行します。 {CODE_ZH}",
        ),
    ],
)
def test_code_block_becomes_placeholder_in_cjk_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_english_text_with_a_few_cjk_characters_keeps_english_placeholders() -> None:
    html = (
        "<p>The word 中文 means the Chinese language; here is how to print it:</p>"
        "<pre>print('中文')</pre>"
    )
    assert html_to_text(html).endswith(CODE)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("inline-code", "<p>Call <code>len(items)</code> first</p>", "Call len(items) first"),
        _case("inline-kbd", "<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd></p>", "Press Ctrl+C"),
        _case("code-with-edge-newlines", "<p>Use <code>\nflag\n</code> here</p>", "Use flag here"),
        _case(
            "highlight-span-is-not-code",
            '<p>a <span class="highlight">marked</span> word</p>',
            "a marked word",
        ),
    ],
)
def test_inline_code_stays_as_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# --------------------------------------------------------------------------- formulas


KATEX_INLINE = (
    '<span class="katex"><span class="katex-mathml"><math><semantics><mi>n</mi>'
    '<annotation encoding="application/x-tex">n</annotation></semantics></math></span>'
    '<span class="katex-html" aria-hidden="true"><span class="mord">n</span></span></span>'
)
KATEX_DISPLAY = f'<span class="katex-display">{KATEX_INLINE}</span>'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "mathml",
            '<p>Energy:</p><math display="block"><mi>E</mi><mo>=</mo><mi>m</mi></math>'
            "<p>holds.</p>",
            f"Energy: {MATH} holds.",
        ),
        _case(
            "display-dollars",
            "<p>The sum $$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$ is classic.</p>",
            f"The sum {MATH} is classic.",
        ),
        _case("display-brackets", "<p>Norm: \\[ \\|x\\|_2 \\] done</p>", f"Norm: {MATH} done"),
        _case(
            "mathjax-display-script",
            '<p>so</p><script type="math/tex; mode=display">a^2+b^2=c^2</script><p>QED</p>',
            f"so {MATH} QED",
        ),
        _case("katex-display", f"<p>Then {KATEX_DISPLAY} follows.</p>", f"Then {MATH} follows."),
        _case(
            "mathjax3-container",
            '<p>see <mjx-container class="MathJax" display="true"><mjx-math>x</mjx-math>'
            "</mjx-container> ok</p>",
            f"see {MATH} ok",
        ),
        _case(
            "mathjax2-rendered-span",
            '<p>see <div class="MathJax_Display"><span class="MathJax">rendered</span></div>'
            " ok</p>",
            f"see {MATH} ok",
        ),
        _case("single-dollars-are-money", "<p>from $5 to $10</p>", "from $5 to $10"),
    ],
)
def test_formula_becomes_placeholder_in_english_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "display-dollars",
            "<p>随机变量的期望可以写成：</p><p>$$\\mathbb{E}[X]=\\sum_x x\\,p(x)$$</p>"
            "<p>这就是定义。</p>",
            f"随机变量的期望可以写成： {MATH_ZH} 这就是定义。",
        ),
        _case(
            "mathml",
            "<p>损失函数定义为</p><math><mi>L</mi><mo>=</mo><mn>0</mn></math><p>其中各项均为正数。</p>",
            f"损失函数定义为 {MATH_ZH} 其中各项均为正数。",
        ),
        _case(
            "code-and-formula",
            "<p>公式如下 \\[ a+b \\] 代码如下</p><pre>print(a + b)</pre>",
            f"公式如下 {MATH_ZH} 代码如下 {CODE_ZH}",
        ),
    ],
)
def test_formula_becomes_placeholder_in_cjk_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("short-kept", "<p>Let \\(X\\) be random.</p>", "Let X be random."),
        _case("twelve-chars-kept", "<p>so \\(a_1+b_2=c_3\\) holds</p>", "so a_1+b_2=c_3 holds"),
        _case(
            "long-becomes-placeholder",
            "<p>so \\(\\int_0^1 f(x)\\,dx\\) holds</p>",
            f"so {MATH} holds",
        ),
        _case("empty-dropped", "<p>odd \\(\\) case</p>", "odd case"),
        _case(
            "katex-inline-uses-source", f"<p>for each {KATEX_INLINE} items</p>", "for each n items"
        ),
        _case(
            "mathjax2-inline-script",
            '<p>let <script type="math/tex">k</script> vary</p>',
            "let k vary",
        ),
        _case(
            "equation-image-alt",
            '<p>期望 <img eeimg="1" src="https://img.example/equation?tex=E%5BX%5D" alt="E[X]">'
            " 存在</p>",
            "期望 E[X] 存在",
        ),
    ],
)
def test_inline_tex_kept_when_short(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# --------------------------------------------------------------------------- double escaping


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "entities-only",
            "&lt;p&gt;Release notes &amp;amp; fixes&lt;/p&gt;&lt;p&gt;Second&lt;/p&gt;",
            "Release notes & fixes Second",
        ),
        _case(
            "inside-a-paragraph",
            "<p>&lt;p&gt;Hello &lt;a href=&quot;https://example.org&quot;&gt;there&lt;/a&gt;&lt;/p&gt;</p>",
            "Hello there",
        ),
        _case(
            "starts-with-a-tag",
            "&lt;div&gt;only one visible tag",
            "only one visible tag",
        ),
        _case(
            "code-inside-double-escape",
            "&lt;p&gt;Try:&lt;/p&gt;&lt;pre&gt;x = 1\ny = 2&lt;/pre&gt;",
            f"Try: {CODE}",
        ),
    ],
)
def test_double_escaped_html_is_parsed_twice(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case(
            "one-tag-in-prose",
            "<p>Use the &lt;br&gt; element sparingly.</p>",
            "Use the <br> element sparingly.",
        ),
        _case(
            "tags-in-inline-code",
            "<p>Wrap it in <code>&lt;div&gt;</code> and close with <code>&lt;/div&gt;</code>.</p>",
            "Wrap it in <div> and close with </div>.",
        ),
    ],
)
def test_html_about_html_is_not_parsed_twice(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# --------------------------------------------------------------------------- garbage input


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("empty", "", ""),
        _case("whitespace", " \n\t ", ""),
        _case("bare-text", "just words", "just words"),
        _case("lone-less-than", "<", "<"),
        _case("lone-ampersand", "&", "&"),
        _case("nul-and-controls", "a\x00b\x01c\x1b[0m d\x7f", "abc[0m d"),
        _case("c1-controls", "x\x80\x9fy", "xy"),
        _case("lone-surrogate", "a\ud800b", "ab"),
        _case("bom-and-zero-width-space", "\ufeffzero\u200bwidth", "zerowidth"),
        _case("zwj-kept", f"<p>{FAMILY}</p>", FAMILY),
        _case("unclosed-tags", "<p>open <b>bold <i>italic", "open bold italic"),
        _case("stray-close-tags", "</div></p>text</span>", "text"),
        _case("only-a-comment", "<!-- nothing -->", ""),
        _case("control-reference", "<p>a&#0;b&#1;c&#x9f;</p>", "a\ufffdbcŸ"),
        _case("private-use-sentinel-reference", "<p>x&#xE000;y&#57345;z</p>", "xyz"),
        _case("control-reference-no-markup", "a&#1;b&#xE000;c", "abc"),
        _case("deep-nesting", "<b>" * 5000 + "deep", "deep"),
    ],
)
def test_garbage_input_never_raises(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_random_garbage_never_raises_and_yields_one_clean_line() -> None:
    rng = random.Random(20240611)
    alphabet = "<>/&;#=\"' abcpre\n\t\x00\x07\x85\u00a0中文$\\()[]\ue000\ud800x"
    for _ in range(300):
        garbage = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        text = html_to_text(garbage)
        assert text == text.strip()
        assert "  " not in text
        assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in text)


# --------------------------------------------------------------------------- plain_to_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        _case("markup-is-literal", "a <b>bold</b> claim & more", "a <b>bold</b> claim & more"),
        _case("entities-are-literal", "AT&amp;T", "AT&amp;T"),
        _case("whitespace-collapsed", "  one\n\ntwo\u00a0 three  ", "one two three"),
        _case("controls-stripped", "ab\x00c\x08d", "abcd"),
        _case("display-tex-english", "Recall $$a^2 + b^2 = c^2$$ here.", f"Recall {MATH} here."),
        _case(
            "display-tex-chinese",
            "勾股定理：\\[ a^2+b^2=c^2 \\] 成立。",
            f"勾股定理： {MATH_ZH} 成立。",
        ),
        _case("inline-tex-short", "Let \\(n\\) grow.", "Let n grow."),
        _case("empty", "", ""),
    ],
)
def test_plain_text_is_never_treated_as_markup(text: str, expected: str) -> None:
    assert plain_to_text(text) == expected


# --------------------------------------------------------------------------- end to end


REALISTIC_FRAGMENTS = [
    pytest.param(
        "<p>We are happy to announce <strong>version 2.4</strong> of the scheduler. This release"
        " adds jitter to polling intervals, honours <code>Retry-After</code> headers and fixes"
        " a race when two feeds share a host.</p><pre><code>pip install -U scheduler\n</code></pre>"
        "<p>Thanks to everyone who reported issues &amp; sent patches&hellip;</p>",
        id="english-release-notes",
    ),
    pytest.param(
        "<h2>背景</h2><p>视觉语言预训练在多模态任务上取得了很大进展，但是现有方法通常只擅长理解"
        "或者生成其中一类任务。本文提出了一个统一的框架，同时兼顾两类任务。</p><p>损失函数为</p>"
        "<p>$$\\mathcal{L} = \\mathcal{L}_{itc} + \\mathcal{L}_{itm} + \\mathcal{L}_{lm}$$</p>"
        "<pre>model = Model()\nmodel.fit(data)</pre><p>实验表明该方法在多个基准上都有提升。</p>",
        id="chinese-paper-notes",
    ),
    pytest.param(
        f"<p>Party time {FAMILY}{FAMILY} in Tokyo {FLAG_JP}! Caf{E_ACUTE} and {HANGUL_GAG}"
        f" for everyone {THUMB_DARK}{THUMB_DARK}{THUMB_DARK}.</p>",
        id="emoji-heavy",
    ),
    pytest.param(
        "&lt;p&gt;Escaped twice, " + "over and over " * 30 + "&lt;/p&gt;", id="double-escaped"
    ),
]


@pytest.mark.parametrize("html", REALISTIC_FRAGMENTS)
@pytest.mark.parametrize("limit", [10, 40, 120, 350])
def test_truncated_summary_stays_within_limit(html: str, limit: int) -> None:
    summary = truncate(html_to_text(html), limit)
    assert grapheme_count(summary) <= limit + len(ELLIPSIS)
    assert "<" not in summary or "<" in html_to_text(html)


def test_html_to_text_gives_the_same_results_from_worker_threads() -> None:
    fragments = [p.values[0] for p in REALISTIC_FRAGMENTS] * 8
    expected = [html_to_text(str(html)) for html in fragments]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(html_to_text, [str(html) for html in fragments])) == expected


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param("<p>It&amp;#8217;s here</p>", "It\u2019s here", id="wordpress-double-escape"),
        pytest.param("<p>Лаба&amp;#769;зник</p>", "Лаба\u0301зник", id="combining-mark"),
        pytest.param("<p>a&amp;#x41;b</p>", "aAb", id="hex"),
        pytest.param("<p>bad &amp;#55296; ref</p>", "bad ref", id="surrogate-dropped"),
        pytest.param("<p>&amp;#57344;x</p>", "x", id="no-private-sentinels"),
        pytest.param("<p>Salt &amp;amp; pepper</p>", "Salt & pepper", id="named-amp"),
        pytest.param("<p>&amp;quot;Hi&amp;quot;</p>", '"Hi"', id="named-quot"),
        pytest.param("Tom &amp;amp; Jerry", "Tom & Jerry", id="named-without-markup"),
        pytest.param("<p>a&amp;nbsp;b &amp;copy;</p>", "a b ©", id="named-nbsp-copy"),
        pytest.param("<p>R&amp;D &amp;bogus; x</p>", "R&D &bogus; x", id="unknown-name-kept"),
        pytest.param("<p>?a=1&amp;not=2</p>", "?a=1&not=2", id="incomplete-reference-kept"),
    ],
)
def test_references_escaped_twice_are_decoded_named_or_numeric(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param("<![CDATA[x]]> y", "x y", id="text"),
        pytest.param("<![CDATA[<p>Hello <b>you</b></p>]]>", "Hello you", id="markup-inside"),
        pytest.param("<p>a</p><![CDATA[b]]><![CDATA[c]]>", "a bc", id="several"),
    ],
)
def test_cdata_sections_in_content_keep_their_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# --------------------------------------------------------------------------- media, math, spacing


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("image-only", '<p><img src="a.jpg"></p>', "[image]"),
        _case("images-fold", '<img src="a.jpg"><img src="b.jpg"> text', "[image] text"),
        _case("pixel-dropped", 'Hi<img src="p.gif" width="1" height="1">', "Hi"),
        _case("emoji-alt", 'sad <img class="wp-smiley" src="e.png" alt="😢">', "sad 😢"),
        _case("no-src-dropped", "a <img alt=x> b", "a b"),
        _case("video", '<video src="v.mp4">fallback</video> after', "[video] after"),
        _case("audio", "<audio controls><source src=a.mp3></audio>", "[audio]"),
        _case(
            "youtube-iframe", '<iframe src="https://www.youtube.com/embed/x"></iframe>', "[video]"
        ),
        _case("other-iframe-dropped", '<iframe src="https://ads.example/"></iframe>ok', "ok"),
        _case("cjk-image", '<p>这是一张照片<img src="a.jpg">。</p>', "这是一张照片 [图片]。"),
        _case("cjk-video", "<p>看视频</p><video></video>", "看视频 [视频]"),
    ],
)
def test_media_become_placeholders(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_image_only_text_follows_the_hint_language() -> None:
    assert html_to_text('<img src="a.jpg">', "分享图片") == "[图片]"
    assert html_to_text('<img src="a.jpg">', "Holiday photos") == "[image]"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        _case("inline-paren", r"<p>so \( a^2+b^2 \) holds</p>", "so a^2+b^2 holds"),
        _case("inline-greek", r"<p>take \(\alpha\) small</p>", "take α small"),
        _case("inline-dollar", "<p>if $x^2$ grows</p>", "if x^2 grows"),
        _case(
            "dollar-long", r"<p>falls like $\sigma/\sqrt{n}$ now</p>", "falls like [formula] now"
        ),
        _case("prices", "<p>costs $5 and $10 here</p>", "costs $5 and $10 here"),
        _case("price-range", "<p>from $5-$10</p>", "from $5-$10"),
        _case("dollar-digits", "<p>pay $5$ now</p>", "pay $5$ now"),
        _case("display", "<p>is $$E=mc^2$$.</p>", "is [formula]."),
        _case("no-space-before-punct", "<p>see</p><pre>x</pre><p>. Next</p>", "see [code]. Next"),
        _case("cjk-punct", "<p>公式</p><pre>x</pre>，然后", "公式 [代码]，然后"),
    ],
)
def test_inline_math_and_spacing(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<p>a paragraph</p>", True),
        ('<figure class="highlight python"><table><tr><td>x</td></tr></table></figure>', True),
        ("<b>Bold</b> & co", True),
        ("a <b> c", False),
        ("if a < b and c > d", False),
        ("Second <post>", False),
        ("plain words", False),
    ],
)
def test_looks_like_html(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


def test_markup_is_cut_before_it_is_parsed() -> None:
    huge = "<p>" + "word " * (MAX_MARKUP_CHARS // 5 + 1000) + "END</p>"
    text = html_to_text(huge)
    assert "END" not in text
    assert len(text) <= MAX_MARKUP_CHARS
