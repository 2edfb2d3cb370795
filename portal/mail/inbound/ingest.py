"""Ingesting one inbound message: store it raw first, then decide what it is, in a second step.

1. ``store`` writes the raw bytes (cut at ``KAIMEN_INBOUND_MAX_BYTES``) and commits: from then on
   the message cannot be lost, whatever happens next (the MTA gets exit 0).
2. ``process`` classifies and matches it in a second transaction. Loops, read receipts and
   auto-replies are recorded and ignored; a permanent bounce of a message we sent marks it failed,
   sends ``portal.mail.signals.outbound_failed`` and alerts the administrators — once per outbound
   message, and never for a bounced alert (no loop) nor for a report naming no message of ours
   (forged backscatter is only recorded); a delay is recorded as a warning. Otherwise the message is matched
   only by a valid token address (To, Cc, Delivered-To, X-Original-To or the envelope recipients
   given by the MTA) — never by subject or In-Reply-To — and handed to the feature's handler once
   per target (``InboundDelivery`` is unique per Message-ID and target). A near-miss token, an
   unknown tag, a handler's refusal: the holding pen. Any exception: the outcome "error" with the
   reason, everything the handling did rolled back; an administrator can process it again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import Role, User, UserRole
from portal.db import utcnow
from portal.extensions import db
from portal.mail.inbound.classify import Classification, classify
from portal.mail.inbound.handlers import HandlerResult
from portal.mail.inbound.parse import NotAMessage, ParsedMessage, decode_header, parse
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


def _headers_only(raw: bytes) -> tuple[str, str, str]:
    """Message-ID, From and Subject for the stored row; never raises."""
    try:
        parsed = parse(raw)
    except Exception:  # the row is stored whatever the message looks like
        return "<sha256." + hashlib.sha256(raw).hexdigest()[:40] + "@kaimen.invalid>", "", ""
    sender = parsed.from_address or parsed.header("From")  # several or forged: the text
    return parsed.message_id, sender[:320], parsed.subject[:998]


def store(
    raw: bytes,
    envelope_recipients: list[str] | None = None,
    *,
    source: str = "pipe",
    also: list | None = None,
) -> InboundMessage:
    """Store the raw message (and the rows in ``also``, in the same commit) and commit.

    Raises only if the database cannot be written.
    """
    limit = current_app.config["KAIMEN_INBOUND_MAX_BYTES"]
    too_large = len(raw) > limit
    message_id, sender, subject = _headers_only(raw[:limit] if too_large else raw)
    inbound = InboundMessage(
        raw=raw[:limit],
        raw_size=len(raw),
        source=source,
        message_id=message_id,
        envelope_recipients=[r.strip().lower() for r in envelope_recipients or [] if r.strip()],
        from_address=sender,
        subject=subject,
        outcome=InboundOutcome.TOO_LARGE if too_large else InboundOutcome.RECEIVED,
        reason=(
            f"{len(raw)} bytes, more than the limit of {limit} (KAIMEN_INBOUND_MAX_BYTES); "
            "stored cut at the limit, not processed"
            if too_large
            else None
        ),
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
    raw: bytes,
    envelope_recipients: list[str] | None = None,
    *,
    source: str = "pipe",
    also: list | None = None,
) -> InboundMessage:
    """Store ``raw`` (committed), then process it (committed); the row says what happened."""
    inbound = store(raw, envelope_recipients, source=source, also=also)
    if inbound.outcome == InboundOutcome.RECEIVED:
        process(inbound.id)
    return db.session.get(InboundMessage, inbound.id)


def process(inbound_id: int) -> InboundMessage:
    """Classify, match and hand on one stored message; an exception becomes the outcome "error"."""
    inbound = db.session.get(InboundMessage, inbound_id)
    try:
        _process(inbound)
        db.session.commit()
    except Exception as error:  # never lose a message: record why and keep it
        db.session.rollback()
        log.exception("inbound message #%s could not be processed", inbound_id)
        inbound = db.session.get(InboundMessage, inbound_id)
        inbound.outcome = InboundOutcome.ERROR
        inbound.reason = f"{type(error).__name__}: {error}".replace("\x00", "")[:REASON_MAX]
        inbound.handled_at = utcnow()
        db.session.commit()
    return inbound


def targets_of(parsed: ParsedMessage, envelope: list[str]) -> tuple[list[Target], list[Target]]:
    """(valid targets, near misses) from every recipient field and the envelope, in order."""
    valid: list[Target] = []
    near: list[Target] = []
    for address in [*envelope, *parsed.recipient_candidates()]:
        found = parse_reply_address(address)
        if found is None:
            continue
        target = Target(found.tag, found.object_id)
        bucket = valid if found.token_ok else near
        if target not in bucket:
            bucket.append(target)
    near = [t for t in near if t not in valid]
    return valid, near


def _process(inbound: InboundMessage) -> None:
    try:
        parsed = parse(bytes(inbound.raw))
    except NotAMessage:
        _finish(inbound, InboundOutcome.ERROR, "not an email message (no header section)")
        return
    inbound.text = parsed.reply_text()
    inbound.attachment_names = [a.filename for a in parsed.attachments]
    found = classify(parsed)
    valid, near = targets_of(parsed, inbound.envelope_recipients or [])
    if found.kind is not None:
        if found.kind == "auto_reply" and (valid or near):
            # Offered when an administrator finds it was a real answer and releases it.
            first = (valid or near)[0]
            inbound.suggested_tag, inbound.suggested_object_id = first.tag, first.object_id
        _classified(inbound, found)
        return
    if not valid:
        if near:
            inbound.suggested_tag, inbound.suggested_object_id = near[0].tag, near[0].object_id
            _finish(
                inbound,
                InboundOutcome.HELD,
                "the reply address has a wrong token (a near miss): check it before releasing",
            )
        else:
            _finish(inbound, InboundOutcome.HELD, "no reply address of ours among the recipients")
        return
    inbound.tag, inbound.object_id = valid[0].tag, valid[0].object_id
    results = [(target, _deliver(inbound, parsed, target)) for target in valid]
    held = [(t, r) for t, r in results if r is not None and not r.accepted]
    accepted = [(t, r) for t, r in results if r is not None and r.accepted]
    if held:
        target, result = held[0]
        inbound.suggested_tag = target.tag
        inbound.suggested_object_id = result.suggested_object_id or target.object_id
        reasons = "; ".join(f"{t.tag} #{t.object_id}: {r.reason}" for t, r in held)
        _finish(inbound, InboundOutcome.HELD, reasons)
    elif accepted:
        _finish(
            inbound, InboundOutcome.ACCEPTED, "; ".join(r.reason for _, r in accepted if r.reason)
        )
    else:
        _finish(inbound, InboundOutcome.DUPLICATE, "already handled (same Message-ID and target)")


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
        result = HandlerResult.hold(f"no feature handles replies tagged {target.tag!r}")
    else:
        result = handler(target.object_id, parsed, inbound, force=False)
    delivery.outcome = InboundOutcome.ACCEPTED if result.accepted else InboundOutcome.HELD
    delivery.reason = (result.reason or "")[:REASON_MAX] or None
    return result


def _finish(inbound: InboundMessage, outcome: InboundOutcome, reason: str | None) -> None:
    inbound.outcome = outcome
    inbound.reason = (reason or "").replace("\x00", "")[:REASON_MAX] or None
    inbound.handled_at = utcnow()
    db.session.flush()


def _classified(inbound: InboundMessage, found: Classification) -> None:
    if found.kind == "loop":
        _finish(inbound, InboundOutcome.LOOP, found.reason)
    elif found.kind == "read_receipt":
        _finish(inbound, InboundOutcome.READ_RECEIPT, found.reason)
    elif found.kind == "auto_reply":
        _finish(inbound, InboundOutcome.AUTO_REPLY, found.reason)
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
        _finish(inbound, InboundOutcome.BOUNCE_DELAY, found.reason)
        return
    if outbound is None:
        # Nothing of ours bounced: a forged or stray report. Record it; mail nobody.
        _finish(
            inbound,
            InboundOutcome.BOUNCE_PERMANENT,
            f"{found.reason}; it names no message we sent: no alert",
        )
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
    reason = (
        f"Bounced ({bounce.status or 'permanent failure'}) for "
        f"{', '.join(bounce.recipients) or 'a recipient'}: {bounce.diagnostic}"
    )[:2000]
    if earlier is not None:
        _finish(
            inbound,
            InboundOutcome.BOUNCE_PERMANENT,
            f"{found.reason}; message #{outbound.id} already bounced (#{earlier}): no new alert",
        )
        return
    already_failed = outbound.status == MessageStatus.FAILED  # the dispatcher announced it
    outbound.status = MessageStatus.FAILED
    outbound.last_error = reason
    db.session.flush()
    if not already_failed:
        outbound_failed.send(current_app._get_current_object(), message=outbound, reason=reason)
    if outbound.kind == BOUNCE_ALERT:
        # An alert that bounced must not alert again (a broken admin address would loop).
        _finish(
            inbound,
            InboundOutcome.BOUNCE_PERMANENT,
            f"{found.reason}; it was a bounce alert itself: no new alert",
        )
        return
    _alert_admins(inbound, bounce, outbound)
    _finish(inbound, InboundOutcome.BOUNCE_PERMANENT, found.reason)


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
