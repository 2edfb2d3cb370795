"""When the answer email does not reach the complainant after all.

The kernel sends ``portal.mail.signals.outbound_failed`` (sender: the Flask app, ``message=`` the
``OutboundMessage``, ``reason=`` a short text) when the dispatcher gives a message up (permanent
SMTP failure, or retries exhausted) and when a permanent bounce for it comes in. It is sent inside
the caller's transaction; this receiver only flushes.

Rule: if the message is the answer email of a complaint's notification that counts as SENT,

* the notification becomes FAILED with the reason as its last error;
* a NOTIFIED complaint goes back to ANSWERED (``undeliver``: a NOTIFICATION_FAILED event on the
  timeline, visible to the complainant; ``notified_at``/``notified_on_time`` are cleared), so it is
  on the officer's "answered, still to be told" list and the failed notification can be recorded
  once the officer has told the complainant by phone or letter (``officer.record_notification``);
  a complaint already closed or reopened keeps its status and gets an internal
  NOTIFICATION_FAILED event instead;
* the position's holder (cc deputy) is mailed to tell the complainant another way; with nobody
  holding the position, the department's supervisors (else the administrators).

Any other message (not a notification's, already FAILED, a second signal for the same message) is
ignored, so a repeated signal changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from complaints.models import (
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationMethod,
    NotificationStatus,
)
from complaints.notify import complaint_url
from complaints.states import add_event, move
from disclosure.directory.recipients import position_addresses, supervisors_or_administrators
from portal import audit
from portal.extensions import db
from portal.mail.outbox import queue_templated

REASON_MAX = 500


def on_outbound_failed(sender, *, message=None, reason: str = "", **extra) -> None:
    """The ``outbound_failed`` receiver."""
    if message is None or getattr(message, "id", None) is None:
        return
    notification_failed(message.id, reason or "")


def notification_failed(outbound_message_id: int, reason: str) -> Notification | None:
    """Undo the notification made by the email ``outbound_message_id``; see the module rule."""
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.outbound_message_id == outbound_message_id,
            Notification.method == NotificationMethod.EMAIL,
            Notification.status == NotificationStatus.SENT,
        )
    )
    if notification is None:
        return None
    reason = (reason or "")[:REASON_MAX]
    complaint = notification.complaint
    notification.status = NotificationStatus.FAILED
    notification.last_error = reason or "undelivered"
    notification.completed_at = None
    if complaint.status == ComplaintStatus.NOTIFIED:
        move(complaint, "undeliver", notification_id=notification.id, method="email")
        complaint.notified_at = None
        complaint.notified_on_time = None
    else:
        add_event(
            complaint,
            EventKind.NOTIFICATION_FAILED,
            internal=True,
            notification_id=notification.id,
            method="email",
        )
    audit.record(
        "complaint.notification_failed",
        "complaint",
        complaint.id,
        notification_id=notification.id,
        outbound_message_id=outbound_message_id,
        reason=reason,
    )
    _alert(complaint, reason)
    db.session.flush()
    return notification


def _alert(complaint, reason: str) -> None:
    to, cc = position_addresses(complaint.position)
    if not to:
        to, cc = supervisors_or_administrators(complaint.department_id), []
    if not to:
        return
    queue_templated(
        "complaint_notification_failed",
        to=to,
        cc=cc,
        complaint=complaint,
        reason=reason,
        link=complaint_url(complaint),
    )
