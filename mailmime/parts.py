"""Walking a message's MIME tree: the text body, the files, and what the wrapping says.

* ``multipart/alternative``: the plain text is the body; files of the other alternatives are kept.
* ``multipart/signed`` (S/MIME ``application/(x-)pkcs7-signature``, PGP/MIME
  ``application/pgp-signature``): the signed part is walked as if unsigned; the signature is no
  attachment. S/MIME is verified over the signed part's exact bytes (``cms``), PGP is recorded as
  not verified. Opaque ``application/pkcs7-mime; smime-type=signed-data``: the content inside is
  the message. Inline ``-----BEGIN PGP SIGNED MESSAGE-----``: the signed text is the body.
* Encrypted (``enveloped-data``, ``multipart/encrypted``, inline ``BEGIN PGP MESSAGE``): nothing
  can be read; ``encrypted`` says which, and the caller holds the message.
* TNEF (``application/ms-tnef``, ``winmail.dat``): its body (when there is no other text) and its
  files; a damaged blob stays an opaque file flagged ``damaged``.
* ``message/rfc822`` and ``message/global``: a forwarded message, kept as an ``.eml`` file with
  its exact bytes, its subject and sender recorded.

Raw bytes are followed alongside the parsed tree (``raw_parts``), since a signature covers exact
bytes and a forwarded message should be kept as it came.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import itertools
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message

from mailmime import cms
from mailmime.charset import (
    clean_text,
    decode_bytes,
    decode_header,
    lenient_base64,
    surrogate_bytes,
)
from mailmime.tnef import DamagedTnef, extract

SMIME_SIGNATURES = {"application/pkcs7-signature", "application/x-pkcs7-signature"}
SMIME_MIME = {"application/pkcs7-mime", "application/x-pkcs7-mime"}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
FORWARD_TYPES = {"message/rfc822", "message/global"}
_PGP_SIGNED = re.compile(
    r"-----BEGIN PGP SIGNED MESSAGE-----\n(?:[^\n]+\n)*\n(.*?)\n-----BEGIN PGP SIGNATURE-----"
    r".*?-----END PGP SIGNATURE-----",
    re.DOTALL,
)
_PGP_MESSAGE = re.compile(r"-----BEGIN PGP MESSAGE-----.*?-----END PGP MESSAGE-----", re.DOTALL)


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None  # an inline part an HTML body shows with ``cid:``
    damaged: str | None = None  # why a container (TNEF) could not be opened: kept as it is
    forwarded: dict | None = None  # a forwarded message: {"subject": …, "sender": …}


@dataclass
class Signature:
    kind: str  # "smime" or "pgp"
    status: str  # cms.VERIFIED, cms.FAILED or cms.UNSUPPORTED
    detail: str = ""


@dataclass
class Walk:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    shadow: list[str] = field(default_factory=list)  # HTML of alternatives not taken as text
    tnef_texts: list[str] = field(default_factory=list)
    tnef_htmls: list[str] = field(default_factory=list)  # a TNEF HTML body, for the caller
    files: list[Attachment] = field(default_factory=list)
    signature: Signature | None = None
    encrypted: str | None = None  # "smime" or "pgp"
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (reason code, parameters)


_BLANK = re.compile(rb"\r?\n\r?\n")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=\r\n]")
_TRAILING_BLANKS = re.compile(rb"[ \t]+(?=\r?\n|\Z)")


def split_entity(raw: bytes) -> tuple[bytes, bytes]:
    """(header section, body) of an entity's raw bytes."""
    match = _BLANK.search(raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def raw_parts(body: bytes, boundary: str) -> list[bytes] | None:
    """The raw bytes of each part of a multipart body, exactly as sent (RFC 2046 §5.1.1)."""
    try:
        delimiter = re.escape(boundary.encode("ascii", "surrogateescape"))
    except UnicodeEncodeError:
        return None
    pattern = re.compile(rb"(?:\A|\r?\n)--" + delimiter + rb"(--)?[ \t]*(?:\r?\n|\Z)")
    found = list(pattern.finditer(body))
    if not found:
        return None
    parts = []
    for current, following in itertools.pairwise(found):
        if current.group(1):  # the close delimiter: the epilogue follows
            break
        parts.append(body[current.end() : following.start()])
    return parts


def _bytes(text: str) -> bytes:
    """A payload string back to its bytes (the parser reads bytes with ``surrogateescape``)."""
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def payload(part: Message) -> tuple[bytes, bytes]:
    """(decoded bytes, text appended after a broken base64 body)."""
    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    raw_payload = part.get_payload()
    if cte == "quoted-printable" and isinstance(raw_payload, str):
        # RFC 2045 §6.7 (3): blanks at the end of an encoded line are padding, deleted on
        # decoding — also after a soft line break "=", where decoders that keep them fail.
        return binascii.a2b_qp(_TRAILING_BLANKS.sub(b"", _bytes(raw_payload))), b""
    if cte == "base64" and isinstance(raw_payload, str):
        if raw_payload.isascii() and not _NOT_BASE64.search(raw_payload):
            try:  # the common case, decoded straight from the string: no copies on the way
                return binascii.a2b_base64(raw_payload), b""
            except binascii.Error:
                pass
        return lenient_base64(_bytes(raw_payload))  # stray characters, a footer, no padding
    defects = len(part.defects)
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: keep the raw text
        data = None
    if cte == "base64" and isinstance(raw_payload, str) and len(part.defects) > defects:
        # Not clean base64 (the email package noted a defect): decode it leniently.
        return lenient_base64(_bytes(raw_payload))
    if data is None:
        data = _bytes(raw_payload) if isinstance(raw_payload, str) else b""
    return data, b""


def _surrogates(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)


def _param(part: Message, name: str, header: str) -> str | None:
    value = part.get_param(name, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded latin-1 text)
        charset, _language, text = value
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            data = surrogate_bytes(text) if _surrogates(text) else text.encode("utf-8")
        return decode_bytes(data, charset)
    value = email.utils.unquote(value)
    return decode_header(value)


def filename_of(part: Message) -> str | None:
    name = _param(part, "filename", "content-disposition") or _param(part, "name", "content-type")
    if name is None:
        return None
    name = decode_header(name) if "=?" in name else name
    return clean_text(name).strip() or None


def _needs_raw(part: Message) -> bool:
    """Exact bytes are followed only down to what needs them: signatures and forwarded mail."""
    return any(
        p.get_content_type() == "multipart/signed" or p.get_content_type() in FORWARD_TYPES
        for p in part.walk()
    )


def _children(part: Message, raw: bytes | None) -> list[tuple[Message, bytes | None]]:
    children = part.get_payload()
    if not isinstance(children, list):
        return []
    raws = None
    if raw is not None and part.get_boundary() and _needs_raw(part):
        raws = raw_parts(split_entity(raw)[1], part.get_boundary())
    if raws is None or len(raws) != len(children):
        raws = [None] * len(children)
    return list(zip(children, raws, strict=True))


def walk(part: Message, raw: bytes | None, found: Walk, *, body: bool = True) -> None:
    """Walk ``part`` (whose exact bytes are ``raw``, when known) into ``found``."""
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    if maintype == "multipart":
        _multipart(part, raw, found, body=body)
        return
    if maintype == "message":
        if ctype in FORWARD_TYPES:
            _forwarded(part, raw, found)
        return  # delivery reports and the like: read by classify, not part of the reply
    smime = ctype in SMIME_MIME or (
        ctype == "application/octet-stream"
        and (filename_of(part) or "").lower().endswith((".p7m", ".p7s"))
    )
    if smime and _smime_blob(part, found, body=body):
        return
    filename = filename_of(part)
    if ctype in TNEF_TYPES or (filename or "").lower() == "winmail.dat":
        _tnef(part, filename, found)
        return
    disposition = (part.get_content_disposition() or "").lower()
    data, rest = payload(part)
    if maintype == "text" and filename is None and disposition != "attachment":
        text = decode_bytes(data, part.get_content_charset())
        if rest:
            text = text.rstrip("\n") + "\n" + decode_bytes(rest)
        _text(ctype, text, found, body=body)
        return
    if not data:
        return
    found.files.append(
        Attachment(
            filename=filename or "attachment",
            content_type=ctype,
            data=data,
            inline=disposition == "inline" or part.get("Content-ID") is not None,
            content_id=(decode_header(part.get("Content-ID")).strip("<> ") or None),
        )
    )


def _text(ctype: str, text: str, found: Walk, *, body: bool) -> None:
    if not body:
        if ctype == "text/html":
            found.shadow.append(text)
        return
    if ctype == "text/html":
        found.htmls.append(text)
        return
    if ctype not in ("text/plain", "text/enriched") and found.texts:
        return
    flat = text.replace("\r\n", "\n")
    signed = _PGP_SIGNED.search(flat)
    if signed is not None:
        found.signature = found.signature or Signature("pgp", cms.UNSUPPORTED, "inline")
        inner = "\n".join(
            line[2:] if line.startswith("- ") else line for line in signed.group(1).split("\n")
        )
        text = flat[: signed.start()] + inner + flat[signed.end() :]
    elif _PGP_MESSAGE.search(flat):
        found.encrypted = found.encrypted or "pgp"
        return
    found.texts.append(text)


def _multipart(part: Message, raw: bytes | None, found: Walk, *, body: bool) -> None:
    ctype = part.get_content_type()
    children = _children(part, raw)
    if ctype == "multipart/encrypted":
        found.encrypted = found.encrypted or "pgp"
        return
    if ctype == "multipart/signed" and len(children) >= 2:
        (content, content_raw), (signature, _sig_raw) = children[0], children[1]
        _signed(content_raw, signature, found)
        walk(content, content_raw, found, body=body)
        return
    if ctype == "multipart/alternative" and body:
        plain = [c for c, _ in children if c.get_content_type() == "text/plain"]
        nested = [c for c, _ in children if c.get_content_maintype() == "multipart"]
        chosen = plain[:1] or nested[-1:] or [c for c, _ in children][-1:]
        for child, child_raw in children:
            walk(child, child_raw, found, body=any(child is c for c in chosen))
        return
    for child, child_raw in children:
        walk(child, child_raw, found, body=body)


def _signed(content_raw: bytes | None, signature: Message, found: Walk) -> None:
    sig_type = signature.get_content_type()
    if sig_type == "application/pgp-signature":
        verdict = Signature("pgp", cms.UNSUPPORTED, "PGP/MIME")
    elif sig_type in SMIME_SIGNATURES or sig_type == "application/octet-stream":
        der, _rest = payload(signature)
        if content_raw is None:
            verdict = Signature("smime", cms.UNSUPPORTED, "the signed bytes could not be found")
        else:
            result = cms.verify(der, content_raw)
            if result.status == cms.FAILED and b"\r\n" not in content_raw:
                result = cms.verify(der, content_raw.replace(b"\n", b"\r\n"))
            verdict = Signature("smime", result.status, result.detail)
    else:
        verdict = Signature(sig_type, cms.UNSUPPORTED, sig_type)
    if found.signature is None:
        found.signature = verdict


def _smime_blob(part: Message, found: Walk, *, body: bool) -> bool:
    """An opaque S/MIME part: signed (walk its content) or encrypted. False: not CMS at all."""
    der, _rest = payload(part)
    kind = (part.get_param("smime-type") or "").strip().lower()
    oid = cms.content_type(der)
    if kind in ("enveloped-data", "authenveloped-data") or oid in (
        cms.OID_ENVELOPED,
        cms.OID_AUTH_ENVELOPED,
    ):
        found.encrypted = found.encrypted or "smime"
        return True
    if kind == "certs-only":
        return True
    if oid != cms.OID_SIGNED:
        return False
    verdict = cms.verify(der)
    if found.signature is None:
        found.signature = Signature("smime", verdict.status, verdict.detail)
    if verdict.content is None:
        found.notes.append(("signed_content_unreadable", {}))
        return True
    inner = email.message_from_bytes(verdict.content, policy=email.policy.compat32)
    walk(inner, verdict.content, found, body=body)
    return True


def _tnef(part: Message, filename: str | None, found: Walk) -> None:
    data, _rest = payload(part)
    try:
        content = extract(data)
    except DamagedTnef as error:
        name = filename or "winmail.dat"
        found.files.append(
            Attachment(name, part.get_content_type(), data, damaged=str(error)[:200])
        )
        found.notes.append(("tnef_damaged", {"name": name}))
        return
    if content.text:
        found.tnef_texts.append(content.text)
    elif content.html:
        found.tnef_htmls.append(content.html)
    for name, blob in content.files:
        found.files.append(Attachment(name, "application/octet-stream", blob))


def _forwarded(part: Message, raw: bytes | None, found: Walk) -> None:
    inner_bytes = None
    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if raw is not None:
        inner_bytes = split_entity(raw)[1]
        if cte == "base64":
            inner_bytes = lenient_base64(inner_bytes)[0]
        elif cte == "quoted-printable":
            inner_bytes = quopri.decodestring(inner_bytes)
    if inner_bytes is None:
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, Message):
            return
        inner_bytes = inner.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))
    if not inner_bytes.strip():
        return
    headers = email.message_from_bytes(split_entity(inner_bytes)[0] + b"\r\n\r\n")
    subject = decode_header(headers.get("Subject"))
    sender = decode_header(headers.get("From"))
    name = filename_of(part) or f"{subject or 'message'}.eml"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    found.files.append(
        Attachment(
            name,
            part.get_content_type(),
            inner_bytes,
            forwarded={"subject": subject, "sender": sender},
        )
    )
    found.notes.append(("forwarded_attached", {"subject": subject, "sender": sender}))
