"""The officer's side of a complaint: answer, note, route, transfer, record a notification, close,
reopen. Each action checks its input, moves the status through ``complaints.states``, writes a
timeline event and an audit entry, and flushes — the caller commits. Permissions are the views'
business (``complaints.permissions``).

Deadline rules
--------------
* **Answer** — on time when answered on or before ``handling_due`` (the day in Asia/Shanghai).
  The answer starts the notification deadline: the complaint step's
  ``notification_time_limit_days`` (``routing.DEFAULT_NOTIFICATION_DAYS``, 5 working days, when the
  complaint has no such step) counted from the working day after the day of the answer.
* **Transfer within the department** — ``handling_due`` is kept: the complainant's clock does
  not restart because the government moved the file between its own desks.
* **Transfer to a position of another department** — the complaint now belongs to that
  department, whose deadline is recomputed from the day of the transfer with the full handling
  limit (``routing.handling_days``), with a DEADLINE_RECOMPUTED event on the timeline.
* **Route** (a RECEIVED complaint that found no position) — the deadline counts from receipt, as
  routing would have; it is computed then if intake did not.
* **Reopen** — by the handlers, the department's supervisors or an administrator, with a reason
  (the complainant cannot reopen: they add a follow-up or rate the answer, and an official decides).
  The complaint goes back to its position with a new handling deadline counted from the day of
  reopening; the earlier answer's record (answered / notified on time) stays until a new answer
  replaces it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from complaints import attachments as files
from complaints import notify
from complaints.errors import ComplaintError
from complaints.intake import mail_officers
from complaints.models import Complaint, ComplaintEvent, EventKind, Notification, NotificationStatus
from complaints.routing import complaint_step_of, handling_days, notification_days
from complaints.states import IllegalTransition, add_event, allowed, move
from disclosure.directory.models import Position
from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.text import render_markdown
from portal.workdays import add_working_days, local_date

TEXT_MAX = 20_000
REASON_MAX = 1_000
DETAIL_MAX = 1_000


def _text(value: str | None, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ComplaintError(_("Write the %(what)s.", what=what))
    if len(value) > limit:
        raise ComplaintError(_("At most %(max)d characters.", max=limit))
    return value


def lock(complaint: Complaint) -> Complaint:
    """Re-read the complaint under a row lock (PostgreSQL ``FOR UPDATE``) before moving it, so
    that two officers acting at once (holder and deputy answering) cannot both pass the state
    check: the second waits, then sees the first one's status and is refused."""
    db.session.flush()
    db.session.execute(
        sa.select(Complaint.id).where(Complaint.id == complaint.id).with_for_update()
    )
    db.session.refresh(complaint, attribute_names=[c.key for c in Complaint.__table__.columns])
    return complaint


def _limit_step(complaint: Complaint):
    return complaint_step_of(complaint.item)


def answer(complaint: Complaint, officer, source: str, attachments=None) -> ComplaintEvent:
    """Record the answer and start telling the complainant (see ``complaints.notify``)."""
    source = _text(source, _("answer"), TEXT_MAX)
    checked = files.check(list(attachments or []))
    lock(complaint)
    now = utcnow()
    today = local_date(now)
    punctual = complaint.handling_due is None or today <= complaint.handling_due
    days = notification_days(_limit_step(complaint))
    deadline = add_working_days(today, days)
    event = move(
        complaint,
        "answer",
        actor=officer,
        body_source=source,
        body_html=render_markdown(source),
        on_time=punctual,
        notification_from=today.isoformat(),
        notification_days=days,
        notification_due=deadline.date.isoformat(),
    )
    if checked:
        files.save(complaint, event, checked, officer)
    complaint.answered_at = now
    complaint.answered_on_time = punctual
    complaint.notification_due = deadline.date
    complaint.notification_due_provisional = deadline.provisional
    audit.record("complaint.answered", "complaint", complaint.id, actor=officer, on_time=punctual)
    notify.start_notification(complaint, officer)
    return event


def add_note(complaint: Complaint, actor, source: str) -> ComplaintEvent:
    """An internal note: on the timeline for officers, never shown to the complainant."""
    source = _text(source, _("note"), TEXT_MAX)
    event = add_event(
        complaint,
        EventKind.NOTE,
        actor=actor,
        internal=True,
        body_source=source,
        body_html=render_markdown(source),
    )
    audit.record("complaint.note", "complaint", complaint.id, actor=actor)
    return event


def _mail_new_holder(complaint: Complaint, actor, reason: str | None) -> None:
    """The complaint email to the position's holder (cc deputy), as intake sends it."""
    mail_officers(complaint, "complaint_transferred_officer", reason=reason, actor=actor)


def _check_target(complaint: Complaint, position: Position | None) -> Position:
    if position is None:
        raise ComplaintError(_("Choose the position the complaint goes to."))
    if position.id == complaint.position_id:
        raise ComplaintError(_("The complaint is already with that position."))
    if position.holder_id is None and position.deputy_id is None:
        raise ComplaintError(
            _(
                "Nobody holds the position %(name)s: it cannot handle a complaint.",
                name=position.name,
            )
        )
    return position


