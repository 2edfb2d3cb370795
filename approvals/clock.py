"""The Administrative Licensing Law's clock (行政许可法), on the working-day calendar.

Every due date counts working days from a start day that is not itself counted
(``portal.workdays``: 调休 days count, weekends and holidays do not; provisional past the known
calendar):

* **acceptance** — the acceptance step's limit (the law: 5 working days, 第三十二条) from the day
  the materials were complete (``complete_on``: the receipt day, or the day a correction was
  complete). Without a correction notice in that time the application counts as accepted on that
  day (``approvals.deadlines``).
* **decision** — from the day of acceptance: the promised limit (承诺时限: the spec's
  ``promised_limit_days``, else the sum of the review steps' limits) and the statutory limit
  (法定时限: ``statutory_limit_days``, the law's default 20, 第四十二条). Working days of a
  suspension are not counted and an extension adds its days: both dues are
  ``limit + suspended_days + extension_days`` working days from acceptance.
* **a task** — its step's limit from the day it is created, plus the working days of any
  suspension it lived through (``extra_days``).
* **delivery** — 10 working days from the decision (第四十四条).

The stored dates are recomputed from these facts (``recompute``) when the calendar changes.
"""

from __future__ import annotations

from datetime import date, timedelta

from approvals import snapshot as spec
from approvals.application_models import Application, ApplicationTask
from disclosure.catalog.models import StepKind
from portal.workdays import Deadline, WorkCalendar
from portal.workdays.store import database_calendar

ACCEPTANCE_DEFAULT_DAYS = 5
STATUTORY_DEFAULT_DAYS = 20
DELIVERY_DAYS = 10
MAX_EXTENSION_DAYS = 10


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else database_calendar()


def add(start: date, days: int, calendar: WorkCalendar | None = None) -> Deadline:
    return _calendar(calendar).add_working_days(start, max(0, days))


def working_days_between(start: date, end: date, calendar: WorkCalendar | None = None) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if end ≤ start)."""
    if end <= start:
        return 0
    calendar = _calendar(calendar)
    calendar.load(start, end)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


# --- the limits of a snapshot ------------------------------------------------------------------


def acceptance_days(snapshot: dict) -> int:
    step = spec.step(snapshot, StepKind.ACCEPTANCE)
    days = step.get("time_limit_days") if step else None
    return int(days) if days else ACCEPTANCE_DEFAULT_DAYS


def promised_days(snapshot: dict) -> int:
    promised = snapshot.get("promised_limit_days")
    if promised:
        return int(promised)
    return sum(int(s.get("time_limit_days") or 0) for s in spec.review_chain(snapshot))


def statutory_days(snapshot: dict) -> int:
    return int(snapshot.get("statutory_limit_days") or STATUTORY_DEFAULT_DAYS)


def step_days(step: dict) -> int:
    return int(step.get("time_limit_days") or 0)


# --- setting the dues --------------------------------------------------------------------------


def set_acceptance_due(application: Application, calendar: WorkCalendar | None = None) -> Deadline:
    due = add(application.complete_on, acceptance_days(application.spec_snapshot), calendar)
    application.acceptance_due, application.acceptance_due_provisional = due
    return due


def set_decision_dues(application: Application, calendar: WorkCalendar | None = None) -> None:
    """Promised and statutory dues from acceptance, moved by suspensions and extensions."""
    snapshot = application.spec_snapshot
    extra = (application.suspended_days or 0) + (application.extension_days or 0)
    calendar = _calendar(calendar)
    promised = add(application.accepted_on, promised_days(snapshot) + extra, calendar)
    statutory = add(application.accepted_on, statutory_days(snapshot) + extra, calendar)
    application.decision_due, application.decision_due_provisional = promised
    application.statutory_due, application.statutory_due_provisional = statutory


def set_delivery_due(application: Application, calendar: WorkCalendar | None = None) -> None:
    due = add(application.decided_on, DELIVERY_DAYS, calendar)
    application.delivery_due, application.delivery_due_provisional = due


def set_task_due(task: ApplicationTask, calendar: WorkCalendar | None = None) -> None:
    due = add(task.started_on, (task.limit_days or 0) + (task.extra_days or 0), calendar)
    task.due_on, task.due_provisional = due


# --- recomputing -------------------------------------------------------------------------------

DUE_FIELDS = ("acceptance_due", "decision_due", "statutory_due", "delivery_due")


def recompute(
    application: Application, tasks: list[ApplicationTask], calendar: WorkCalendar | None = None
) -> list[dict]:
    """Count every stored due date of ``application`` (and its open ``tasks``) again; returns the
    changes as ``{"deadline", "old_due", "new_due", "provisional"}``."""
    calendar = _calendar(calendar)
    before = {
        name: (getattr(application, name), getattr(application, f"{name}_provisional"))
        for name in DUE_FIELDS
    }
    if application.acceptance_due is not None and application.complete_on is not None:
        set_acceptance_due(application, calendar)
    if application.accepted_on is not None and application.decision_due is not None:
        set_decision_dues(application, calendar)
    if application.decided_on is not None and application.delivery_due is not None:
        set_delivery_due(application, calendar)
    changes = []
    for name in DUE_FIELDS:
        after = (getattr(application, name), getattr(application, f"{name}_provisional"))
        if after != before[name]:
            changes.append(_change(name, before[name][0], after))
    for task in tasks:
        old = (task.due_on, task.due_provisional)
        set_task_due(task, calendar)
        if (task.due_on, task.due_provisional) != old:
            changes.append(
                _change(f"task:{task.step_kind}", old[0], (task.due_on, task.due_provisional))
            )
    return changes


def _change(name: str, old: date | None, new: tuple[date | None, bool]) -> dict:
    return {
        "deadline": name,
        "old_due": old.isoformat() if old else None,
        "new_due": new[0].isoformat() if new[0] else None,
        "provisional": new[1],
    }
