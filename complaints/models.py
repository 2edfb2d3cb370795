"""Complaints (投诉): the complaint, its timeline, attachments, notifications (告知) and reminders.

Due dates are calendar dates in Asia/Shanghai, computed once from the working-day calendar and
stored; every recomputation is an event on the timeline. The status moves only through
``complaints.states``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from disclosure.directory.models import Department, Position
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, str_enum, utcnow

__all__ = [
    "Complaint",
    "ComplaintAttachment",
    "ComplaintEvent",
    "ComplaintSequence",
    "ComplaintStatus",
    "EventKind",
    "Notification",
    "NotificationMethod",
    "NotificationStatus",
    "Reminder",
    "ReminderKind",
]


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"  # filed, no position found yet (an administrator routes it)
    ASSIGNED = "assigned"  # with a position, waiting for its answer
    ANSWERED = "answered"  # answered; the complainant is to be told
    NOTIFIED = "notified"  # the complainant was told (告知)
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ComplaintStatus.RECEIVED: _l("Received"),
    ComplaintStatus.ASSIGNED: _l("With the responsible position"),
    ComplaintStatus.ANSWERED: _l("Answered"),
    ComplaintStatus.NOTIFIED: _l("Complainant notified"),
    ComplaintStatus.CLOSED: _l("Closed"),
}


class NotificationMethod(enum.StrEnum):
    """How the complainant wants to be told (告知方式)."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"
    PORTAL = "portal"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    NotificationMethod.EMAIL: _l("Email"),
    NotificationMethod.SMS: _l("SMS"),
    NotificationMethod.PHONE: _l("Phone call"),
    NotificationMethod.LETTER: _l("Letter"),
    NotificationMethod.PORTAL: _l("On the portal"),
}


class EventKind(enum.StrEnum):
    FILED = "filed"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    FOLLOW_UP = "follow_up"  # the complainant adds information
    NOTE = "note"  # internal: never shown to the complainant
    ANSWERED = "answered"
    NOTIFICATION_SENT = "notification_sent"  # email/portal/SMS went out by itself
    NOTIFICATION_RECORDED = "notification_recorded"  # phone/letter task completed by an officer
    NOTIFIED = "notified"
    NOTIFICATION_FAILED = "notification_failed"  # the answer email failed or bounced
    CLOSED = "closed"
    REOPENED = "reopened"
    RATED = "rated"
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    REMINDED = "reminded"
    ESCALATED = "escalated"


class Complaint(Base):
    """One complaint, from filing to closing; its tracking number is what the citizen quotes."""

    __tablename__ = "complaints"
    __table_args__ = (
        # The officer's queue: the complaints of a position, by deadline.
        sa.Index("ix_complaints_position_queue", "position_id", "status", "handling_due", "id"),
        # The supervisor's queue and overdue list.
        sa.Index("ix_complaints_department_queue", "department_id", "status", "handling_due", "id"),
        # "My complaints", newest first.
        sa.Index("ix_complaints_complainant", "complainant_id", "id"),
        # The deadline job: open complaints by due date.
        sa.Index("ix_complaints_due", "status", "handling_due"),
        sa.Index("ix_complaints_notification_due", "status", "notification_due"),
        # Public statistics (complaints.statistics): a year's range by month of receipt, covering
        # every column the counts read, so the query never visits the table.
        sa.Index(
            "ix_complaints_statistics",
            "received_on",
            "department_id",
            "handling_due",
            "answered_at",
            "answered_on_time",
            "notified_on_time",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tracking_number: so.Mapped[str] = so.mapped_column(
        sa.String(20), unique=True
    )  # TS20261126-0042
    complainant_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    # What it is about: an item (and perhaps one of its steps), else a department.
    item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="SET NULL"), index=True
    )
    step_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("procedure_steps.id", ondelete="SET NULL")
    )
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("departments.id"))
    position_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("positions.id", ondelete="RESTRICT")
    )
    status: so.Mapped[ComplaintStatus] = so.mapped_column(
        str_enum(ComplaintStatus, 16), default=ComplaintStatus.RECEIVED
    )

    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    details_source: so.Mapped[str] = so.mapped_column(sa.Text)
    details_html: so.Mapped[str] = so.mapped_column(sa.Text)

    # Contact details and the notification method the complainant chose.
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254))
    contact_phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    contact_address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    notification_method: so.Mapped[NotificationMethod] = so.mapped_column(
        str_enum(NotificationMethod, 16)
    )
    locale: so.Mapped[str] = so.mapped_column(sa.String(16), default="zh_Hans_CN")

    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    received_on: so.Mapped[date] = so.mapped_column(sa.Date)  # the day of receipt, Shanghai
    # 办理时限: the complaint step's limit in working days, counted from the next working day.
    handling_due: so.Mapped[date | None] = so.mapped_column(sa.Date)
    handling_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)
    # 告知时限: started by the answer.
    notification_due: so.Mapped[date | None] = so.mapped_column(sa.Date)
    notification_due_provisional: so.Mapped[bool] = so.mapped_column(default=False)

    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    answered_on_time: so.Mapped[bool | None] = so.mapped_column()
    notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    notified_on_time: so.Mapped[bool | None] = so.mapped_column()
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    # The complainant's rating of the answer, 1 (poor) … 5 (good).
    rating: so.Mapped[int | None] = so.mapped_column()
    rating_comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    rated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    event_count: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    complainant: so.Mapped[User] = so.relationship()
    item: so.Mapped[ApprovalItem | None] = so.relationship()
    step: so.Mapped[ProcedureStep | None] = so.relationship()
    department: so.Mapped[Department] = so.relationship()
    position: so.Mapped[Position | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<Complaint {self.tracking_number} {self.status}>"


class ComplaintEvent(Base):
    """One entry of a complaint's timeline. ``internal`` entries are never shown to the complainant."""

    __tablename__ = "complaint_events"
    __table_args__ = (sa.Index("ix_complaint_events_timeline", "complaint_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    complaint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE")
    )
    kind: so.Mapped[EventKind] = so.mapped_column(str_enum(EventKind, 32))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    internal: so.Mapped[bool] = so.mapped_column(default=False)
    # Status before and after, when the event moved it.
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    to_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # Text of an answer, note or follow-up: Markdown source and sanitised HTML.
    body_source: so.Mapped[str | None] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Structured details: positions of a transfer, old and new due dates, channel, …
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)

    complaint: so.Mapped[Complaint] = so.relationship()
    actor: so.Mapped[User | None] = so.relationship()


