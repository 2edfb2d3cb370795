"""Ingesting one inbound message: store it raw first, then decide what it is, in a second step.

1. ``store`` writes the raw bytes and commits: from then on the message cannot be lost, whatever
   happens next (the MTA gets exit 0). A message over ``KAIMEN_INBOUND_MAX_BYTES`` is refused:
   its header section and size are recorded with the outcome *too large*, nothing more.
2. ``process`` classifies and matches it in a second transaction, parsing the bytes once. Loops,
   read receipts and auto-replies are recorded and ignored; a permanent bounce of a message we
   sent marks it failed, sends ``portal.mail.signals.outbound_failed`` and alerts the
   administrators — once per outbound message, and never for a bounced alert (no loop) nor for a
   report naming no message of ours (forged backscatter is only recorded); a delay is recorded as
   a warning. Otherwise the message is matched only by a valid token address (To, Cc,
   Delivered-To, X-Original-To or the envelope recipients given by the MTA) — never by subject or
   In-Reply-To — and handed to the feature's handler once per target (``InboundDelivery`` is
   unique per Message-ID and target). The holding pen instead: a token that does not verify
   (nothing suggested from it), no address of ours, an encrypted message, a DMARC/DKIM/SPF
   failure reported by the trusted receiving server (``authres``), an inline forward with no
   note of its own, an unknown tag, a handler's refusal. Any exception: the outcome "error" with
   the reason, everything the handling did rolled back; an administrator can process it again.

Reasons are stored as codes with parameters (``reasons``) and translated when shown.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import Role, User, UserRole
from portal.db import utcnow
from portal.extensions import db
from portal.mail.inbound import authres
from portal.mail.inbound.classify import Classification, classify
from portal.mail.inbound.handlers import HandlerResult
from portal.mail.inbound.parse import (
    NotAMessage,
    ParsedMessage,
    decode_header,
    looks_like_message,
    parse,
    sender_of,
)
from portal.mail.inbound.reasons import english, reason
from portal.mail.inbound.spool import header_section
from portal.mail.inbound_models import InboundDelivery, InboundMessage, InboundOutcome
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.outbox import queue_templated
from portal.mail.signals import outbound_failed
from portal.mail.tokens import parse_reply_address

log = logging.getLogger(__name__)
REASON_MAX = 2000
BOUNCE_ALERT = "inbound_bounce_alert"  # the outbox kind (and template) of the admins' alert


@dataclass(frozen=True)
class Target:
    tag: str
    object_id: int


def _headers_only(head: bytes, raw_for_id: bytes) -> tuple[str, str, str]:
    """Message-ID, From and Subject from the header section alone (no full parse); never raises."""
    fallback = "<sha256." + hashlib.sha256(raw_for_id).hexdigest()[:40] + "@kaimen.invalid>"
    try:
        if not looks_like_message(head + b"\r\n\r\n"):
            return fallback, "", ""
        message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
        _name, address, _problem = sender_of(message)
        sender = address or decode_header(message.get("From"))  # several or forged: the text
        message_id = decode_header(message.get("Message-ID")).strip() or fallback
        return message_id[:255], sender[:320], decode_header(message.get("Subject"))[:998]
    except Exception:  # the row is stored whatever the message looks like
        return fallback, "", ""


def store(
    raw: bytes | None,
    envelope_recipients: list[str] | None = None,
    *,
    source: str = "pipe",
    also: list | None = None,
    size: int | None = None,
    head: bytes | None = None,
) -> InboundMessage:
    """Store the raw message (and the rows in ``also``, in the same commit) and commit.

    A message over ``KAIMEN_INBOUND_MAX_BYTES`` — ``raw`` longer than that, or ``raw`` None with
    its ``size`` and header section ``head`` (``spool.read_limited``, an IMAP size) — is refused:
    its header section and size are recorded with the outcome *too large*, and nothing else is
    done with it. Raises only if the database cannot be written.
    """
    limit = current_app.config["KAIMEN_INBOUND_MAX_BYTES"]
    size = len(raw) if raw is not None else int(size or 0)
    too_large = raw is None or size > limit
    if too_large:
        head = head if head is not None else header_section(raw or b"")
        kept = head
    else:
        head = header_section(raw)
        kept = raw
    message_id, sender, subject = _headers_only(head, kept)
    codes = [reason("too_large", size=size, limit=limit)] if too_large else None
    inbound = InboundMessage(
        raw=kept,
        raw_size=size,
        source=source,
        message_id=message_id,
        envelope_recipients=[r.strip().lower() for r in envelope_recipients or [] if r.strip()],
        from_address=sender,
        subject=subject,
        outcome=InboundOutcome.TOO_LARGE if too_large else InboundOutcome.RECEIVED,
        reason_codes=codes,
        reason=english(codes) if codes else None,
        handled_at=utcnow() if too_large else None,
    )
    db.session.add(inbound)
    for row in also or []:
        row.inbound_message_id = None
        row.inbound_message = inbound
        db.session.add(row)
    db.session.commit()
    return inbound


def ingest(
    raw: bytes | None,
    envelope_recipients: list[str] | None = None,
    *,
    source: str = "pipe",
    also: list | None = None,
    size: int | None = None,
    head: bytes | None = None,
) -> InboundMessage:
    """Store ``raw`` (committed), then process it (committed); the row says what happened.

    The bytes are parsed once, from ``raw`` itself, not read back from the database.
    """
    inbound = store(raw, envelope_recipients, source=source, also=also, size=size, head=head)
    if inbound.outcome == InboundOutcome.RECEIVED:
        process(inbound.id, raw=raw)
    return db.session.get(InboundMessage, inbound.id)


def process(inbound_id: int, *, raw: bytes | None = None) -> InboundMessage:
    """Classify, match and hand on one stored message; an exception becomes the outcome "error"."""
    inbound = db.session.get(InboundMessage, inbound_id)
    try:
        _process(inbound, raw)
        db.session.commit()
    except Exception as error:  # never lose a message: record why and keep it
        db.session.rollback()
        log.exception("inbound message #%s could not be processed", inbound_id)
        inbound = db.session.get(InboundMessage, inbound_id)
        text = f"{type(error).__name__}: {error}".replace("\x00", "")[:REASON_MAX]
        _set_reasons(inbound, [reason("error", error=text)])
        inbound.outcome = InboundOutcome.ERROR
        inbound.handled_at = utcnow()
        db.session.commit()
    return inbound


def targets_of(parsed: ParsedMessage, envelope: list[str]) -> tuple[list[Target], list[str]]:
    """(valid targets, near-miss addresses) from every recipient field and the envelope.

    A near miss — our shape and domain, a token that does not verify (mistyped, tampered, the
    token of another id) — names no target: its id is never trusted, nor suggested.
    """
    valid: list[Target] = []
    near: list[str] = []
    for address in [*envelope, *parsed.recipient_candidates()]:
        found = parse_reply_address(address)
        if found is None:
            continue
        if found.token_ok:
            target = Target(found.tag, found.object_id)
            if target not in valid:
                valid.append(target)
        elif address.strip().lower() not in near:
            near.append(address.strip().lower())
    return valid, near


def _record(inbound: InboundMessage, parsed: ParsedMessage) -> None:
    """What the message is, whatever becomes of it: text, files, signature, authentication."""
    inbound.text = parsed.reply_text()
    inbound.attachment_names = [a.filename for a in parsed.attachments]
    if parsed.signature is not None:
        inbound.signature_kind = parsed.signature.kind[:16]
        inbound.signature_status = parsed.signature.status
        inbound.signature_detail = (parsed.signature.detail or "")[:255] or None


def _suggest(inbound: InboundMessage, target: Target, object_id: int | None = None) -> None:
    inbound.suggested_tag, inbound.suggested_object_id = target.tag, object_id or target.object_id


def _process(inbound: InboundMessage, raw: bytes | None = None) -> None:
    try:
        parsed = parse(raw if raw is not None else bytes(inbound.raw))
    except NotAMessage:
        _finish(inbound, InboundOutcome.ERROR, [reason("not_a_message")])
        return
    _record(inbound, parsed)
    notes = list(reason(code, **params) for code, params in parsed.notes)
    found = classify(parsed)
    valid, near = targets_of(parsed, inbound.envelope_recipients or [])
    if found.kind is not None:
        if found.kind == "auto_reply" and valid:
            _suggest(inbound, valid[0])  # offered if an administrator finds it a real answer
        _classified(inbound, found)
        return
    verdict = authres.check(parsed.header_values("Authentication-Results"), parsed.from_address)
    if verdict is not None:
        inbound.sender_auth = {"server": verdict.server, "results": verdict.results}
    if not valid:
        if near:
            _finish(inbound, InboundOutcome.HELD, [reason("near_miss", address=near[0]), *notes])
        else:
            _finish(inbound, InboundOutcome.HELD, [reason("no_reply_address"), *notes])
        return
    inbound.tag, inbound.object_id = valid[0].tag, valid[0].object_id
    before = _before_handing_on(parsed, verdict)
    if before is not None:
        _suggest(inbound, valid[0])
        _finish(inbound, InboundOutcome.HELD, [before, *notes])
        return
    results = [(target, _deliver(inbound, parsed, target)) for target in valid]
    held = [(t, r) for t, r in results if r is not None and not r.accepted]
    accepted = [(t, r) for t, r in results if r is not None and r.accepted]
    if held:
        target, result = held[0]
        _suggest(inbound, target, result.suggested_object_id)
        codes = [reason("for_target", tag=t.tag, id=t.object_id, reason=r.entry()) for t, r in held]
        _finish(inbound, InboundOutcome.HELD, codes + notes)
    elif accepted:
        codes = [r.entry() for _, r in accepted if r.reason]
        _finish(inbound, InboundOutcome.ACCEPTED, codes + notes)
    else:
        _finish(inbound, InboundOutcome.DUPLICATE, [reason("duplicate")])


def _before_handing_on(parsed: ParsedMessage, verdict) -> dict | None:
    """Why a message with a valid token still goes to the pen: unreadable, forged, no note."""
    if parsed.encrypted:
        return reason("encrypted", kind="S/MIME" if parsed.encrypted == "smime" else "PGP")
    if verdict is not None and verdict.failure is not None:
        return reason("auth_failed", server=verdict.server, **verdict.failure)
    if parsed.forwarded_text:
        return reason("forward_only")
    return None


def _deliver(
    inbound: InboundMessage, parsed: ParsedMessage, target: Target
) -> HandlerResult | None:
    """Hand the message to the tag's handler once; None when this target already had it."""
    exists = db.session.scalar(
        sa.select(InboundDelivery.id).where(
            InboundDelivery.message_id == inbound.message_id,
            InboundDelivery.tag == target.tag,
            InboundDelivery.object_id == target.object_id,
        )
    )
    if exists is not None:
        return None
    delivery = InboundDelivery(
        inbound_message_id=inbound.id,
        message_id=inbound.message_id,
        tag=target.tag,
        object_id=target.object_id,
        outcome=InboundOutcome.RECEIVED,
    )
    try:
        # A copy of the same message delivered at the same moment (one pipe call per recipient)
        # inserts the same key: the second waits for the first and then finds it taken.
        with db.session.begin_nested():
            db.session.add(delivery)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None
    handler = current_app.extensions["kaimen"].inbound_handlers.get(target.tag)
    if handler is None:
        result = HandlerResult.hold(
            f"no feature handles replies tagged {target.tag!r}", code="no_handler", tag=target.tag
        )
    else:
        result = handler(target.object_id, parsed, inbound, force=False)
    delivery.outcome = InboundOutcome.ACCEPTED if result.accepted else InboundOutcome.HELD
    delivery.reason = (result.reason or "")[:REASON_MAX] or None
    return result


