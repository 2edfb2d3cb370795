"""Markdown to safe HTML: what a reader sees, and what an attacker cannot get through."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from portal.text import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    LINK_REL,
    plain_text,
    render_markdown,
    sanitize_html,
)
from tests.portal.xss_inputs import HOSTILE_INPUTS

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}


class _Elements(HTMLParser):
    """Every element of a fragment, as (tag, {attribute: unescaped value})."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def elements(fragment: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.elements


def squeezed(value: str) -> str:
    """An attribute value as a browser's URL parser may read it: whitespace, control and
    non-ASCII (zero-width) characters removed, lower case."""
    return re.sub(r"[\x00-\x20\x7f-\uffff]", "", value).lower()


def assert_safe(output: str) -> None:
    for tag, attributes in elements(output):
        assert tag in ALLOWED_TAGS, f"element <{tag}> in {output!r}"
        for name, value in attributes.items():
            assert not name.startswith("on"), f"event handler {name} in {output!r}"
            assert name != "style", output
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), f"{tag}[{name}] in {output!r}"
            assert "<script" not in squeezed(value), output
            assert "javascript:" not in squeezed(value), output
        if tag == "a":
            assert attributes.get("rel") == LINK_REL
            scheme = re.match(r"([a-z][a-z0-9+.\-]*):", squeezed(attributes.get("href", "")))
            assert scheme is None or scheme.group(1) in ALLOWED_PROTOCOLS, output
        if tag == "code" and "class" in attributes:
            assert re.fullmatch(r"language-[a-z0-9]+", attributes["class"])


def links(output: str) -> list[str]:
    return [attributes.get("href", "") for tag, attributes in elements(output) if tag == "a"]


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>x</script>",
        "<img src=x>",
        '<p onclick="x">a</p>',
        '<p style="color:red">a</p>',
        '<a href="JAVA\tSCRIPT:x" rel="nofollow ugc noopener">a</a>',
        '<a href="&#106;avascript:x" rel="nofollow ugc noopener">a</a>',
        '<a href="data:text/html,x" rel="nofollow ugc noopener">a</a>',
        '<a href="http://x" title="javascript:x" rel="nofollow ugc noopener">a</a>',
        '<a href="http://x">no rel</a>',
        '<code class="language-x y">a</code>',
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


# CommonMark basics


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hello", "<p>Hello</p>"),
        ("**bold** and *italic*", "<p><strong>bold</strong> and <em>italic</em></p>"),
        ("~~gone~~", "<p><del>gone</del></p>"),
        ("`a < b`", "<p><code>a &lt; b</code></p>"),
        ("line one  \nline two", "<p>line one<br>\nline two</p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("---", "<hr>"),
        ("# Title", "<h3>Title</h3>"),
        ("## Section", "<h4>Section</h4>"),
        ("#### Deep", "<h6>Deep</h6>"),
        ("###### Deepest", "<h6>Deepest</h6>"),
        (
            "```python\nprint('<b>')\n```",
            "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>",
        ),
        ("```c++\nx\n```", "<pre><code>x\n</code></pre>"),
        ("    indented code", "<pre><code>indented code\n</code></pre>"),
        (
            '[政府网](https://www.gov.cn/ "标题")',
            f'<p><a href="https://www.gov.cn/" title="标题" rel="{LINK_REL}">政府网</a></p>',
        ),
        (
            "<xinfang@example.gov.cn>",
            f'<p><a href="mailto:xinfang@example.gov.cn" rel="{LINK_REL}">'
            "xinfang@example.gov.cn</a></p>",
        ),
        ("[home](/forum)", f'<p><a href="/forum" rel="{LINK_REL}">home</a></p>'),
    ],
)
def test_commonmark_basics(source, expected):
    assert render_markdown(source).strip() == expected


def test_table_alignment_uses_align_not_style():
    output = render_markdown("| 事项 | 天数 |\n|:--|--:|\n| 办证 | 20 |")
    assert '<th align="left">事项</th>' in output
    assert '<td align="right">20</td>' in output
    assert "style" not in output


def test_raw_html_in_markdown_is_shown_as_text():
    assert render_markdown("<b>not bold</b>") == "<p>&lt;b&gt;not bold&lt;/b&gt;</p>"


def test_image_syntax_becomes_a_plain_link():
    output = render_markdown("![地图](https://example.com/map.png)")
    assert "<img" not in output
    assert output == f'<p>!<a href="https://example.com/map.png" rel="{LINK_REL}">地图</a></p>'


# Bare URLs and Chinese punctuation


def test_bare_url_stops_at_chinese_punctuation():
    assert render_markdown("请访问https://www.gov.cn/zhengce/，谢谢。") == (
        f'<p>请访问<a href="https://www.gov.cn/zhengce/" rel="{LINK_REL}">'
        "https://www.gov.cn/zhengce/</a>，谢谢。</p>"
    )


@pytest.mark.parametrize(
    "after", ["，", "。", "！", "？", "）", "」", "、", "\u3000", "；", "：", "》", "…", "好的"]
)
def test_bare_url_ends_before_non_ascii(after):
    output = render_markdown(f"见https://example.gov.cn/a/b?id=1{after}下一句")
    assert links(output) == ["https://example.gov.cn/a/b?id=1"]
    assert f"</a>{after}下一句" in output


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("See https://example.com/page.", "https://example.com/page"),
        ("(see https://example.com/a)", "https://example.com/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("“https://example.com/q?x=1&y=2”", "https://example.com/q?x=1&y=2"),
        ("http://example.com:8080/x#frag, then", "http://example.com:8080/x#frag"),
        ("（https://example.com/x）", "https://example.com/x"),
    ],
)
def test_bare_url_boundaries(text, url):
    assert links(render_markdown(text)) == [url]