class ComplaintAttachment(Base):
    """A file filed with a complaint, a follow-up or an answer; stored outside the web root."""

    __tablename__ = "complaint_attachments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    complaint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    event_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("complaint_events.id", ondelete="SET NULL"), index=True
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))  # offered on download, cleaned
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)  # generated
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    complaint: so.Mapped[Complaint] = so.relationship()


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # a task for the officer (phone, letter) or waiting to go out (SMS)
    SENDING = "sending"  # an SMS claimed by a job run, being handed to the gateway
    SENT = "sent"  # went out by itself (email queued, SMS accepted, portal shown)
    DONE = "done"  # an officer recorded when and how (phone, letter)
    FAILED = "failed"


class Notification(Base):
    """One act of telling the complainant the answer (告知), by the method they chose."""

    __tablename__ = "complaint_notifications"
    __table_args__ = (sa.Index("ix_complaint_notifications_pending", "status", "due_on"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    complaint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    method: so.Mapped[NotificationMethod] = so.mapped_column(str_enum(NotificationMethod, 16))
    status: so.Mapped[NotificationStatus] = so.mapped_column(
        str_enum(NotificationStatus, 16), default=NotificationStatus.PENDING
    )
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    completed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # How it was done: "phoned 138…, spoke to the complainant", a letter's posting reference, …
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    outbound_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("outbound_messages.id", ondelete="SET NULL")
    )
    gateway_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)

    complaint: so.Mapped[Complaint] = so.relationship()


class ReminderKind(enum.StrEnum):
    HANDLING_DUE_SOON = "handling_due_soon"  # to the holder (cc deputy) before the deadline
    HANDLING_OVERDUE = "handling_overdue"  # escalation to the department's supervisors
    NOTIFICATION_DUE_SOON = "notification_due_soon"  # a pending phone/letter task
    NOTIFICATION_OVERDUE = "notification_overdue"


class Reminder(Base):
    """A reminder or escalation sent once: the unique key makes ``kaimen deadlines run`` idempotent."""

    __tablename__ = "complaint_reminders"
    __table_args__ = (sa.UniqueConstraint("complaint_id", "kind", "due_on"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    complaint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE")
    )
    kind: so.Mapped[ReminderKind] = so.mapped_column(str_enum(ReminderKind, 32))
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)  # the deadline it is about
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    recipients: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)


class ComplaintSequence(Base):
    """The day's last tracking number, handed out by an atomic UPDATE … RETURNING."""

    __tablename__ = "complaint_sequences"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    last: so.Mapped[int] = so.mapped_column(default=0)