def _set_reasons(inbound: InboundMessage, codes: list[dict]) -> None:
    inbound.reason_codes = codes or None
    inbound.reason = english(codes).replace("\x00", "")[:REASON_MAX] or None


def _finish(inbound: InboundMessage, outcome: InboundOutcome, codes: list[dict]) -> None:
    inbound.outcome = outcome
    _set_reasons(inbound, codes)
    inbound.handled_at = utcnow()
    db.session.flush()


def _classified(inbound: InboundMessage, found: Classification) -> None:
    if found.kind == "loop":
        _finish(inbound, InboundOutcome.LOOP, found.codes)
    elif found.kind == "read_receipt":
        _finish(inbound, InboundOutcome.READ_RECEIPT, found.codes)
    elif found.kind == "auto_reply":
        _finish(inbound, InboundOutcome.AUTO_REPLY, found.codes)
    else:
        _bounced(inbound, found)


def _bounced(inbound: InboundMessage, found: Classification) -> None:
    bounce = found.bounce
    outbound = None
    if bounce.original_message_id:
        # Locked (PostgreSQL): two reports for one message at once alert once, one after the other.
        outbound = db.session.scalar(
            sa.select(OutboundMessage)
            .where(OutboundMessage.message_id == bounce.original_message_id)
            .with_for_update(of=OutboundMessage)
            .execution_options(populate_existing=True)
        )
    inbound.outbound_message_id = outbound.id if outbound is not None else None
    if not bounce.permanent:
        _finish(inbound, InboundOutcome.BOUNCE_DELAY, found.codes)
        return
    if outbound is None:
        # Nothing of ours bounced: a forged or stray report. Record it; mail nobody.
        _finish(inbound, InboundOutcome.BOUNCE_PERMANENT, [*found.codes, reason("bounce_unknown")])
        return
    # One failure event per outbound message: further bounces for it (another recipient, a
    # redelivered report) are recorded, but neither alert nor announce again.
    earlier = db.session.scalar(
        sa.select(InboundMessage.id)
        .where(
            InboundMessage.outbound_message_id == outbound.id,
            InboundMessage.outcome == InboundOutcome.BOUNCE_PERMANENT,
            InboundMessage.id != inbound.id,
        )
        .limit(1)
    )
    failure = (
        f"Bounced ({bounce.status or 'permanent failure'}) for "
        f"{', '.join(bounce.recipients) or 'a recipient'}: {bounce.diagnostic}"
    )[:2000]
    if earlier is not None:
        again = reason("bounce_again", outbound=outbound.id, earlier=earlier)
        _finish(inbound, InboundOutcome.BOUNCE_PERMANENT, [*found.codes, again])
        return
    already_failed = outbound.status == MessageStatus.FAILED  # the dispatcher announced it
    outbound.status = MessageStatus.FAILED
    outbound.last_error = failure
    db.session.flush()
    if not already_failed:
        outbound_failed.send(current_app._get_current_object(), message=outbound, reason=failure)
    if outbound.kind == BOUNCE_ALERT:
        # An alert that bounced must not alert again (a broken admin address would loop).
        _finish(inbound, InboundOutcome.BOUNCE_PERMANENT, [*found.codes, reason("bounce_of_alert")])
        return
    _alert_admins(inbound, bounce, outbound)
    _finish(inbound, InboundOutcome.BOUNCE_PERMANENT, found.codes)


def _alert_admins(inbound: InboundMessage, bounce, outbound: OutboundMessage) -> None:
    addresses = list(
        db.session.scalars(
            sa.select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    if not addresses:
        return
    queue_templated(
        BOUNCE_ALERT,
        to=addresses,
        recipients=bounce.recipients,
        status=bounce.status,
        diagnostic=bounce.diagnostic,
        outbound=outbound,
        inbound=inbound,
        subject_line=decode_header(outbound.subject),
    )