@pytest.mark.parametrize(
    "source",
    [
        "`https://example.com/in-code`",
        "```\nhttps://example.com/in-fence\n```",
        "    https://example.com/indented",
        "ftp://example.com/x",
        "javascript://example.com/%0aalert(1)",
        "xhttps://example.com/glued",
        "https://",
    ],
)
def test_no_bare_link_where_none_belongs(source):
    assert links(render_markdown(source)) == []


def test_no_link_inside_an_existing_link():
    output = render_markdown("[see https://a.example/x](https://b.example/y)")
    assert links(output) == ["https://b.example/y"]


# Links


def test_every_link_gets_rel_and_no_target():
    output = sanitize_html(
        '<a href="https://x.example" target="_blank" rel="opener">x</a> <a>no href</a>'
    )
    assert [a for tag, a in elements(output) if tag == "a"] == [
        {"href": "https://x.example", "rel": LINK_REL},
        {"rel": LINK_REL},
    ]


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://x.example/", True),
        ("http://x.example/", True),
        ("mailto:a@x.example", True),
        ("/relative/path", True),
        ("#anchor", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
        ("ftp://x.example/", False),
        ("tel:110", False),
        ("javascript:1", False),
        ("JAVA&#x09;SCRIPT:1", False),
    ],
)
def test_only_allowed_protocols_survive(href, kept):
    output = sanitize_html(f'<a href="{href}">x</a>')
    assert links(output) == ([href] if kept else [""])


# Hostile inputs


def test_there_are_many_hostile_inputs():
    assert len(HOSTILE_INPUTS) >= 40


@pytest.mark.parametrize("source", HOSTILE_INPUTS.values(), ids=HOSTILE_INPUTS.keys())
def test_hostile_markdown_renders_safe(source):
    output = render_markdown(source)
    assert_safe(output)
    assert sanitize_html(output) == output


@pytest.mark.parametrize("source", HOSTILE_INPUTS.values(), ids=HOSTILE_INPUTS.keys())
def test_hostile_html_sanitises_safe(source):
    output = sanitize_html(source)
    assert_safe(output)
    assert sanitize_html(output) == output


def test_disallowed_tags_are_stripped_not_shown():
    output = sanitize_html("<div><span>kept</span> <font color=red>text</font></div><h1>big</h1>")
    assert output.split() == ["kept", "textbig"] or output.split() == ["kept", "text", "big"]


def test_escaped_entities_stay_text():
    output = render_markdown("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert output == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert plain_text(output) == "<script>alert(1)</script>"


def test_fullwidth_brackets_stay_text():
    assert render_markdown("＜script＞") == "<p>＜script＞</p>"


def test_link_title_cannot_break_out_of_the_attribute():
    output = render_markdown('[x](http://a.example "\\" onmouseover=alert(1)")')
    [(_, attributes)] = [element for element in elements(output) if element[0] == "a"]
    assert attributes == {
        "href": "http://a.example",
        "title": '" onmouseover=alert(1)',
        "rel": LINK_REL,
    }


def test_code_keeps_html_as_text():
    output = render_markdown("`<script>alert(1)</script>`")
    assert output == "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>"


# Idempotence and speed


@pytest.mark.parametrize(
    "source",
    [
        "# 标题\n\n正文 **粗体** https://example.com/a?b=1&c=2 还有 `代码`",
        "| a | b |\n|:-|-:|\n| 1 | 2 |",
        "> 引用\n>> 嵌套\n\n1. 一\n2. 二\n\n---\n\n```sql\nselect 1 < 2;\n```",
        "AT&T & \"quotes\" 'single' <angle> &amp; &copy;",
    ],
)
def test_sanitising_rendered_output_changes_nothing(source):
    output = render_markdown(source)
    assert sanitize_html(output) == output


def _best_time(source: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        render_markdown(source)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "pathological",
    [
        "http://" + "a" * 100_000 + "，",
        "https://a" + ")" * 100_000,
        "https://a" + "." * 100_000,
        "http://a." * 11_000,
    ],
    ids=["long-url", "closing-parens", "trailing-dots", "many-urls"],
)
def test_long_urls_render_in_linear_time(pathological):
    normal = ("市民反映的问题已转交有关部门办理，详见 https://example.gov.cn/notice/1 。\n" * 3000)[
        : len(pathological)
    ]
    # A generous ratio: quadratic behaviour on 100 KB would be thousands of times slower.
    assert _best_time(pathological) < 20 * _best_time(normal) + 0.05


# Plain text


def test_plain_text_strips_tags_and_unescapes():
    html = render_markdown("# 通知\n\n请于**周五**前提交 &amp; 确认 <b>\n\n- 一\n- 二")
    assert plain_text(html) == "通知 请于周五前提交 & 确认 <b> 一 二"


def test_plain_text_drops_script_and_style_content():
    assert plain_text("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>") == "a b"


def test_plain_text_collapses_whitespace():
    assert plain_text("  a\n\n\tb\u3000 c  ") == "a b c"


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(None, "一二三四五六"), (6, "一二三四五六"), (4, "一二三…"), (1, "…"), (0, "")],
)
def test_plain_text_limit(limit, expected):
    assert plain_text("<p>一二三四五六</p>", limit) == expected


def test_plain_text_of_markdown_source():
    assert plain_text("a &lt; b & c <i>d</i>") == "a < b & c d"
