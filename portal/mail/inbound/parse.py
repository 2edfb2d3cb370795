"""Decoding any message the mail server hands over, leniently, into valid UTF-8.

* Charsets (``mailmime.charset``): labels that lie are expected — GBK labelled ``gb2312`` (decoded as
  GB18030, its superset, so 镕 堃 喆 survive), UTF-8 labelled GB or Latin-1, no label at all,
  broken base64; decoding never raises and prefers a result without U+FFFD.
* Structure (``mailmime.parts``): signed mail (S/MIME, PGP), encrypted mail, TNEF, forwarded messages.
* Headers: RFC 2047 encoded words (B and Q), raw 8-bit bytes (UTF-8 or GBK, no encoding at all),
  RFC 2231 parameters (``filename*=gb2312''%C9%EA.pdf``) and encoded words inside quoted names.
* Bodies: base64 and quoted-printable, bare-LF files, NUL bytes (dropped: PostgreSQL refuses NUL
  in text). The first ``text/plain`` alternative is the text; an HTML-only message is converted
  (``htmltext``). Every other leaf part with content is an attachment — inline images and PDFs
  included; archives are kept as they are, never unpacked.
"""

from __future__ import annotations

import email
import email.feedparser
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from mailmime.charset import (
    GB_ALIASES,
    clean_text,
    decode_bytes,
    decode_header,
    normalize_charset,
)
from mailmime.parts import Attachment, Signature, Walk, filename_of, payload, walk
from portal.mail.inbound.htmltext import html_to_text
from portal.mail.inbound.quotes import split_forward, strip_quotes

__all__ = [
    "GB_ALIASES",
    "Attachment",
    "NotAMessage",
    "ParsedMessage",
    "Signature",
    "clean_text",
    "decode_bytes",
    "decode_header",
    "filename_of",
    "looks_like_message",
    "normalize_charset",
    "parse",
]


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
    signature: Signature | None = None  # a signed message: S/MIME or PGP, and whether it checks
    encrypted: str | None = None  # "smime" or "pgp": nothing of it can be read
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (reason code, parameters)

    def header(self, name: str) -> str:
        return decode_header(self.message.get(name))

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, in order (topmost first), decoded."""
        return [decode_header(value) for value in self.message.get_all(name) or []]

    def recipient_candidates(self) -> list[str]:
        return self.to + self.cc + self.delivered_to

    @property
    def forwarded_text(self) -> str | None:
        """The forwarded text, when the message is an inline forward with no note of its own."""
        return split_forward(self.text, self.subject)

    def reply_text(self) -> str:
        """The text with the quoted history and signature cut off (never empty if text is not).

        An inline forward with an empty cover note: the forwarded text (without its header block).
        """
        forwarded = self.forwarded_text
        if forwarded:
            return forwarded
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
    head = raw[:131072].lstrip(b"\r\n")[:65536].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
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
    if raw[:1] in (b"\r", b"\n"):
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


FEED_CHUNK = 64 * 1024


def _message_from_bytes(raw: bytes) -> Message:
    """``email.message_from_bytes``, fed in chunks: the parser never holds a decoded copy of the
    whole message besides its lines (a third less peak memory on a large attachment)."""
    parser = email.feedparser.BytesFeedParser(policy=email.policy.compat32)
    view = memoryview(raw)
    for start in range(0, len(raw), FEED_CHUNK):
        parser.feed(bytes(view[start : start + FEED_CHUNK]))
    return parser.close()


def parse(raw: bytes) -> ParsedMessage:
    """Parse ``raw`` leniently; raises ``NotAMessage`` only when it has no headers at all."""
    if not looks_like_message(raw):
        raise NotAMessage("no header section")
    repaired = _repair_headers(raw)
    message = _message_from_bytes(repaired)
    found = Walk()
    try:
        walk(message, repaired, found)
    except Exception:  # a structure too broken to walk: keep the raw body as text
        found = Walk()
        found.texts = [decode_bytes(payload(message)[0] if not message.is_multipart() else raw)]
    html = "\n".join(found.htmls) if found.htmls else None
    texts = found.texts if any(t.strip() for t in found.texts) else []
    if not texts and html is None:
        texts = found.tnef_texts or [html_to_text(h) for h in found.tnef_htmls]
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
        html=clean_text(html) if html is not None else ("\n".join(found.shadow) or None),
        attachments=found.files,
        signature=found.signature,
        encrypted=found.encrypted,
        notes=found.notes,
    )
