"""Calendar use cases: add and remove override days, mark a year official, list a year's days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import chinese_calendar
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext as _

from portal import audit
from portal.db import utcnow
from portal.editing import EditError
from portal.extensions import db
from portal.workdays import calendar_changed, official_year_entered
from portal.workdays.calendar import (
    OFFICIAL_ADMIN,
    OFFICIAL_PACKAGE,
    PROVISIONAL,
    package_knows,
    rule_holidays,
)
from portal.workdays.models import CalendarDay, CalendarYear, DayKind
from portal.workdays.store import database_calendar

NAME_MAX = 100
SOURCE_MAX = 200
# The years an administrator may edit: wide enough for any real deadline.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class CalendarError(EditError):
    """A refused calendar change, with the form field it is about."""


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarError(
            _("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            field="day",
        )


def add_day(day: date, kind: DayKind, name: str, *, actor) -> CalendarDay:
    """Record an override; it beats the package and the rules for that date."""
    _check_year(day.year)
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise CalendarError(_("At most %(max)d characters.", max=NAME_MAX), field="name")
    existing = db.session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day))
    if existing is not None:
        raise CalendarError(
            _(
                "%(date)s already has an entry (%(kind)s): remove it first.",
                date=day.isoformat(),
                kind=existing.kind.label,
            ),
            field="day",
        )
    entry = CalendarDay(day=day, kind=kind, name=name, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "calendar.day.add",
        "calendar_day",
        entry.id,
        actor=actor,
        date=day.isoformat(),
        kind=kind.value,
        name=name,
    )
    calendar_changed.send(current_app._get_current_object(), year=day.year, actor=actor)
    return entry


def remove_day(entry: CalendarDay, *, actor) -> None:
    audit.record(
        "calendar.day.remove",
        "calendar_day",
        entry.id,
        actor=actor,
        date=entry.day.isoformat(),
        kind=entry.kind.value,
        name=entry.name,
    )
    year = entry.day.year
    db.session.delete(entry)
    db.session.flush()
    calendar_changed.send(current_app._get_current_object(), year=year, actor=actor)


def get_year(year: int) -> CalendarYear | None:
    return db.session.scalar(sa.select(CalendarYear).where(CalendarYear.year == year))


def mark_official(year: int, source: str, *, actor) -> CalendarYear:
    """Declare the year's override days complete, from the State Council notice ``source``.

    From then on the year's working days are Monday to Friday except the override days, and its
    deadlines are no longer provisional; ``official_year_entered`` tells the listeners.
    """
    _check_year(year)
    source = (source or "").strip()
    if not source:
        raise CalendarError(_("Name the notice the days come from."), field="source")
    if len(source) > SOURCE_MAX:
        raise CalendarError(_("At most %(max)d characters.", max=SOURCE_MAX), field="source")
    if package_knows(year):
        raise CalendarError(
            _("chinesecalendar already carries the official calendar of %(year)d.", year=year),
            field="source",
        )
    record = get_year(year)
    if record is not None and record.official:
        raise CalendarError(_("%(year)d is already official.", year=year), field="source")
    if record is None:
        record = CalendarYear(year=year)
        db.session.add(record)
    record.official = True
    record.source = source
    record.marked_official_at = utcnow()
    record.marked_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("calendar.year.official", "calendar_year", year, actor=actor, source=source)
    app = current_app._get_current_object()
    calendar_changed.send(app, year=year, actor=actor)
    official_year_entered.send(app, year=year, actor=actor)
    return record


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSummary:
    year: int
    status: str
    record: CalendarYear | None
    overrides: int


def years_overview(around: int) -> list[YearSummary]:
    """The years around ``around`` (−1 … +2) and every year with overrides or a record."""
    counts = dict(
        db.session.execute(
            sa.select(
                sa.func.extract("year", CalendarDay.day).label("year"), sa.func.count()
            ).group_by("year")
        ).all()
    )
    counts = {int(year): count for year, count in counts.items()}
    records = {
        r.year: r
        for r in db.session.scalars(
            sa.select(CalendarYear).options(so.joinedload(CalendarYear.marked_by))
        )
    }
    years = set(range(around - 1, around + 3)) | set(counts) | set(records)
    return [
        YearSummary(
            year,
            OFFICIAL_ADMIN
            if year in records and records[year].official
            else OFFICIAL_PACKAGE
            if package_knows(year)
            else PROVISIONAL,
            records.get(year),
            counts.get(year, 0),
        )
        for year in sorted(years)
    ]


@dataclass(frozen=True)
class ListedDay:
    day: date
    working: bool
    name: str
    source: str  # "override" | "package" | "rules"
    entry: CalendarDay | None = None


def _package_days(year: int, chinese: bool) -> list[ListedDay]:
    names = {h.value: (h.chinese if chinese else h.value) for h in chinese_calendar.Holiday}
    listed = [
        ListedDay(d, False, names.get(n, n), "package")
        for d, n in chinese_calendar.holidays.items()
        if d.year == year
    ]
    listed += [
        ListedDay(d, True, names.get(n, n), "package")
        for d, n in chinese_calendar.workdays.items()
        if d.year == year
    ]
    return listed


def year_days(year: int, *, chinese: bool = True) -> list[ListedDay]:
    """The year's holidays and make-up working days, overrides first, by date."""
    entries = db.session.scalars(
        sa.select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    listed = {
        entry.day: ListedDay(entry.day, entry.is_working_day, entry.name, "override", entry)
        for entry in entries
    }
    if year in database_calendar().official_years():
        others: list[ListedDay] = []
    elif package_knows(year):
        others = _package_days(year, chinese)
    else:
        language = "zh_CN" if chinese else "en_US"
        others = [
            ListedDay(d, False, name, "rules") for d, name in rule_holidays(year, language).items()
        ]
    for item in others:
        listed.setdefault(item.day, item)
    return [listed[d] for d in sorted(listed)]
