"""Inbound mail: every message stored raw first, with what became of it.

``InboundMessage`` is the raw message and its outcome; ``InboundDelivery`` is one handling of a
message for one target (tag + object id), unique per Message-ID, so a redelivered message is
handled once per target while one reply addressed to two complaints is handled for each.
``ImapSeen`` remembers which IMAP messages (mailbox, UIDVALIDITY, UID) were already stored.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from portal.db import Base, UTCDateTime, str_enum, utcnow


class InboundOutcome(enum.StrEnum):
    RECEIVED = "received"  # stored, not processed yet (or processing died with the process)
    ACCEPTED = "accepted"  # handed to a feature, which took it (an answer)
    DUPLICATE = "duplicate"
    AUTO_REPLY = "auto_reply"
    READ_RECEIPT = "read_receipt"
    LOOP = "loop"
    BOUNCE_PERMANENT = "bounce_permanent"
    BOUNCE_DELAY = "bounce_delay"
    HELD = "held"  # the holding pen: an administrator decides
    RELEASED = "released"  # released from the pen by an administrator
    DISCARDED = "discarded"  # discarded from the pen by an administrator
    TOO_LARGE = "too_large"
    ERROR = "error"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    InboundOutcome.RECEIVED: _l("Received"),
    InboundOutcome.ACCEPTED: _l("Accepted"),
    InboundOutcome.DUPLICATE: _l("Duplicate"),
    InboundOutcome.AUTO_REPLY: _l("Automatic reply"),
    InboundOutcome.READ_RECEIPT: _l("Read receipt"),
    InboundOutcome.LOOP: _l("Mail loop"),
    InboundOutcome.BOUNCE_PERMANENT: _l("Bounce (permanent)"),
    InboundOutcome.BOUNCE_DELAY: _l("Bounce (delayed)"),
    InboundOutcome.HELD: _l("Held"),
    InboundOutcome.RELEASED: _l("Released"),
    InboundOutcome.DISCARDED: _l("Discarded"),
    InboundOutcome.TOO_LARGE: _l("Too large"),
    InboundOutcome.ERROR: _l("Error"),
}

SIGNATURE_LABELS = {
    "verified": _l("signature verified against the certificate it carries"),
    "failed": _l("signature does not match the content"),
    "unsupported": _l("signed; not verified (unsupported)"),
}

# What the holding pen lists: messages an administrator must decide about — including any left
# "received" (stored, but processing never finished), so that none is out of sight.
PEN_OUTCOMES = (
    InboundOutcome.HELD,
    InboundOutcome.ERROR,
    InboundOutcome.TOO_LARGE,
    InboundOutcome.RECEIVED,
)
# What an administrator may release to an object: the pen, and automatic replies — a real answer
# misclassified as one (an "out of office" subject, a client that sets Auto-Submitted) is not lost.
RELEASABLE_OUTCOMES = (*PEN_OUTCOMES, InboundOutcome.AUTO_REPLY)


class InboundMessage(Base):
    """One message as the mail server handed it over, and what Kaimen did with it."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        # The holding pen and the outcome filter: newest first within an outcome.
        sa.Index("ix_inbound_messages_outcome_id", "outcome", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    source: so.Mapped[str] = so.mapped_column(sa.String(16), default="pipe")  # pipe | imap
    raw: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    raw_size: so.Mapped[int] = so.mapped_column(default=0)  # before any truncation
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), index=True)
    envelope_recipients: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    from_address: so.Mapped[str] = so.mapped_column(sa.String(320), default="")
    subject: so.Mapped[str] = so.mapped_column(sa.String(998), default="")
    outcome: so.Mapped[InboundOutcome] = so.mapped_column(
        str_enum(InboundOutcome, 24), default=InboundOutcome.RECEIVED
    )
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The target the message was handed to (a valid token) ...
    tag: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    # ... or the one an administrator is offered (a near miss, a wrong sender).
    suggested_tag: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    suggested_object_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    text: so.Mapped[str | None] = so.mapped_column(sa.Text)  # the answer kept, quotes stripped
    attachment_names: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    # Why, as reason codes with parameters (``inbound.reasons``), translated on display.
    reason_codes: so.Mapped[list[dict] | None] = so.mapped_column(sa.JSON)
    # A signed message: "smime" or "pgp", and "verified", "failed" or "unsupported".
    signature_kind: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    signature_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    signature_detail: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # What the trusted receiving server's Authentication-Results said ({"server", "results"}).
    sender_auth: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    # A bounce: the outbound message it reports on.
    outbound_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("outbound_messages.id", ondelete="SET NULL"), index=True
    )
    handled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    resolved_by = so.relationship("User")

    @property
    def reason_text(self) -> str:
        """The reasons in the reader's language (the stored English text for old rows)."""
        from portal.mail.inbound.reasons import render

        return render(self.reason_codes, self.reason)

    @property
    def signature_label(self) -> str:
        if not self.signature_kind:
            return ""
        return str(SIGNATURE_LABELS.get(self.signature_status, self.signature_status or ""))

    def __repr__(self) -> str:
        return f"<InboundMessage #{self.id} {self.outcome}>"


class InboundDelivery(Base):
    """One message handled for one target; the unique key makes redelivery harmless."""

    __tablename__ = "inbound_deliveries"
    __table_args__ = (sa.UniqueConstraint("message_id", "tag", "object_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    inbound_message_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("inbound_messages.id", ondelete="CASCADE"), index=True
    )
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    tag: so.Mapped[str] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    outcome: so.Mapped[InboundOutcome] = so.mapped_column(str_enum(InboundOutcome, 24))
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ImapSeen(Base):
    """An IMAP message already stored: polling is idempotent by (mailbox, UIDVALIDITY, UID)."""

    __tablename__ = "inbound_imap_seen"
    __table_args__ = (sa.UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    mailbox: so.Mapped[str] = so.mapped_column(sa.String(255))
    uidvalidity: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    uid: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    inbound_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True
    )
    seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    inbound_message: so.Mapped[InboundMessage | None] = so.relationship()
