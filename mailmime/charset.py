"""Decoding text whose charset label may lie, into valid UTF-8, never raising.

Real mail labels GBK or GB18030 text ``gb2312``, sends UTF-8 labelled ``gb2312`` or
``iso-8859-1``, sends 8-bit text with no label at all, and breaks base64 or quoted-printable on
the way. ``decode_bytes`` tries, in this order, and takes the first strict decoding:

1. valid UTF-8 that reads as more than a handful of Latin letters wins over any single-byte or GB
   label (GBK bytes are almost never valid UTF-8; UTF-8 bytes are almost always valid GB18030, so
   the label cannot be trusted over it). Short two-byte cases (钱 is ``C7 AE`` in GBK, ``Ǯ`` in
   UTF-8) go to whichever reading is Chinese;
2. the declared charset, the GB2312 family mapped to GB18030 (its superset: 镕 堃 喆 and the
   4-byte sequences decode);
3. GB18030, then UTF-8;
4. charset-normalizer's best guess, when it is a Unicode or Chinese encoding;
5. otherwise the candidate with the fewest U+FFFD; an incomplete character at the very end (a
   truncated body) is dropped rather than replaced.
"""

from __future__ import annotations

import email.header
import re

GB_ALIASES = frozenset(
    {
        "gb2312", "gbk", "cp936", "ms936", "euc-cn", "euc_cn", "euccn", "x-gbk", "x-euc-cn",
        "gb_2312-80", "csgb2312", "chinese", "iso-ir-58", "gb2312-80", "windows-936", "gb18030",
    }
)  # fmt: skip
_UNKNOWN = frozenset({"", "unknown-8bit", "x-unknown", "unknown", "8bit", "default"})
_SINGLE_BYTE = frozenset({"latin-1", "latin1", "iso-8859-1", "iso8859-1", "cp1252", "windows-1252"})
# charset-normalizer's guesses we believe for a Chinese deployment; others are usually mojibake.
_PLAUSIBLE = frozenset({"utf_8", "gb18030", "gbk", "gb2312", "big5", "utf_16", "hz"})


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


def _cjk(text: str) -> int:
    return sum(
        1
        for ch in text
        if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
    )


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _truncated(data: bytes, codec: str) -> str | None:
    """The text when the only fault is an incomplete character at the very end."""
    try:
        data.decode(codec)
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.end == len(data):
            return _strict(data[: error.start], codec)
    except LookupError:
        return None
    return None


def _utf8_wins(utf8: str, declared: str) -> bool:
    """Valid UTF-8 with non-ASCII text: is it what the writer typed, whatever the label says?"""
    if any(ord(ch) >= 0x800 for ch in utf8):
        return True  # three-byte sequences: CJK or punctuation, never a chance in GBK
    if declared in _SINGLE_BYTE or declared == "":
        gb = _strict(utf8.encode("utf-8"), "gb18030")
        return not (declared == "" and gb is not None and _cjk(gb) > 0)
    if declared == "gb18030":
        gb = _strict(utf8.encode("utf-8"), "gb18030")
        return gb is None or _cjk(gb) == 0
    return False  # another declared charset (Big5, KOI8 …): trust the label


def _normalizer(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data).best()
    if best is None or best.encoding not in _PLAUSIBLE:
        return None
    text = str(best)
    return text if "\ufffd" not in text else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` labelled ``charset``, never raising; see the module's docstring."""
    if not data:
        return ""
    if data.isascii():
        return clean_text(data.decode("ascii"))
    declared = normalize_charset(charset)
    utf8 = _strict(data, "utf-8")
    if utf8 is not None and declared != "utf-8" and _utf8_wins(utf8, declared):
        return clean_text(utf8)
    order = [declared] if declared else []
    order += [c for c in ("gb18030", "utf-8") if c not in order]
    for codec in order:
        text = _strict(data, codec)
        if text is not None:
            return clean_text(text)
    for codec in order:
        text = _truncated(data, codec)
        if text is not None:
            return clean_text(text)
    guessed = _normalizer(data)
    if guessed is not None:
        return clean_text(guessed)
    candidates = [data.decode(codec, errors="replace") for codec in order]
    return clean_text(min(candidates, key=lambda text: text.count("\ufffd")))


def surrogate_bytes(value: str) -> bytes:
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
            raw = surrogate_bytes(value)
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


_B64_LINE = re.compile(rb"\A[A-Za-z0-9+/]+={0,2}\Z")
_TEXT_LINE = re.compile(rb"\s|\A[-_=*#]{2,}|[\x80-\xff]")
_NOT_B64 = re.compile(rb"[^A-Za-z0-9+/]")


def lenient_base64(payload: bytes) -> tuple[bytes, bytes]:
    """(decoded, trailing text) of a base64 body that strict decoding refused.

    The base64 lines are decoded up to the first line of text (words, a rule: a footer a list or
    a virus scanner appended); stray characters inside a line are skipped (RFC 2045 §6.8),
    missing padding is added and a dangling sixth bit dropped. The trailing lines are returned
    as they are.
    """
    import binascii

    lines = payload.replace(b"\r\n", b"\n").split(b"\n")
    kept: list[bytes] = []
    rest: list[bytes] = []
    for index, line in enumerate(lines):
        bare = line.strip()
        if not bare:
            if kept:
                rest = [b.strip() for b in lines[index:]]
                break
            continue
        if _B64_LINE.match(bare):
            kept.append(bare)
            if bare.endswith(b"="):
                rest = lines[index + 1 :]
                break
            continue
        if _TEXT_LINE.search(bare):  # words or a rule line: a footer someone appended
            rest = lines[index:]
            break
        kept.append(_NOT_B64.sub(b"", bare))  # stray characters inside: skipped, as RFC 2045 says
    joined = b"".join(kept).rstrip(b"=")
    if len(joined) % 4 == 1:
        joined = joined[:-1]
    joined += b"=" * (-len(joined) % 4)
    try:
        decoded = binascii.a2b_base64(joined)
    except binascii.Error:
        decoded = b""
    return decoded, b"\n".join(rest).strip()
