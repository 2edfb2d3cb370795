"""What kind of message arrived: a loop, a bounce, a read receipt, an auto-reply — or a reply.

* **Loop**: the message comes from one of our own addresses (the sender address, the inbound
  domain) or carries our ``X-Kaimen-Loop`` header at the top level.
* **Bounce**: ``multipart/report; report-type=delivery-status`` (RFC 3464). The per-recipient
  ``Action`` (``failed`` / ``delayed``) and ``Status`` (5.x.x permanent, 4.x.x transient) decide;
  ``Final-Recipient`` / ``Original-Recipient`` say who, and the returned headers (``message/rfc822``
  or ``text/rfc822-headers``) give the original ``Message-ID`` to find our outbound message.
* **Read receipt**: ``multipart/report; report-type=disposition-notification`` (RFC 8098), or a
  ``message/disposition-notification`` part, or an ``Original-Message-ID`` with a disposition.
* **Auto-reply**: ``Auto-Submitted`` other than ``no``, ``X-Autoreply``, ``X-Autorespond``,
  ``Precedence: auto_reply / bulk / junk / list``, ``X-Auto-Response-Suppress`` set by a server
  on its own replies is *not* one (Outlook sets it on ordinary mail), and subjects such as
  自动回复, Automatic reply, Auto Reply, Out of Office, 不在办公室.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr

from flask import current_app

from portal.mail.inbound.parse import ParsedMessage, decode_bytes, decode_header
from portal.mail.inbound.reasons import english, reason

LOOP_HEADER = "X-Kaimen-Loop"

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:\[?(?:自动回复|自動回覆|自动答复|Automatic reply|Auto[- ]?Reply|AutoReply|"
    r"Auto[- ]?Response|Out of (?:the )?Office|不在办公室|休假|Abwesend|Réponse automatique)\b)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")


@dataclass
class Bounce:
    permanent: bool
    status: str = ""
    recipients: list[str] = field(default_factory=list)
    original_message_id: str | None = None
    diagnostic: str = ""


@dataclass
class Classification:
    kind: str | None  # "loop", "bounce", "read_receipt", "auto_reply" or None (a reply)
    codes: list[dict] = field(default_factory=list)  # why, as reason codes (``reasons``)
    bounce: Bounce | None = None

    @property
    def reason(self) -> str:
        return english(self.codes)


def our_addresses() -> set[str]:
    config = current_app.config
    sender = parseaddr(config.get("MAIL_DEFAULT_SENDER") or "")[1].lower()
    return {sender} if sender else set()


def loop_token() -> str:
    return current_app.config["KAIMEN_MAIL_DOMAIN"]


def _is_loop(parsed: ParsedMessage) -> dict | None:
    message = parsed.message
    if message.get(LOOP_HEADER) is not None:
        return reason("loop_header", header=LOOP_HEADER)
    inbound_domain = (current_app.config.get("KAIMEN_INBOUND_DOMAIN") or "").lower()
    sender = parsed.from_address
    if sender and (sender in our_addresses() or sender.endswith("@" + inbound_domain)):
        return reason("loop_sender", address=sender)
    return None


def _report_type(message: Message) -> str:
    if message.get_content_type() != "multipart/report":
        return ""
    return (message.get_param("report-type") or "").strip().lower()


def _parts(message: Message):
    return message.walk()


def _status_fields(part: Message) -> list[dict[str, str]]:
    """The field groups of a message/delivery-status part (per-message, then per-recipient)."""
    payload = part.get_payload()
    groups: list[dict[str, str]] = []
    if isinstance(payload, list):  # the email package parses each group as a header block
        for block in payload:
            groups.append({k.lower(): decode_header(v) for k, v in block.items()})
        return groups
    text = payload if isinstance(payload, str) else ""
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for line in chunk.split("\n"):
            name, colon, value = line.partition(":")
            if colon and name.strip():
                fields[name.strip().lower()] = value.strip()
        if fields:
            groups.append(fields)
    return groups


def _returned_message_id(message: Message) -> str | None:
    for part in _parts(message):
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/rfc822-headers"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return decode_header(inner.get("Message-ID")).strip()
        if ctype == "text/rfc822-headers":
            data = part.get_payload(decode=True) or b""
            match = re.search(r"(?im)^Message-ID:\s*(<[^>\s]+>)", decode_bytes(data))
            if match:
                return match.group(1)
    return None


def _bounce(message: Message) -> Bounce | None:
    if _report_type(message) != "delivery-status":
        return None
    actions, statuses, recipients, diagnostics = [], [], [], []
    for part in _parts(message):
        if part.get_content_type() != "message/delivery-status":
            continue
        for fields in _status_fields(part):
            if "action" in fields:
                actions.append(fields["action"].lower().strip())
            if "status" in fields:
                statuses.append(fields["status"].strip())
            for key in ("final-recipient", "original-recipient"):
                if key in fields:
                    address = fields[key].split(";", 1)[-1].strip().lower()
                    if address and address not in recipients:
                        recipients.append(address)
            if "diagnostic-code" in fields:
                diagnostics.append(fields["diagnostic-code"])
    codes = [m.group(0) for s in statuses if (m := _STATUS.search(s))]
    permanent = "failed" in actions or any(code.startswith("5") for code in codes)
    if not permanent and not actions and not codes:
        permanent = True  # a delivery report saying nothing readable: treat it as failed
    if "delayed" in actions and "failed" not in actions and not any(c[0] == "5" for c in codes):
        permanent = False
    return Bounce(
        permanent=permanent,
        status=", ".join(codes),
        recipients=recipients,
        original_message_id=_returned_message_id(message),
        diagnostic="; ".join(diagnostics)[:1000],
    )


def _is_read_receipt(message: Message) -> bool:
    if _report_type(message) == "disposition-notification":
        return True
    if any(p.get_content_type() == "message/disposition-notification" for p in _parts(message)):
        return True
    return message.get("Original-Message-ID") is not None and message.get("Disposition") is not None


def _auto_reply_reason(parsed: ParsedMessage) -> dict | None:
    message = parsed.message
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return reason("auto_submitted", value=auto)
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated"):
        if message.get(name) is not None:
            return reason("auto_header", header=name)
    precedence = (message.get("Precedence") or "").strip().lower()
    if precedence in ("auto_reply", "bulk", "junk", "list"):
        return reason("auto_precedence", value=precedence)
    if _AUTO_SUBJECT.match(parsed.subject):
        return reason("auto_subject", subject=parsed.subject)
    return None


def classify(parsed: ParsedMessage) -> Classification:
    loop = _is_loop(parsed)
    if loop:
        return Classification("loop", [loop])
    bounce = _bounce(parsed.message)
    if bounce is not None:
        code = "bounce_permanent" if bounce.permanent else "bounce_delayed"
        codes = [reason(code, status=bounce.status or "—", recipients=bounce.recipients)]
        if bounce.diagnostic:
            codes.append(reason("bounce_diagnostic", diagnostic=bounce.diagnostic))
        return Classification("bounce", codes, bounce)
    if _is_read_receipt(parsed.message):
        return Classification("read_receipt", [reason("read_receipt")])
    auto = _auto_reply_reason(parsed)
    if auto:
        return Classification("auto_reply", [auto])
    return Classification(None)
