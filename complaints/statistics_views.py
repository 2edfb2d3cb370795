"""The public statistics page: complaints by month of receipt, for all departments or one.

Open to everyone, visitors included. It shows counts only (see ``complaints.statistics``): no
complaint's subject, text, complainant or officer. Three queries whatever the number of
departments: the departments for the selector, the first year, and the year's GROUP BY.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from complaints.statistics import first_year, year_statistics
from complaints.views import bp
from disclosure.directory.models import Department
from portal.extensions import db
from portal.workdays.calendar import today

CHART_WIDTH = 240  # px: the longest bar, the busiest month's received complaints


FIRST_YEAR = 2000  # an earlier year in the address is a 404, as is one in the future


def _year(current: int) -> int:
    raw = request.args.get("year", "").strip()
    if not raw:
        return current
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= current:
        abort(404)
    return int(raw)


def bar(counts, biggest: int) -> dict:
    """SVG widths of one bar's parts: answered on time, overdue, the rest of the received."""

    def width(value: int) -> int:
        return round(CHART_WIDTH * value / biggest) if biggest else 0

    on_time, overdue, received = (
        width(counts.answered_on_time),
        width(counts.overdue),
        width(counts.received),
    )
    return {
        "on_time": on_time,
        "overdue": overdue,
        "rest": max(received - on_time - overdue, 0),
        "notified": width(counts.notified_on_time),
    }


@bp.route("/statistics")
def statistics():
    now = today()
    departments = list(
        db.session.scalars(sa.select(Department).order_by(Department.sort_order, Department.id))
    )
    department = None
    code = request.args.get("department", "").strip()
    if code:
        department = next((d for d in departments if d.code == code), None) or abort(404)
    year = _year(now.year)
    first = min(first_year() or now.year, now.year, year)
    stats = year_statistics(year, now, departments, department)
    biggest = stats.busiest_month
    busiest = max((counts.received for _d, counts in stats.by_department), default=0)
    return render_template(
        "complaints/statistics.html",
        stats=stats,
        department=department,
        place=department.full_name if department else _("All departments"),
        month_names=[format_date(date(year, month, 1), "LLLL") for month in range(1, 13)],
        years=list(range(now.year, first - 1, -1)),
        departments=departments,
        today=now,
        chart_width=CHART_WIDTH,
        bars=[bar(counts, biggest) for counts in stats.months],
        department_bars=[bar(counts, busiest) for _d, counts in stats.by_department],
    )
