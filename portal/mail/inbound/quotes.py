"""Cutting the quoted history off a reply, for the mail clients Chinese officials use.

The reply is everything above the first of these lines (the earliest wins):

* our own marker, ``请在此行以上回复 / Please reply above this line`` (``tokens.REPLY_MARKER``),
  and the quoted-history containers of HTML mail (``htmltext.QUOTE_SENTINEL``);
* Outlook: ``-----原始邮件-----`` / ``-----Original Message-----``, or a header block
  ``发件人:``/``From:`` followed within a few lines by ``发送时间:``/``Sent:``/``Date:``;
* Foxmail / QQ Mail: ``------------------ 原始邮件 ------------------``;
* NetEase 163/126: ``在 2026-11-20 10:00:00，"x" <x@y> 写道：``;
* Gmail: ``于2026年11月20日周五 10:00写道：`` and ``On …, X <x@y> wrote:``, also wrapped over two
  lines; Apple Mail: ``On 20 Nov 2026, at 10:00, X wrote:`` and ``2026年11月20日 10:00，X 写道：``;
* a signature: ``-- ``, ``发自我的iPhone``, ``发自网易邮箱大师``, ``Sent from my iPhone`` …

Lines quoted with ``>`` are dropped wherever they are. If nothing is left, the whole text is kept:
an answer is never stored empty.
"""

from __future__ import annotations

import re

from portal.mail.inbound.htmltext import QUOTE_SENTINEL
from portal.mail.tokens import REPLY_MARKER

_MARKERS = (REPLY_MARKER, "请在此行以上回复", "Please reply above this line", QUOTE_SENTINEL)

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:原始邮件|Original Message|原始郵件|转发邮件|Forwarded message)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\**\s*(?:发件人|寄件者|From)\s*\**\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\**\s*(?:发送时间|发送日期|日期|时间|寄件日期|Sent|Date|收件人|To)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_WROTE_ZH = re.compile(r"写道\s*[:：]?\s*$")
_DATEISH = re.compile(r"\d{4}\s*[-/年.]|\d{1,2}:\d{2}")
_ON_START = re.compile(r"^\s*(?:On|At|Le|Am)\s.*\d", re.IGNORECASE)
_WROTE_EN = re.compile(r"\bwrote\s*:\s*$", re.IGNORECASE)
_SIGNATURES = re.compile(
    r"^\s*(?:--|"
    r"发自我的\s*(?:iPhone|iPad|手机|华为手机|小米手机|Android)|发自网易邮箱大师|发自\s*WPS\s*邮箱|"
    r"发自我的企业微信|从我的\s*iPhone\s*发送|Sent from my \w+.*|Get Outlook for \w+.*|"
    r"获取\s*Outlook for \w+.*)\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*[_=\-]{10,}\s*$")


def _is_marker(line: str) -> bool:
    return any(marker in line for marker in _MARKERS)


def _cut_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        bare = line.lstrip("> \t")
        if _is_marker(line) or _SEPARATOR.match(bare):
            return index
        if _HEADER_FROM.match(bare):
            following = lines[index + 1 : index + 6]
            if any(_HEADER_NEXT.match(other.lstrip("> \t")) for other in following):
                return index
        if _WROTE_ZH.search(bare) and _DATEISH.search(bare):
            return index
        if _ON_START.match(bare):
            if _WROTE_EN.search(bare):
                return index
            if index + 1 < len(lines) and _WROTE_EN.search(lines[index + 1]):
                return index
        if _SIGNATURES.match(line):
            return index
    return None


def strip_quotes(text: str) -> str:
    """The new text of a reply: history and signature cut off, never empty if ``text`` is not."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    cut = _cut_index(lines)
    if cut is not None:
        lines = lines[:cut]
    kept = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    while kept and (not kept[-1].strip() or _UNDERSCORES.match(kept[-1])):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    result = "\n".join(kept).strip()
    if result:
        return result
    fallback = "\n".join(
        line.rstrip() for line in text.split("\n") if QUOTE_SENTINEL not in line
    ).strip()
    return fallback


# How clients introduce a forwarded message in the text (the forward is below the line).
_FORWARD_LINE = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Original Message|原始邮件|原始郵件|"
    r"转发邮件信息|转发的邮件|已转发邮件|转发邮件|Weitergeleitete Nachricht)\s*-{2,}|"
    r"Begin forwarded message:|开始转发的邮件[:：]?|以下为转发的邮件[:：]?)\s*$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[?(?:Fwd?|FW|转发|轉寄|Tr|WG)\s*[:：])", re.IGNORECASE)
_FORWARD_HEADER = re.compile(
    r"^\s*\**\s*(?:From|Date|Sent|Subject|To|Cc|Reply-To|发件人|寄件者|发送时间|发送日期|日期|时间|"
    r"主题|主旨|收件人|抄送)\s*\**\s*[:：]",
    re.IGNORECASE,
)


def split_forward(text: str, subject: str = "") -> str | None:
    """The forwarded text of an inline forward whose cover note is empty, else None.

    A forward is a forward line (Gmail's ``---------- Forwarded message ---------``, Apple Mail's
    ``Begin forwarded message:``, Thunderbird's, Outlook's and Foxmail's ``原始邮件`` …) with
    nothing but blank lines or a signature above it. For Outlook's and Foxmail's separator, which
    replies use too, the subject must say it is a forward (``Fw:``, ``Fwd:``, ``转发：``).
    What is returned is the text below the forwarded header block, its own quotes cut.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if not line.strip() or _SIGNATURES.match(line):
            continue
        if not _FORWARD_LINE.match(line):
            return None
        if not re.search(r"(?i)forward|转发|Begin", line) and not _FORWARD_SUBJECT.match(
            subject or ""
        ):
            return None
        rest = lines[index + 1 :]
        while rest and (not rest[0].strip() or _FORWARD_HEADER.match(rest[0])):
            rest.pop(0)
        body = strip_quotes("\n".join(rest))
        return body or None
    return None
