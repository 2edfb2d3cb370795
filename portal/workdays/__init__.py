"""The working-day calendar (工作日) that statutory time limits are counted in.

Public API, used by the complaints feature::

    from portal.workdays import (
        Deadline, add_working_days, is_working_day, local_date, year_status, official_year_entered,
    )

``official_year_entered`` is a blinker signal sent (sender: the Flask app) with ``year=`` and
``actor=`` when an administrator marks a year's days official, inside the request's transaction,
after the days are flushed: listeners recompute their provisional deadlines there and then.
``calendar_changed`` (same arguments) is sent on every change of an override day and on marking.
"""

from __future__ import annotations

from datetime import date

from blinker import Namespace

from portal.workdays.calendar import (
    OFFICIAL_ADMIN,
    OFFICIAL_PACKAGE,
    PROVISIONAL,
    Deadline,
    WorkCalendar,
    local_date,
)
from portal.workdays.store import database_calendar

__all__ = [
    "OFFICIAL_ADMIN",
    "OFFICIAL_PACKAGE",
    "PROVISIONAL",
    "Deadline",
    "WorkCalendar",
    "add_working_days",
    "calendar_changed",
    "is_working_day",
    "local_date",
    "official_year_entered",
    "year_status",
]

_signals = Namespace()
official_year_entered = _signals.signal("official-year-entered")
calendar_changed = _signals.signal("calendar-changed")


def add_working_days(start: date, days: int) -> Deadline:
    """The day ``days`` working days after ``start`` (not counted); 0 gives ``start`` itself.

    The result is provisional when a day counted through (``start`` + 1 … result; ``start`` when
    ``days`` is 0) lies in a year that neither chinesecalendar nor an administrator made official.
    """
    return database_calendar().add_working_days(start, days)


def is_working_day(day: date) -> bool:
    return database_calendar().is_working_day(day)


def year_status(year: int) -> str:
    """``"official-package"``, ``"official-admin"`` or ``"provisional"``."""
    return database_calendar().year_status(year)
