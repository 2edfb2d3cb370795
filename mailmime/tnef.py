"""Outlook's TNEF (``application/ms-tnef``, ``winmail.dat``): the text body and the files inside.

Decoded with ``tnefparse`` (pure Python, no external program). The body is the plain ``attBody``
or the MAPI body (decoded with the OEM code page, GB18030 for 936); an HTML body is converted.
A blob ``tnefparse`` cannot read, or one whose signature is wrong, is *damaged*: the caller keeps
it as an opaque file and flags it, and the rest of the message is handled as usual.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from mailmime.charset import clean_text, decode_bytes

log = logging.getLogger(__name__)


@dataclass
class TnefContent:
    text: str = ""
    html: str | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)


class DamagedTnef(ValueError):
    """The blob is not readable TNEF."""


def _text(value, codepage: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, str):
        return clean_text(value).rstrip("\x00")
    return decode_bytes(bytes(value).rstrip(b"\x00"), codepage)


def _name(attachment) -> str:
    try:
        name = attachment.long_filename()
    except Exception:  # a property tnefparse could not decode
        name = ""
    if isinstance(name, list):
        name = name[0] if name else ""
    if isinstance(name, bytes):
        name = decode_bytes(name.rstrip(b"\x00"))
    return clean_text(str(name or "")).strip("\x00 ") or "attachment"


def extract(data: bytes) -> TnefContent:
    """The body and files of a TNEF blob; ``DamagedTnef`` if it cannot be read."""
    from tnefparse import TNEF

    logging.getLogger("tnefparse").setLevel(logging.CRITICAL)
    try:
        tnef = TNEF(data, do_checksum=True)
    except Exception as error:  # tnefparse raises anything from struct.error to IndexError
        raise DamagedTnef(f"{type(error).__name__}: {error}") from error
    if any(not obj.good_checksum for obj in tnef.objects):
        raise DamagedTnef("checksum mismatch")
    codepage = tnef.codepage
    if codepage in ("cp936", "cp20936", "cp54936"):
        codepage = "gb18030"
    content = TnefContent()
    content.text = _text(tnef.body, codepage).replace("\r\n", "\n").strip("\n")
    if tnef.htmlbody:
        content.html = _text(tnef.htmlbody, codepage)
    for attachment in tnef.attachments:
        payload = attachment.data
        if isinstance(payload, list):
            payload = payload[0] if payload else b""
        if payload:
            content.files.append((_name(attachment), bytes(payload)))
    if not content.text and not content.html and not content.files:
        raise DamagedTnef("no body and no attachments")
    return content
