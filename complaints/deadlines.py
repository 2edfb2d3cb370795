"""``kaimen deadlines run``: reminders before a deadline, escalation after it, SMS retries.

What one run does, for "today" in Asia/Shanghai:

1. sends every queued (PENDING) or FAILED SMS notification of an answered complaint
   (``notify.claim_sms`` takes each with one atomic UPDATE, so two runs never send the same SMS
   twice); ``kaimen deadlines sms`` does only this step — run it every minute or so;
2. reminds the holder (cc the deputy) of every open, unanswered complaint whose handling deadline is at
   most ``DUE_SOON_DAYS`` working days away, the day itself included (REMINDED, internal);
   (administrators, for a complaint still waiting to be routed);
3. escalates every unanswered complaint past its handling deadline to the department's
   supervisors (cc holder and deputy; administrators when the department has no supervisor)
   (ESCALATED, on the timeline);
4. reminds the holder of a notification still pending (phone, letter, failed SMS) whose
   notification deadline is near (cc deputy) or past (cc deputy and supervisors).

**Each reminder is sent once.** Its key is (complaint, kind, the deadline it is about) — the
unique constraint of ``complaint_reminders``. The selects skip complaints whose key is already
taken (NOT EXISTS), so a run does no work for complaints reminded before; the key is claimed
before the complaint, its recipients and files are loaded. The row is inserted *first* with
``INSERT … ON CONFLICT DO NOTHING RETURNING id`` and the mail is queued only when that returned a
row, in the same transaction, committed per reminder. A second run (or one on another host at the
same moment) finds the key taken — on PostgreSQL its insert waits for the first transaction and
then does nothing — and sends nothing. If a deadline moves (transfer, reopening, recomputation)
the key changes and the new deadline is reminded of once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from complaints import notify
from complaints.intake import complaint_attachments, outbound_files
from complaints.models import (
    Complaint,
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationMethod,
    NotificationStatus,
    Reminder,
    ReminderKind,
)
from complaints.states import add_event
from disclosure.directory.models import Position
from disclosure.directory.recipients import (
    administrators,
    department_supervisors,
    position_addresses,
)
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import queue_templated
from portal.mail.tokens import REPLY_MARKER, reply_address
from portal.workdays import add_working_days, local_date

DUE_SOON_DAYS = 2

TEMPLATES = {
    ReminderKind.HANDLING_DUE_SOON: "complaint_reminder",
    ReminderKind.HANDLING_OVERDUE: "complaint_escalated",
    ReminderKind.NOTIFICATION_DUE_SOON: "complaint_notification_reminder",
    ReminderKind.NOTIFICATION_OVERDUE: "complaint_notification_reminder",
}


@dataclass
class RunSummary:
    handling_reminders: int = 0
    escalations: int = 0
    notification_reminders: int = 0
    sms_sent: int = 0
    sms_failed: int = 0
    already_sent: int = 0
    nobody_to_tell: int = 0

    def text(self) -> str:
        return (
            f"reminders {self.handling_reminders}, escalations {self.escalations}, "
            f"notification reminders {self.notification_reminders}, "
            f"SMS: sent {self.sms_sent}, failed {self.sms_failed}; "
            f"already sent before {self.already_sent}, nobody to tell {self.nobody_to_tell}"
        )


def run(today: date | None = None) -> RunSummary:
    """One pass over the deadlines; commits as it goes (each reminder in its own transaction)."""
    today = today or local_date(utcnow())
    summary = RunSummary()
    send_queued_sms(summary)
    soon = add_working_days(today, DUE_SOON_DAYS).date

    handling_kind = sa.case(
        (Complaint.handling_due < today, ReminderKind.HANDLING_OVERDUE.value),
        else_=ReminderKind.HANDLING_DUE_SOON.value,
    )
    handling = db.session.execute(
        sa.select(Complaint.id, Complaint.handling_due)
        .where(
            Complaint.status.in_([ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED]),
            Complaint.handling_due.is_not(None),
            Complaint.handling_due <= soon,
            ~_reminded(Complaint.handling_due, handling_kind),
        )
        .order_by(Complaint.handling_due, Complaint.id)
    ).all()
    for complaint_id, due in handling:
        overdue = due < today
        kind = ReminderKind.HANDLING_OVERDUE if overdue else ReminderKind.HANDLING_DUE_SOON
        _remind(complaint_id, kind, due, summary)

    notification_kind = sa.case(
        (Complaint.notification_due < today, ReminderKind.NOTIFICATION_OVERDUE.value),
        else_=ReminderKind.NOTIFICATION_DUE_SOON.value,
    )
    pending = db.session.execute(
        sa.select(Notification.complaint_id, Complaint.notification_due)
        .join(Complaint, Complaint.id == Notification.complaint_id)
        .where(
            Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.FAILED]),
            Notification.due_on <= soon,
            Complaint.status == ComplaintStatus.ANSWERED,
            Complaint.notification_due.is_not(None),
            ~_reminded(Complaint.notification_due, notification_kind),
        )
        .order_by(Notification.due_on, Notification.id)
    ).all()
    for complaint_id, due in dict.fromkeys(pending):
        overdue = due < today
        kind = ReminderKind.NOTIFICATION_OVERDUE if overdue else ReminderKind.NOTIFICATION_DUE_SOON
        _remind(complaint_id, kind, due, summary)
    db.session.commit()
    return summary


def send_queued_sms(summary: RunSummary) -> None:
    """Hand every queued or failed SMS of an answered complaint to the gateway, once each."""
    ids = db.session.scalars(
        sa.select(Notification.id)
        .join(Complaint, Complaint.id == Notification.complaint_id)
        .where(
            Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.FAILED]),
            Notification.method == NotificationMethod.SMS,
            Complaint.status == ComplaintStatus.ANSWERED,
        )
        .order_by(Notification.id)
    ).all()
    for notification_id in ids:
        if not notify.claim_sms(notification_id):
            db.session.rollback()
            continue
        db.session.commit()  # the claim is visible to other runs before the gateway is called
        notification = db.session.get(Notification, notification_id)
        complaint = notification.complaint
        if complaint.status != ComplaintStatus.ANSWERED:
            notification.status = NotificationStatus.FAILED
        elif notify.send_sms(complaint, notification, actor=None):
            summary.sms_sent += 1
        else:
            summary.sms_failed += 1
        db.session.commit()


def _reminded(due_column, kind_expression):
    """EXISTS a reminder with this key: such a complaint is not even loaded again."""
    table = Reminder.__table__
    return (
        sa.select(table.c.id)
        .where(
            table.c.complaint_id == Complaint.id,
            table.c.kind == kind_expression,
            table.c.due_on == due_column,
        )
        .exists()
    )


def _claim_reminder(complaint_id: int, kind: ReminderKind, due_on: date) -> int | None:
    """Insert the reminder's row unless its key is taken; its id when this run inserted it."""
    dialect = db.engine.dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:  # pragma: no cover - Kaimen runs on SQLite and PostgreSQL
        raise RuntimeError(f"no upsert for {dialect}")
    stmt = (
        insert(Reminder)
        .values(
            complaint_id=complaint_id,
            kind=kind.value,
            due_on=due_on,
            sent_at=utcnow(),
            recipients=[],
        )
        .on_conflict_do_nothing(index_elements=["complaint_id", "kind", "due_on"])
        .returning(Reminder.id)
    )
    return db.session.execute(stmt).scalar()


