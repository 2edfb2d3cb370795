"""HTML mail to plain text: structure kept as lines, quotes marked, nothing remote fetched.

Scripts, styles and the head are dropped; images are dropped (a remote image is a tracking
beacon); blockquotes become ``> `` lines, and the containers mail clients put quoted history in
(Gmail's ``gmail_quote``, Outlook's ``divRplyFwdMsg`` and ``appendonsend``, Yahoo's, QQ Mail's
``includeTail``) start a line ``QUOTE_SENTINEL`` that ``quotes.strip_quotes`` cuts at.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

QUOTE_SENTINEL = "\u2063[kaimen-quoted-history]\u2063"

_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_BLOCK = frozenset(
    {
        "p", "div", "table", "tr", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "pre", "hr", "section", "article", "header", "footer", "address", "center", "dl", "dt",
        "dd", "blockquote",
    }
)  # fmt: skip
_QUOTE_CLASSES = re.compile(
    r"gmail_quote|yahoo_quoted|moz-cite-prefix|includeTail|ntes-mailmaster-quote|"
    r"protonmail_quote|divRplyFwdMsg|appendonsend|OutlookMessageHeader",
    re.IGNORECASE,
)
# Void elements never get an end tag: they must not count as open containers.
_VOID = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.hidden = 0
        self.quote_depth = 0
        self.stack: list[str] = []

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")
        else:
            self.lines[-1] = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in _HIDDEN:
            self.hidden += 1
        if tag in _VOID:
            if tag == "br":
                self.lines.append("")
            elif tag == "hr":
                self._newline()
            return
        self.stack.append(tag)
        marker = " ".join(filter(None, (attributes.get("class"), attributes.get("id"))))
        if tag in _BLOCK:
            self._newline()
        if marker and _QUOTE_CLASSES.search(marker):
            self._newline()
            self.lines[-1] = QUOTE_SENTINEL
            self.lines.append("")
        if tag == "blockquote":
            self.quote_depth += 1

    def handle_endtag(self, tag):
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _HIDDEN:
                self.hidden = max(self.hidden - 1, 0)
            if open_tag == "blockquote":
                self.quote_depth = max(self.quote_depth - 1, 0)
            if open_tag in _BLOCK:
                self._newline()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.hidden:
            return
        text = re.sub(r"[ \t\r\n\f\v]+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * self.quote_depth
            text = text.lstrip()
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    """The readable text of an HTML body, one line per block or ``<br>``."""
    converter = _Converter()
    try:
        converter.feed(html)
        converter.close()
    except Exception:  # html.parser is lenient; any surprise falls back to tags off
        return re.sub(r"<[^>]*>", "", html)
    lines = [line.replace("\xa0", " ").rstrip() for line in converter.lines]
    text = "\n".join(line.lstrip() if not line.startswith(">") else line for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
