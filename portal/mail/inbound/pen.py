"""The holding pen: an administrator releases a held message to an object, or discards it.

A message taken for an automatic reply is not in the pen, but can be released too.

Both are services: they check, change state, write the audit log and flush; the request commits.
Releasing calls the tag's handler with ``force=True`` — the sender rule no longer applies — and
records the delivery, so the same message is never handled twice for the same object.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.mail.inbound.parse import parse
from portal.mail.inbound_models import (
    PEN_OUTCOMES,
    RELEASABLE_OUTCOMES,
    InboundDelivery,
    InboundMessage,
    InboundOutcome,
)

REASON_MAX = 1000


class PenError(ValueError):
    """A release or discard refused; the message says why, for the administrator."""


def handler_tags() -> list[str]:
    return sorted(current_app.extensions["kaimen"].inbound_handlers)


def _check_open(inbound: InboundMessage) -> None:
    if inbound.outcome not in PEN_OUTCOMES:
        raise PenError(_("This message is not in the holding pen."))


def release(inbound: InboundMessage, tag: str, object_id: int, actor) -> None:
    """Hand ``inbound`` to the handler of ``tag`` for ``object_id``, whoever sent it.

    Besides the pen, an automatic reply can be released: a real answer taken for one.
    """
    if inbound.outcome not in RELEASABLE_OUTCOMES:
        raise PenError(_("This message is not in the holding pen."))
    if inbound.outcome == InboundOutcome.TOO_LARGE:
        raise PenError(
            _("A message over the size limit was not stored whole: it cannot be released.")
        )
    handler = current_app.extensions["kaimen"].inbound_handlers.get(tag)
    if handler is None:
        raise PenError(_("Nothing handles replies of the kind “%(tag)s”.", tag=tag))
    delivery = db.session.scalar(
        sa.select(InboundDelivery).where(
            InboundDelivery.message_id == inbound.message_id,
            InboundDelivery.tag == tag,
            InboundDelivery.object_id == object_id,
        )
    )
    if delivery is not None and delivery.outcome in (
        InboundOutcome.ACCEPTED,
        InboundOutcome.RELEASED,
    ):
        raise PenError(_("This message was already accepted for #%(id)d.", id=object_id))
    parsed = parse(bytes(inbound.raw))
    result = handler(object_id, parsed, inbound, force=True)
    if not result.accepted:
        raise PenError(result.reason or _("The message was refused."))
    if delivery is None:
        delivery = InboundDelivery(
            inbound_message_id=inbound.id,
            message_id=inbound.message_id,
            tag=tag,
            object_id=object_id,
        )
        db.session.add(delivery)
    delivery.outcome = InboundOutcome.RELEASED
    delivery.reason = None
    previous = inbound.outcome
    inbound.outcome = InboundOutcome.RELEASED
    inbound.tag, inbound.object_id = tag, object_id
    inbound.resolved_by_id = getattr(actor, "id", None)
    inbound.resolved_at = utcnow()
    audit.record(
        "inbound.release",
        "inbound_message",
        inbound.id,
        actor=actor,
        tag=tag,
        object_id=object_id,
        previous=previous.value,
    )
    db.session.flush()


def discard(inbound: InboundMessage, actor, reason: str | None) -> None:
    """Close ``inbound`` without handing it on; it stays stored."""
    _check_open(inbound)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise PenError(_("At most %(max)d characters.", max=REASON_MAX))
    previous = inbound.outcome
    inbound.outcome = InboundOutcome.DISCARDED
    inbound.resolved_by_id = getattr(actor, "id", None)
    inbound.resolved_at = utcnow()
    audit.record(
        "inbound.discard",
        "inbound_message",
        inbound.id,
        actor=actor,
        reason=reason or None,
        previous=previous.value,
    )
    db.session.flush()