def _reply_by_mail(complaint: Complaint, kind: ReminderKind) -> dict:
    if kind != ReminderKind.HANDLING_DUE_SOON:
        return {}
    return {"reply_to": reply_address("complaint", complaint.id), "reply_marker": REPLY_MARKER}


def _recipients(complaint: Complaint, kind: ReminderKind) -> tuple[list[str], list[str]]:
    to_handlers, cc_handlers = position_addresses(complaint.position)
    handlers = to_handlers + cc_handlers
    if kind == ReminderKind.HANDLING_OVERDUE:
        to = department_supervisors(complaint.department_id) or administrators()
        cc = [a for a in handlers if a not in to]
    else:
        to, cc = handlers[:1], handlers[1:]
        if kind == ReminderKind.NOTIFICATION_OVERDUE:
            cc += [a for a in department_supervisors(complaint.department_id) if a not in to + cc]
        if not to:
            to = administrators()
    return to, cc


def _remind(complaint_id: int, kind: ReminderKind, due_on: date, summary: RunSummary) -> None:
    """Claim the reminder's key first; only the run that got it loads the complaint and mails."""
    reminder_id = _claim_reminder(complaint_id, kind, due_on)
    if reminder_id is None:
        summary.already_sent += 1
        db.session.commit()
        return
    complaint = db.session.scalar(
        sa.select(Complaint)
        .where(Complaint.id == complaint_id)
        .options(
            so.joinedload(Complaint.position).joinedload(Position.holder),
            so.joinedload(Complaint.position).joinedload(Position.deputy),
        )
    )
    to, cc = _recipients(complaint, kind)
    if not to:  # nobody to tell yet (no holder, supervisor or administrator): try next run
        summary.nobody_to_tell += 1
        db.session.rollback()  # gives the key back
        return
    db.session.execute(
        sa.update(Reminder).where(Reminder.id == reminder_id).values(recipients=to + cc)
    )
    overdue = kind in {ReminderKind.HANDLING_OVERDUE, ReminderKind.NOTIFICATION_OVERDUE}
    files = {}
    if kind in {ReminderKind.HANDLING_DUE_SOON, ReminderKind.HANDLING_OVERDUE}:
        # The reminder carries the complaint itself: its facts, details and files.
        attached = complaint_attachments(complaint)
        files = {"attachments": attached, "files": outbound_files(attached)}
    queue_templated(
        TEMPLATES[kind],
        to=to,
        cc=cc,
        complaint=complaint,
        due_on=due_on,
        overdue=overdue,
        link=notify.complaint_url(complaint),
        # The officer may answer by replying to the reminder (complaints.inbound).
        **_reply_by_mail(complaint, kind),
        **files,
    )
    if kind == ReminderKind.HANDLING_OVERDUE:
        add_event(complaint, EventKind.ESCALATED, due_on=due_on.isoformat())
        audit.record("complaint.escalated", "complaint", complaint.id, due_on=str(due_on))
        summary.escalations += 1
    else:
        add_event(
            complaint, EventKind.REMINDED, internal=True, reminder=kind.value, due_on=str(due_on)
        )
        if kind == ReminderKind.HANDLING_DUE_SOON:
            summary.handling_reminders += 1
        else:
            summary.notification_reminders += 1
    db.session.commit()
