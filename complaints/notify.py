"""Telling the complainant the answer (告知), by the method they chose.

``start_notification`` runs inside the answer's transaction:

* **email** — the answer email (``email/complaint_answered``) is put in the outbox and the
  complaint counts as *notified at that moment*; the notification keeps the outbox message's id.
  The outbox delivers with retries; a bounce is the mail issue's business (it alerts an
  administrator). When the dispatcher gives the message up or a permanent bounce comes back,
  ``complaints.delivery`` undoes the record: the notification FAILED, the complaint back to
  ANSWERED, and the officers asked to tell the complainant another way.
* **portal** — the answer is on the complaint's page as soon as the transaction commits:
  notified at once.
* **SMS** — *queued*: the notification is created PENDING in the answer's transaction and no
  gateway is called there (a rollback must not leave the citizen told about an answer that does
  not exist, and no row lock may wait on an HTTP timeout). After the commit, ``kaimen deadlines
  sms`` (run it every minute or so) or ``kaimen deadlines run`` (which does it first) claims each
  queued or failed SMS with one atomic UPDATE (PENDING/FAILED → SENDING, committed before the
  gateway is called, so two runs never send the same SMS) and hands it to the gateway
  (``portal.sms``). Accepted → SENT and the complaint is notified at that moment; refused or
  unreachable → FAILED with the error, the complaint stays ANSWERED and the next run tries
  again. A run that dies while the gateway holds the message leaves the row SENDING: it is not
  sent again (at most once), and the officer can still record a notification by phone.
* **phone, letter** — a PENDING task for the holder, completed with
  ``complaints.officer.record_notification`` (when and how; a printable letter is offered).

Whether the complainant was told on time compares the day of notification in Asia/Shanghai with
``Complaint.notification_due`` (on or before it is on time).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from complaints.models import (
    Complaint,
    ComplaintEvent,
    EventKind,
    Notification,
    NotificationMethod,
    NotificationStatus,
)
from complaints.states import move
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import queue_templated
from portal.sms import SmsError, gateway
from portal.urls import external_url
from portal.workdays import local_date

AUTOMATIC = {NotificationMethod.EMAIL, NotificationMethod.PORTAL, NotificationMethod.SMS}
TASKS = {NotificationMethod.PHONE, NotificationMethod.LETTER}


def complaint_url(complaint: Complaint) -> str:
    return external_url("complaints.show", tracking_number=complaint.tracking_number)


def on_time(complaint: Complaint, when: datetime) -> bool | None:
    if complaint.notification_due is None:
        return None
    return local_date(when) <= complaint.notification_due


def mark_notified(
    complaint: Complaint, notification: Notification, *, actor, when: datetime, **data
) -> ComplaintEvent:
    """Move the complaint to NOTIFIED and record whether that was on time."""
    punctual = on_time(complaint, when)
    event = move(
        complaint,
        "notify",
        actor=actor,
        method=str(notification.method),
        notification_id=notification.id,
        on_time=punctual,
        notified_at=when.isoformat(),
        **data,
    )
    complaint.notified_at = when
    complaint.notified_on_time = punctual
    audit.record(
        "complaint.notified",
        "complaint",
        complaint.id,
        actor=actor,
        method=str(notification.method),
        on_time=punctual,
    )
    return event


def latest_answer_text(complaint: Complaint) -> str:
    return (
        db.session.scalar(
            sa.select(ComplaintEvent.body_source)
            .where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == EventKind.ANSWERED,
            )
            .order_by(ComplaintEvent.id.desc())
            .limit(1)
        )
        or ""
    )


def start_notification(complaint: Complaint, actor) -> Notification:
    """Create the notification the complainant asked for and, where it goes by itself, send it."""
    notification = Notification(
        complaint_id=complaint.id,
        method=complaint.notification_method,
        due_on=complaint.notification_due,
        status=NotificationStatus.PENDING,
    )
    db.session.add(notification)
    db.session.flush()
    method = complaint.notification_method
    now = utcnow()
    if method == NotificationMethod.EMAIL:
        message = queue_templated(
            "complaint_answered",
            to=[complaint.contact_email],
            locale=complaint.locale,
            complaint=complaint,
            answer=latest_answer_text(complaint),
            link=complaint_url(complaint),
        )
        notification.outbound_message_id = message.id
        _delivered(complaint, notification, actor=actor, when=now)
    elif method == NotificationMethod.PORTAL:
        _delivered(complaint, notification, actor=actor, when=now)
    elif method == NotificationMethod.SMS:
        audit.record("complaint.sms_queued", "complaint", complaint.id, actor=actor)
    else:
        audit.record(
            "complaint.notification_task",
            "complaint",
            complaint.id,
            actor=actor,
            method=str(method),
            due_on=str(complaint.notification_due),
        )
    db.session.flush()
    return notification


def _delivered(complaint: Complaint, notification: Notification, *, actor, when: datetime) -> None:
    notification.status = NotificationStatus.SENT
    notification.completed_at = when
    notification.last_error = None
    mark_notified(complaint, notification, actor=actor, when=when)


def sms_text(complaint: Complaint) -> str:
    with force_locale(complaint.locale):
        return _(
            "Your complaint %(number)s has been answered. Read the answer at %(url)s",
            number=complaint.tracking_number,
            url=complaint_url(complaint),
        )


def send_sms(complaint: Complaint, notification: Notification, *, actor=None) -> bool:
    """Hand the SMS to the gateway; on success the complaint is notified, else the row FAILED."""
    try:
        if not complaint.contact_phone:
            raise SmsError("no phone number to send the SMS to")
        reference = gateway().send(
            complaint.contact_phone, sms_text(complaint), reference=complaint.tracking_number
        )
    except SmsError as error:
        notification.status = NotificationStatus.FAILED
        notification.last_error = str(error)[:2000]
        audit.record(
            "complaint.sms_failed", "complaint", complaint.id, actor=actor, error=str(error)[:500]
        )
        db.session.flush()
        return False
    notification.gateway_reference = reference
    _delivered(complaint, notification, actor=actor, when=utcnow())
    return True


def claim_sms(notification_id: int) -> bool:
    """Take a queued or failed SMS for sending: one atomic UPDATE to SENDING, so two job runs
    never both send it."""
    table = Notification.__table__
    claimed = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == notification_id,
            table.c.status.in_([NotificationStatus.PENDING.value, NotificationStatus.FAILED.value]),
            table.c.method == NotificationMethod.SMS.value,
        )
        .values(status=NotificationStatus.SENDING.value)
    )
    return claimed.rowcount == 1
