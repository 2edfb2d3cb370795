"""Recounting stored deadlines when the working-day calendar changes.

Two kernel signals, both sent inside the administrator's transaction after the change is flushed:

* ``portal.workdays.calendar_changed`` (an override day of ``year`` added or removed, or the year
  marked official) → ``recompute_year``: every complaint, **open or closed**, whose counted range
  may include a day of that year — received on or before 31 December of the year and with a
  handling or notification deadline on or after 1 January of it (a count that ends before the
  year, or starts after it, cannot move) — is counted again. This covers provisional years too:
  the stored provisional date follows the administrator's entries day by day.
* ``portal.workdays.official_year_entered`` → ``recompute_provisional``: every complaint, open or
  closed, with a provisional deadline is counted again (it may count through later years).

Closed complaints are recounted as well: statistics read their stored due dates and on-time flags.

Each deadline is counted again from the same start with the same number of working days:

* handling — from the latest transfer to another department or reopening that restarted the
  count (their events carry ``handling_from``/``handling_days``), else from the day of receipt
  with the complaint step's limit;
* notification — from the answer (its event carries ``notification_from``/``notification_days``).

Each deadline that changes (its date, or only its provisional mark) gets a DEADLINE_RECOMPUTED
event on the timeline (``cause`` "calendar_changed" or "official_year", with the year); "on
time" records already made are re-judged against the new date. One calendar is read for the
whole pass (its override days are loaded once per range, not once per deadline).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationStatus,
)
from complaints.routing import complaint_step_of, handling_days, notification_days
from complaints.states import add_event
from disclosure.catalog.models import ApprovalItem
from portal import audit
from portal.extensions import db
from portal.workdays import Deadline, local_date
from portal.workdays.store import database_calendar

ANSWERED_OR_LATER = {ComplaintStatus.ANSWERED, ComplaintStatus.NOTIFIED, ComplaintStatus.CLOSED}


def on_official_year(sender, *, year: int, actor=None, **extra) -> None:
    """The ``official_year_entered`` receiver."""
    recompute_provisional(year=year, actor=actor)


def on_calendar_changed(sender, *, year: int, actor=None, **extra) -> None:
    """The ``calendar_changed`` receiver: an override day of ``year`` was added or removed."""
    recompute_year(year, actor=actor)


def _bases(complaint_ids: list[int]) -> dict[int, dict[str, tuple[date, int]]]:
    """For each complaint, the latest (start, days) of its handling and notification counts."""
    bases: dict[int, dict[str, tuple[date, int]]] = {}
    events = db.session.execute(
        sa.select(ComplaintEvent.complaint_id, ComplaintEvent.data)
        .where(
            ComplaintEvent.complaint_id.in_(complaint_ids),
            ComplaintEvent.kind.in_(
                [EventKind.TRANSFERRED, EventKind.REOPENED, EventKind.ANSWERED]
            ),
        )
        .order_by(ComplaintEvent.id)
    )
    for complaint_id, data in events:
        data = data or {}
        for name in ("handling", "notification"):
            start, days = data.get(f"{name}_from"), data.get(f"{name}_days")
            if start and days is not None:
                bases.setdefault(complaint_id, {})[name] = (date.fromisoformat(start), int(days))
    return bases


def _changed(old: date | None, old_provisional: bool, new: Deadline) -> bool:
    return (old, old_provisional) != (new.date, new.provisional)


def _event(complaint, actor, name: str, old: date | None, new: Deadline, year, cause: str):
    add_event(
        complaint,
        EventKind.DEADLINE_RECOMPUTED,
        actor=actor,
        deadline=name,
        cause=cause,
        year=year,
        old_due=old.isoformat() if old else None,
        new_due=new.date.isoformat(),
        provisional=new.provisional,
    )


def recompute_provisional(*, year: int | None = None, actor=None) -> int:
    """Recount every complaint's provisional deadlines; returns how many changed."""
    return _recompute(
        sa.or_(
            Complaint.handling_due_provisional.is_(True),
            Complaint.notification_due_provisional.is_(True),
        ),
        year=year,
        actor=actor,
        cause="official_year",
    )


def recompute_year(year: int, *, actor=None) -> int:
    """Recount every deadline whose count may include a day of ``year``; returns how many changed."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return _recompute(
        sa.and_(
            Complaint.received_on <= last,
            sa.or_(Complaint.handling_due >= first, Complaint.notification_due >= first),
        ),
        year=year,
        actor=actor,
        cause="calendar_changed",
    )


def _recompute(condition, *, year: int | None, actor, cause: str) -> int:
    complaints = db.session.scalars(
        sa.select(Complaint)
        .where(condition)
        .order_by(Complaint.id)
        .options(so.selectinload(Complaint.item).selectinload(ApprovalItem.steps))
    ).all()
    if not complaints:
        return 0
    calendar = database_calendar()
    bases = _bases([c.id for c in complaints])
    changed = 0
    for complaint in complaints:
        step = complaint_step_of(complaint.item)
        basis = bases.get(complaint.id, {})
        if complaint.handling_due is not None:
            start, days = basis.get("handling", (complaint.received_on, handling_days(step)))
            new = calendar.add_working_days(start, days)
            if _changed(complaint.handling_due, complaint.handling_due_provisional, new):
                _event(complaint, actor, "handling", complaint.handling_due, new, year, cause)
                complaint.handling_due, complaint.handling_due_provisional = new
                if complaint.answered_at is not None and complaint.status in ANSWERED_OR_LATER:
                    complaint.answered_on_time = local_date(complaint.answered_at) <= new.date
                changed += 1
        if complaint.notification_due is not None:
            fallback = (
                local_date(complaint.answered_at) if complaint.answered_at else None,
                notification_days(step),
            )
            start, days = basis.get("notification", fallback)
            if start is None:
                continue
            new = calendar.add_working_days(start, days)
            if _changed(complaint.notification_due, complaint.notification_due_provisional, new):
                old = complaint.notification_due
                _event(complaint, actor, "notification", old, new, year, cause)
                complaint.notification_due, complaint.notification_due_provisional = new
                if complaint.notified_at is not None:
                    complaint.notified_on_time = local_date(complaint.notified_at) <= new.date
                db.session.execute(
                    sa.update(Notification)
                    .where(
                        Notification.complaint_id == complaint.id,
                        Notification.status.in_(
                            [NotificationStatus.PENDING, NotificationStatus.FAILED]
                        ),
                    )
                    .values(due_on=new.date)
                )
                changed += 1
    if changed:
        audit.record(
            "complaint.deadlines_recomputed",
            "calendar_year",
            year,
            actor=actor,
            changed=changed,
            cause=cause,
        )
    db.session.flush()
    return changed