def transfer(complaint: Complaint, actor, position: Position | None, reason: str) -> ComplaintEvent:
    """Send the complaint to another position (see the deadline rules in the module docstring)."""
    reason = _text(reason, _("reason for the transfer"), REASON_MAX)
    lock(complaint)
    position = _check_target(complaint, position)
    old_position_id = complaint.position_id
    old_department_id = complaint.department_id
    other_department = position.department_id != complaint.department_id
    data = {}
    new_due = None
    if other_department:
        today = local_date(utcnow())
        days = handling_days(_limit_step(complaint))
        new_due = add_working_days(today, days)
        data = {"handling_from": today.isoformat(), "handling_days": days}
    event = move(
        complaint,
        "transfer",
        actor=actor,
        from_position_id=old_position_id,
        to_position_id=position.id,
        position=position.name,
        from_department_id=old_department_id,
        to_department_id=position.department_id,
        reason=reason,
        **data,
    )
    complaint.position = position
    complaint.position_id = position.id
    if other_department:
        complaint.department = position.department
        _set_handling_due(complaint, new_due, actor, cause="transfer")
    audit.record(
        "complaint.transferred",
        "complaint",
        complaint.id,
        actor=actor,
        reason=reason,
        from_position_id=old_position_id,
        to_position_id=position.id,
    )
    _mail_new_holder(complaint, actor, reason)
    return event


def _set_handling_due(complaint: Complaint, deadline, actor, *, cause: str) -> None:
    old, old_provisional = complaint.handling_due, complaint.handling_due_provisional
    complaint.handling_due = deadline.date
    complaint.handling_due_provisional = deadline.provisional
    if (old, old_provisional) != (deadline.date, deadline.provisional):
        add_event(
            complaint,
            EventKind.DEADLINE_RECOMPUTED,
            actor=actor,
            deadline="handling",
            cause=cause,
            old_due=old.isoformat() if old else None,
            new_due=deadline.date.isoformat(),
            provisional=deadline.provisional,
        )


def route(complaint: Complaint, actor, position: Position | None) -> ComplaintEvent:
    """Assign a RECEIVED complaint (no position was found for it) to a position."""
    lock(complaint)
    position = _check_target(complaint, position)
    event = move(
        complaint,
        "assign",
        actor=actor,
        to_position_id=position.id,
        position=position.name,
        routed_by_hand=True,
    )
    complaint.position = position
    complaint.position_id = position.id
    complaint.department = position.department
    if complaint.handling_due is None:
        days = handling_days(_limit_step(complaint))
        _set_handling_due(
            complaint, add_working_days(complaint.received_on, days), actor, cause="route"
        )
    audit.record(
        "complaint.routed", "complaint", complaint.id, actor=actor, position_id=position.id
    )
    _mail_new_holder(complaint, actor, None)
    return event


def record_notification(
    notification: Notification, officer, when: datetime | None, how: str
) -> ComplaintEvent:
    """Complete a phone or letter task (or a failed SMS told another way): when and how."""
    how = _text(how, _("how the complainant was told"), DETAIL_MAX)
    complaint = lock(notification.complaint)
    db.session.refresh(notification)
    if not allowed(complaint, "notify"):
        raise IllegalTransition(_("Only an answered complaint's notification can be recorded."))
    if notification.status not in {NotificationStatus.PENDING, NotificationStatus.FAILED}:
        raise ComplaintError(_("This notification has already been recorded."))
    now = utcnow()
    when = when or now
    if when.tzinfo is None:
        raise ComplaintError(_("Give the time with its time zone."))
    if when > now + timedelta(minutes=5):
        raise ComplaintError(_("The time of the notification cannot be in the future."))
    if complaint.answered_at is not None and when < complaint.answered_at - timedelta(minutes=1):
        raise ComplaintError(
            _("The complainant cannot have been told before the answer was given.")
        )
    notification.status = NotificationStatus.DONE
    notification.completed_at = when
    notification.completed_by_id = officer.id
    notification.detail = how
    return notify.mark_notified(complaint, notification, actor=officer, when=when, detail=how)


def close(complaint: Complaint, actor, reason: str | None = None) -> ComplaintEvent:
    """Close a complaint whose complainant has been told (the state machine refuses earlier)."""
    reason = (reason or "").strip()[:REASON_MAX] or None
    lock(complaint)
    event = move(complaint, "close", actor=actor, reason=reason)
    complaint.closed_at = utcnow()
    audit.record("complaint.closed", "complaint", complaint.id, actor=actor, reason=reason)
    return event


def reopen(complaint: Complaint, actor, reason: str) -> ComplaintEvent:
    """Send a notified or closed complaint back to its position for a new answer."""
    reason = _text(reason, _("reason for reopening"), REASON_MAX)
    lock(complaint)
    today = local_date(utcnow())
    days = handling_days(_limit_step(complaint))
    event = move(
        complaint,
        "reopen",
        actor=actor,
        reason=reason,
        handling_from=today.isoformat(),
        handling_days=days,
    )
    complaint.closed_at = None
    _set_handling_due(complaint, add_working_days(today, days), actor, cause="reopen")
    audit.record("complaint.reopened", "complaint", complaint.id, actor=actor, reason=reason)
    if complaint.position is not None:
        _mail_new_holder(complaint, actor, reason)
    return event
