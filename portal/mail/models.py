"""The outbox: every message Kaimen sends is first a row here."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from portal.db import Base, UTCDateTime, str_enum, utcnow


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    MessageStatus.QUEUED: _l("Queued"),
    MessageStatus.SENDING: _l("Sending"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.FAILED: _l("Failed"),
}


class OutboundMessage(Base):
    """An email waiting to leave, being sent, sent, or given up on."""

    __tablename__ = "outbound_messages"
    __table_args__ = (sa.Index("ix_outbound_messages_due", "status", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[MessageStatus] = so.mapped_column(
        str_enum(MessageStatus, 16),
        default=MessageStatus.QUEUED,
    )
    sender: so.Mapped[str] = so.mapped_column(sa.String(320))
    recipients: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    cc: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    reply_to: so.Mapped[str | None] = so.mapped_column(sa.String(320))
    subject: so.Mapped[str] = so.mapped_column(sa.String(998))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    headers: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # While a dispatcher holds the message: other dispatchers leave it alone until this passes.
    lease_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lease_token: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    attachments: so.Mapped[list[OutboundAttachment]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OutboundAttachment.id"
    )


class OutboundAttachment(Base):
    """A stored file (``portal.uploads``) attached to an outbound message when it is sent."""

    __tablename__ = "outbound_attachments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    outbound_message_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("outbound_messages.id", ondelete="CASCADE"), index=True
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    area: so.Mapped[str] = so.mapped_column(sa.String(32))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80))
