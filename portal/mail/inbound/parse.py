"""Decoding any message the mail server hands over, leniently, into valid UTF-8.

* Charsets: the GB2312 family (``gb2312``, ``gbk``, ``cp936``, ``euc-cn``, ``x-gbk`` …) is decoded
  as GB18030, its superset, because real mail labels GBK text ``gb2312`` and a strict GB2312 decoder
  loses characters such as 镕 堃 喆. An unknown or wrong label falls back to UTF-8, then GB18030,
  then replacement characters: decoding never raises.
* Headers: RFC 2047 encoded words (B and Q), raw 8-bit bytes (UTF-8 or GBK, no encoding at all),
  RFC 2231 parameters (``filename*=gb2312''%C9%EA.pdf``) and encoded words inside quoted names.
* Bodies: base64 and quoted-printable, bare-LF files, NUL bytes (dropped: PostgreSQL refuses NUL
  in text). The first ``text/plain`` alternative is the text; an HTML-only message is converted
  (``htmltext``). Every other leaf part with content is an attachment — inline images and PDFs
  included; archives are kept as they are, never unpacked.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from portal.mail.inbound.htmltext import html_to_text
from portal.mail.inbound.quotes import strip_quotes

GB_ALIASES = frozenset(
    {
        "gb2312", "gbk", "cp936", "ms936", "euc-cn", "euc_cn", "euccn", "x-gbk", "x-euc-cn",
        "gb_2312-80", "csgb2312", "chinese", "iso-ir-58", "gb2312-80", "windows-936",
    }
)  # fmt: skip
_UNKNOWN = frozenset({"", "unknown-8bit", "x-unknown", "unknown", "8bit", "default"})


def normalize_charset(charset: str | None) -> str:
    """The codec to decode a label with: GB family → gb18030, nonsense → "" (guess)."""
    label = (charset or "").strip().strip("\"'").lower()
    if label in GB_ALIASES:
        return "gb18030"
    if label in _UNKNOWN:
        return ""
    if label in {"us-ascii", "ascii", "ansi_x3.4-1968"}:
        return ""  # ASCII labels on 8-bit text are common: guess instead
    try:
        "".encode(label)
    except (LookupError, ValueError):
        return ""
    return label


def clean_text(text: str) -> str:
    """Valid UTF-8 with no NUL and no lone surrogates."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _cjk_score(text: str) -> int:
    """How Chinese a decoding looks: CJK ideographs and punctuation count, odd Latin costs."""
    score = 0
    for ch in text:
        code = ord(ch)
        if 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF:
            score += 2
        elif 0x80 <= code < 0x3000:
            score -= 1
    return score


