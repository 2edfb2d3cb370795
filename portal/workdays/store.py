"""The database side of the calendar: load the administrators' overrides for a date range."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.workdays.calendar import Overrides, WorkCalendar
from portal.workdays.models import CalendarDay, CalendarYear, DayKind


def load_overrides(first: date, last: date) -> Overrides:
    """Two queries: the override days of ``first``…``last`` and the years marked official."""
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.kind).where(
            CalendarDay.day >= first, CalendarDay.day <= last
        )
    ).all()
    years = db.session.scalars(sa.select(CalendarYear.year).where(CalendarYear.official)).all()
    return Overrides({day: kind is DayKind.WORKDAY for day, kind in rows}, frozenset(years))


def database_calendar() -> WorkCalendar:
    """A calendar reading the current database session (one per computation: it caches)."""
    return WorkCalendar(load_overrides)
