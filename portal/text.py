"""User Markdown to safe HTML: rendered once at write time, sanitised by one allow-list, stored.

``render_markdown`` is CommonMark (markdown-it-py) plus tables and strikethrough; raw HTML in the
source is shown as text, never passed through. Headings move down two levels (``#`` becomes
``<h3>``) because the page around a post owns ``<h1>`` and ``<h2>``. Images are not allowed:
``![alt](url)`` is not parsed as an image, so it reads as ``!`` followed by a plain link.

``sanitize_html`` is the only place bleach is used (bleach 6.4 is its final release), so that a
successor such as nh3 replaces it here and nowhere else.

Bare URLs are linked by our own pass, not by bleach's or markdown-it's linkify: theirs swallow
the Chinese punctuation that follows a URL (``请访问https://www.gov.cn/zhengce/，谢谢。``). Ours
stops at the first non-ASCII character and never links inside code or inside an existing link.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_CODE_CLASS = re.compile(r"language-[a-z0-9]+")
_ALIGNMENTS = frozenset({"left", "center", "right"})
_HEADING_SHIFT = 2  # h1 -> h3 ... h4 and below -> h6

# A bare URL: http(s):// then printable ASCII only, so it ends at the first Chinese character or
# full-width punctuation. One character class with one quantifier: linear, no backtracking.
_BARE_URL = re.compile(r"(?<![A-Za-z0-9+.\-])https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING_PUNCTUATION = ".,:;!?'\"*_~"
# What a browser ignores in a URL's scheme (whitespace, controls) and what may hide one
# (zero-width and other non-ASCII characters, which bleach drops before it checks too).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\U0010ffff]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _scheme_allowed(url: str) -> bool:
    """A second check beside bleach's: bleach lets ``tel:110`` or ``javascript:1`` through as
    "relative" URLs (its URL parser reads digits after the colon as a port number)."""
    squeezed = _URL_NOISE.sub("", html.unescape(url)).lower()
    scheme = _SCHEME.match(squeezed)
    return scheme is None or scheme.group(1) in ALLOWED_PROTOCOLS


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    """The attribute allow-list; bleach also checks ``href`` against the protocols."""
    if tag == "a":
        return name == "title" or (name == "href" and _scheme_allowed(value))
    if tag == "code":
        return name == "class" and _CODE_CLASS.fullmatch(value) is not None
    if tag in ("th", "td"):
        return name == "align" and value in _ALIGNMENTS
    return False


class _LinkRelFilter(Filter):
    """Every link gets ``rel="nofollow ugc noopener"`` and never a ``target``."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attributes = {
                    key: value
                    for key, value in token["data"].items()
                    if key not in ((None, "rel"), (None, "target"))
                }
                attributes[(None, "rel")] = LINK_REL
                token["data"] = attributes
            yield token


def sanitize_html(html_text: str) -> str:
    """Reduce ``html_text`` to the allow-list: other tags are stripped (their text is kept),
    other attributes dropped, and links keep only http, https, mailto or relative URLs."""
    # A Cleaner holds parser state and is not thread-safe; making one costs well under 0.1 ms.
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_attribute_allowed,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_LinkRelFilter],
    )
    return cleaner.clean(html_text)


def _trim_url(url: str) -> str:
    """Drop punctuation that ends a sentence rather than the URL, and an unbalanced ``)``.

    Works on an end index with running counts, so a long tail of punctuation costs linear time.
    """
    end = len(url)
    unmatched = url.count(")") - url.count("(")
    while end:
        last = url[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last == ")" and unmatched > 0:
            end -= 1
            unmatched -= 1
        else:
            break
    return url[:end]


def _linkified(token: Token) -> list[Token]:
    """``token`` (a text token) split into text and link tokens around its bare URLs."""
    content = token.content
    pieces: list[Token] = []
    position = 0
    for match in _BARE_URL.finditer(content):
        url = _trim_url(match.group())
        if len(url) <= len("https://"):
            continue
        start = match.start()
        if start > position:
            pieces.append(_text_token(content[position:start], token.level))
        link_open = Token("link_open", "a", 1, level=token.level, markup="linkify", info="auto")
        link_open.attrs = {"href": url}
        pieces.append(link_open)
        pieces.append(_text_token(url, token.level + 1))
        pieces.append(Token("link_close", "a", -1, level=token.level, markup="linkify"))
        position = start + len(url)
    if not pieces:
        return [token]
    if position < len(content):
        pieces.append(_text_token(content[position:], token.level))
    return pieces


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _link_bare_urls(state: StateCore) -> None:
    """Core rule: link bare URLs in text, outside existing links (code spans are not text)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if token.type == "text" and not inside_link and "://" in token.content:
                children.extend(_linkified(token))
            else:
                children.append(token)
        block.children = children


def _adjust_tags(state: StateCore) -> None:
    """Core rule: headings two levels down, ``<s>`` as ``<del>``, table alignment as ``align``
    (a ``style`` attribute would be stripped, and the CSP forbids it anyway)."""
    for block in state.tokens:
        if block.type in ("heading_open", "heading_close"):
            level = min(int(block.tag[1]) + _HEADING_SHIFT, 6)
            block.tag = f"h{level}"
        elif block.type in ("th_open", "td_open"):
            style = str(block.attrs.pop("style", ""))
            alignment = style.removeprefix("text-align:")
            if alignment in _ALIGNMENTS:
                block.attrs["align"] = alignment
        for child in block.children or ():
            if child.type in ("s_open", "s_close"):
                child.tag = "del"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")
    md.core.ruler.push("kaimen_link_bare_urls", _link_bare_urls)
    md.core.ruler.push("kaimen_adjust_tags", _adjust_tags)
    return md


_md = _markdown()


def render_markdown(source: str) -> str:
    """Safe HTML for the Markdown ``source``; store it beside the source."""
    return sanitize_html(_md.render(source)).rstrip("\n")


_BLOCK_TAGS = frozenset(
    {
        "p",
        "br",
        "div",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
_INVISIBLE_TAGS = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment; block boundaries become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def plain_text(html_or_source: str, limit: int | None = None) -> str:
    """Text for excerpts, search and email: tags stripped, entities unescaped, whitespace
    collapsed; cut to at most ``limit`` characters, ending in "…" when cut."""
    extractor = _TextExtractor()
    extractor.feed(html_or_source)
    extractor.close()
    text = " ".join("".join(extractor.parts).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…" if limit > 0 else ""
    return text