def _guess(data: bytes) -> str | None:
    """Unlabelled 8-bit text: UTF-8 or GBK? Short GBK can also be valid UTF-8 (钱 is 0xC7AE)."""
    decoded = []
    for codec in ("utf-8", "gb18030"):
        try:
            decoded.append(data.decode(codec))
        except UnicodeDecodeError:
            continue
    if not decoded:
        return None
    return max(decoded, key=_cjk_score)  # ties keep UTF-8, listed first


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` labelled ``charset``, never raising."""
    codec = normalize_charset(charset)
    if not codec:
        guessed = _guess(data)
        if guessed is not None:
            return clean_text(guessed)
    tries = [codec] if codec else []
    tries += [c for c in ("utf-8", "gb18030") if c not in tries]
    for candidate in tries:
        try:
            return clean_text(data.decode(candidate))
        except (UnicodeDecodeError, LookupError):
            continue
    return clean_text(data.decode(codec or "utf-8", errors="replace"))


def _surrogate_bytes(value: str) -> bytes:
    """The original bytes of a header the parser read with ``surrogateescape``."""
    return value.encode("ascii", "surrogateescape")


def decode_header(value, _again: bool = True) -> str:
    """A header's text: encoded words decoded, raw 8-bit bytes guessed, whitespace folded."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        parts = email.header.decode_header(value)
    else:
        value = str(value)
        try:
            raw = _surrogate_bytes(value)
        except UnicodeEncodeError:
            raw = None  # already real text (non-ASCII str)
        if raw is not None and re.search(rb"[\x80-\xff]", raw):
            value = decode_bytes(raw)
        try:
            parts = email.header.decode_header(value)
        except Exception:  # a broken encoded word: keep the text as it is
            parts = [(value, None)]
    pieces = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            pieces.append(decode_bytes(chunk, charset))
        else:
            pieces.append(chunk)
    text = "".join(pieces)
    # An encoded word inside a quoted string (a name) is left alone by decode_header: try again.
    if _again and "=?" in text and "?=" in text:
        text = decode_header(text, _again=False)
    return clean_text(" ".join(text.replace("\r", " ").replace("\n", " ").split()))


def _param(part: Message, name: str, header: str) -> str | None:
    value = part.get_param(name, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded latin-1 text)
        charset, _language, text = value
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            data = _surrogate_bytes(text) if _has_surrogates(text) else text.encode("utf-8")
        return decode_bytes(data, charset)
    value = email.utils.unquote(value)
    return decode_header(value)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def filename_of(part: Message) -> str | None:
    name = _param(part, "filename", "content-disposition") or _param(part, "name", "content-type")
    if name is None:
        return None
    name = decode_header(name) if "=?" in name else name
    return clean_text(name).strip() or None


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None  # an inline part an HTML body shows with ``cid:``


@dataclass
class ParsedMessage:
    message: Message
    message_id: str
    from_address: str  # lower-case address; "" unless From is exactly one plain address
    from_name: str
    subject: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    text: str  # the full text body (HTML converted), quotes not yet stripped
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)
    from_problem: str = ""  # why from_address is empty (several addresses, a forged name …)

    def header(self, name: str) -> str:
        return decode_header(self.message.get(name))

    def recipient_candidates(self) -> list[str]:
        return self.to + self.cc + self.delivered_to

    def reply_text(self) -> str:
        """The text with the quoted history and signature cut off (never empty if text is not)."""
        return strip_quotes(self.text)


class NotAMessage(ValueError):
    """The input has no header section at all: it is not an email message."""


_HEADER_LINE = re.compile(rb"\A[!-9;-~]+:")


def looks_like_message(raw: bytes) -> bool:
    """At least one ``Name: value`` header line before the first blank line, and some ASCII.

    Empty input, binary junk and plain text without headers are not messages (exit 65).
    """
    if not raw or not raw.strip():
        return False
    head = raw.lstrip(b"\r\n")[:65536].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = [line for line in head.split(b"\n") if line and not line[:1].isspace()]
    if not lines:
        return False
    if not all(_HEADER_LINE.match(line) or line.startswith(b"From ") for line in lines[:1]):
        return False
    return any(_HEADER_LINE.match(line) for line in lines)


def _repair_headers(raw: bytes) -> bytes:
    """Drop lines in the header section that are neither headers nor continuations.

    Python's parser ends the headers at the first such line, so a stray line would turn the
    Content-Type below it into body text.
    """
    raw = raw.lstrip(b"\r\n")
    match = re.search(rb"\r?\n\r?\n", raw)
    if match is None:
        return raw
    head, rest = raw[: match.start()], raw[match.start() :]
    lines = re.split(rb"(?<=\n)", head)
    kept = [
        line
        for index, line in enumerate(lines)
        if _HEADER_LINE.match(line)
        or (index and line[:1] in (b" ", b"\t"))
        or (index == 0 and line.startswith(b"From "))
    ]
    return raw if len(kept) == len(lines) else b"".join(kept).rstrip(b"\r\n") + rest


# An addr-spec we accept: plain ASCII dot-atom local part (no quoted strings, no encoded words
# turned into "@") and a host name. Anything else is no address of a known sender.
_ADDR_SPEC = re.compile(
    r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\Z"
)


def _raw_values(message: Message, name: str) -> list[str]:
    """The header's values exactly as they arrived (unfolded): encoded words NOT decoded.

    Addresses must be parsed from these: decoding first would let an encoded display name
    (``=?utf-8?q?holder=40hz.gov.cn?= <evil@attacker.example>``) pose as an address.
    """
    wanted = name.lower()
    return [
        re.sub(r"\r?\n(?=[ \t])", "", value if isinstance(value, str) else str(value))
        for key, value in message.raw_items()
        if key.lower() == wanted
    ]


def _addresses(message: Message, name: str) -> list[str]:
    found = []
    for _display, addr in getaddresses(_raw_values(message, name)):
        addr = addr.strip().lower()
        if _ADDR_SPEC.match(addr) and addr not in found:
            found.append(addr)
    return found


def sender_of(message: Message) -> tuple[str, str, str]:
    """(display name, lower-case address, problem) of the From header.

    The address is empty — with the problem saying why — unless the raw header holds exactly one
    plain address on which two independent parsers agree (``email.utils`` and the RFC 5322
    parser of ``email.headerregistry``): several From headers or addresses, a quoted or encoded
    local part, a non-ASCII address or a header the parsers read differently name no sender.
    Only the display name is decoded.
    """
    values = _raw_values(message, "From")
    if not values:
        return "", "", "no From header"
    if len(values) > 1:
        return decode_header(values[0]), "", f"{len(values)} From headers"
    pairs = getaddresses(values)
    if len(pairs) != 1:
        return "", "", f"{len(pairs)} addresses in From"
    display, addr = pairs[0]
    name = decode_header(display)
    addr = addr.strip()
    if not _ADDR_SPEC.match(addr):
        return name, "", f"no plain address in From ({clean_text(values[0])[:200]!r})"
    try:
        parsed = email.policy.default.header_factory("From", values[0])
        other = [a.addr_spec for a in parsed.addresses]
    except Exception:  # the strict parser gives up: the header is not one plain address
        other = []
    if len(other) != 1 or other[0].lower() != addr.lower():
        return name, "", f"an ambiguous From header ({clean_text(values[0])[:200]!r})"
    return name, addr.lower(), ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: keep the raw text
        data = None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            try:
                data = _surrogate_bytes(payload)
            except UnicodeEncodeError:
                data = payload.encode("utf-8", "replace")
        else:
            data = b""
    return data


def _collect(
    part: Message,
    texts: list[str],
    htmls: list[str],
    files: list[Attachment],
    *,
    body: bool = True,
    shadow_htmls: list[str] | None = None,
) -> None:
    """Walk ``part``: bodies into ``texts``/``htmls``, other leaves into ``files``.

    In ``multipart/alternative`` the plain text is the body; the other alternatives are walked
    with ``body=False``, so their files (images of ``multipart/related``) are kept and their HTML
    goes to ``shadow_htmls`` (to tell which images the HTML shows inline) but not into the text.
    """
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    shadow = shadow_htmls if shadow_htmls is not None else []
    if maintype == "multipart":
        children = part.get_payload()
        if not isinstance(children, list):
            children = []
        if ctype == "multipart/alternative" and body:
            plain = [c for c in children if c.get_content_type() == "text/plain"]
            nested = [c for c in children if c.get_content_maintype() == "multipart"]
            chosen = plain[:1] or nested[-1:] or children[-1:]
            for child in children:
                chosen_one = any(child is c for c in chosen)
                _collect(child, texts, htmls, files, body=chosen_one, shadow_htmls=shadow)
            return
        for child in children:
            _collect(child, texts, htmls, files, body=body, shadow_htmls=shadow)
        return
    if maintype == "message":
        return  # returned or forwarded messages: read by classify, not part of the reply
    disposition = (part.get_content_disposition() or "").lower()
    filename = filename_of(part)
    data = _payload(part)
    if maintype == "text" and filename is None and disposition != "attachment":
        text = decode_bytes(data, part.get_content_charset())
        if not body:
            if ctype == "text/html":
                shadow.append(text)
        elif ctype == "text/html":
            htmls.append(text)
        elif ctype in ("text/plain", "text/enriched") or not texts:
            texts.append(text)
        return
    if not data:
        return
    files.append(
        Attachment(
            filename=filename or "attachment",
            content_type=ctype,
            data=data,
            inline=disposition == "inline" or part.get("Content-ID") is not None,
            content_id=(decode_header(part.get("Content-ID")).strip("<> ") or None),
        )
    )


def parse(raw: bytes) -> ParsedMessage:
    """Parse ``raw`` leniently; raises ``NotAMessage`` only when it has no headers at all."""
    if not looks_like_message(raw):
        raise NotAMessage("no header section")
    message = email.message_from_bytes(_repair_headers(raw), policy=email.policy.compat32)
    texts: list[str] = []
    htmls: list[str] = []
    files: list[Attachment] = []
    shadow: list[str] = []
    try:
        _collect(message, texts, htmls, files, shadow_htmls=shadow)
    except Exception:  # a structure too broken to walk: keep the raw body as text
        texts = [decode_bytes(_payload(message) if not message.is_multipart() else raw)]
    html = "\n".join(htmls) if htmls else None
    if texts:
        text = "\n".join(t.replace("\r\n", "\n").replace("\r", "\n") for t in texts)
    elif html is not None:
        text = html_to_text(html)
    else:
        text = ""
    from_name, from_address, from_problem = sender_of(message)
    message_id = decode_header(message.get("Message-ID")).strip()
    if not message_id:
        # No Message-ID: the content identifies the message, so a redelivery is still one.
        message_id = "<sha256." + hashlib.sha256(raw).hexdigest()[:40] + "@kaimen.invalid>"
    return ParsedMessage(
        message=message,
        message_id=message_id[:255],
        from_address=from_address,
        from_name=from_name,
        from_problem=from_problem,
        subject=decode_header(message.get("Subject")),
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        delivered_to=_addresses(message, "Delivered-To") + _addresses(message, "X-Original-To"),
        text=clean_text(text).strip("\n"),
        html=clean_text(html) if html is not None else ("\n".join(shadow) or None),
        attachments=files,
    )
