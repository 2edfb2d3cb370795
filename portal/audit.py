"""The audit log: who did what to which object, why, and when. Written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UTCDateTime, utcnow
from portal.extensions import db


class AuditEntry(Base):
    """One recorded action. Entries are only ever added."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    subject_id: so.Mapped[int | None]
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    actor = so.relationship("User", lazy="joined")


def record(
    action: str,
    subject_type: str,
    subject_id: int | None,
    *,
    actor=None,
    reason: str | None = None,
    **data: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction; it is kept only if the change is."""
    entry = AuditEntry(
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        data=data,
    )
    db.session.add(entry)
    return entry
