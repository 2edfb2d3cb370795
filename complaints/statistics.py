"""Public complaint statistics: per department and month of receipt, how complaints fared.

Every measure counts complaints by the month (Asia/Shanghai) in which they were received, so a
month's figures keep changing until its complaints are all answered and notified:

- received: complaints received in the month;
- due: those whose handling deadline has passed (it is before today) or that were answered;
- answered: those that have an answer;
- answered on time: answered on or before the handling deadline (``answered_on_time``);
- overdue: answered after the deadline, or still waiting for an answer after it;
- notified on time: the complainant was told the answer on or before the notification deadline.

One GROUP BY query over the year's range of ``ix_complaints_statistics`` answers a whole year
for every department at once; the page adds the months and departments up in Python. No
personal data and no complaint text ever leave this module: only counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date

import sqlalchemy as sa

from complaints.models import Complaint
from disclosure.directory.models import Department
from portal.extensions import db

__all__ = ["Counts", "YearStatistics", "first_year", "measure_rows", "year_statistics"]


@dataclass
class Counts:
    received: int = 0
    due: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    notified_on_time: int = 0

    def add(self, other: Counts) -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_percent(self) -> int | None:
        """Answered on time, as a share of the complaints that were due; None if none were."""
        return round(100 * self.answered_on_time / self.due) if self.due else None

    @property
    def waiting(self) -> int:
        """Received, not answered, and not overdue (yet): the rest of the bar."""
        return self.received - self.answered_on_time - self.overdue


MEASURES = tuple(f.name for f in fields(Counts))


@dataclass
class YearStatistics:
    year: int
    department: Department | None
    months: list[Counts] = field(default_factory=lambda: [Counts() for _ in range(12)])
    total: Counts = field(default_factory=Counts)
    # Every department that received a complaint in the year (all departments' view only).
    by_department: list[tuple[Department, Counts]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total.received == 0

    @property
    def busiest_month(self) -> int:
        return max((counts.received for counts in self.months), default=0)


def _count_if(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def measure_rows(year: int, today: date, department_id: int | None = None) -> sa.Select:
    """The one query: (department_id, month, *MEASURES) per department and month of ``year``."""
    answered = Complaint.answered_at.is_not(None)
    past_due = Complaint.handling_due < today
    query = (
        sa.select(
            Complaint.department_id,
            sa.extract("month", Complaint.received_on).label("month"),
            sa.func.count().label("received"),
            _count_if(sa.or_(answered, past_due)).label("due"),
            _count_if(answered).label("answered"),
            _count_if(Complaint.answered_on_time.is_(True)).label("answered_on_time"),
            _count_if(
                sa.or_(
                    Complaint.answered_on_time.is_(False),
                    sa.and_(Complaint.answered_at.is_(None), past_due),
                )
            ).label("overdue"),
            _count_if(Complaint.notified_on_time.is_(True)).label("notified_on_time"),
        )
        .where(
            Complaint.received_on >= date(year, 1, 1),
            Complaint.received_on < date(year + 1, 1, 1),
        )
        .group_by(Complaint.department_id, sa.extract("month", Complaint.received_on))
    )
    if department_id is not None:
        query = query.where(Complaint.department_id == department_id)
    return query


def first_year() -> int | None:
    """The year of the earliest complaint (the start of the year selector); None if none yet."""
    earliest = db.session.scalar(sa.select(sa.func.min(Complaint.received_on)))
    if isinstance(earliest, str):  # SQLite returns min() of a date column as text
        earliest = date.fromisoformat(earliest)
    return earliest.year if earliest else None


def year_statistics(
    year: int,
    today: date,
    departments: Iterable[Department],
    department: Department | None = None,
) -> YearStatistics:
    """The year's counts by month (and by department when ``department`` is None).

    ``departments`` are the ones the page already loaded (in display order) for its selector.
    """
    result = YearStatistics(year, department)
    by_id: dict[int, Counts] = {}
    rows = db.session.execute(measure_rows(year, today, department.id if department else None))
    for row in rows:
        counts = Counts(*(int(getattr(row, name)) for name in MEASURES))
        result.months[int(row.month) - 1].add(counts)
        result.total.add(counts)
        by_id.setdefault(row.department_id, Counts()).add(counts)
    if department is None:
        result.by_department = [(d, by_id[d.id]) for d in departments if d.id in by_id]
    return result
