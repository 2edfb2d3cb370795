"""The officers' lists as queries: the queue of open tasks and a department's running applications.

Both are keyset-paged on ``(due date, id)``: a page is ``WHERE (due, id) > cursor ORDER BY due, id
LIMIT n + 1`` (on the index alone, in a subquery), one statement with its related rows joined, so page 10,000 costs what page 1 does
and a page runs the same statements whatever its length. Each is served by one index whose
leading columns are the equalities (``ix_application_tasks_queue``: position, status;
``ix_applications_department``: department, status) and whose last columns are the sort key, so
the databases read only the open tasks (running applications) past the cursor and never the
closed ones. ``bench/approvals_queue.py`` times them at 100,000 applications and prints the plans.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    TaskStatus,
)
from portal.extensions import db

QUEUE_PAGE = 25
DEPARTMENT_PAGE = 50

# What the department page lists: everything received and not finished.
RUNNING_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CORRECTION_REQUESTED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.SUSPENDED,
    ApplicationStatus.DECIDED,
)

Cursor = tuple[date, int]


def parse_cursor(value: str | None) -> Cursor | None:
    """``<due date>.<id>`` of the last row of the previous page, as the pages pass it."""
    if not value or "." not in value:
        return None
    day, _dot, row_id = value.partition(".")
    try:
        return date.fromisoformat(day), int(row_id)
    except ValueError:
        return None


def format_cursor(day: date, row_id: int) -> str:
    return f"{day.isoformat()}.{row_id}"


def queue_query(
    position_ids: Collection[int], after: Cursor | None = None, limit: int = QUEUE_PAGE + 1
) -> sa.Select:
    """Open tasks at ``position_ids``, earliest due first, after ``after``; with their
    application and position (joined: one statement).

    The page's ids are chosen first, from the index alone (it covers ``due_on, id``); only those
    rows are then read and joined. Joining before the sort would read every open task of the
    positions with its application (the first page of a long queue cost 3× the deep ones)."""
    ids = sa.select(ApplicationTask.id).where(
        ApplicationTask.position_id.in_(sorted(position_ids)),
        ApplicationTask.status == TaskStatus.OPEN,
    )
    if after is not None:
        ids = ids.where(sa.tuple_(ApplicationTask.due_on, ApplicationTask.id) > sa.tuple_(*after))
    ids = ids.order_by(ApplicationTask.due_on, ApplicationTask.id).limit(limit)
    return (
        sa.select(ApplicationTask)
        .where(ApplicationTask.id.in_(ids.scalar_subquery()))
        .options(
            so.joinedload(ApplicationTask.application, innerjoin=True),
            so.joinedload(ApplicationTask.position),
        )
        .order_by(ApplicationTask.due_on, ApplicationTask.id)
    )


def department_query(
    department_id: int,
    after: Cursor | None = None,
    *,
    overdue_on: date | None = None,
    limit: int = DEPARTMENT_PAGE + 1,
) -> sa.Select:
    """A department's running applications by ``next_due`` (acceptance due while not accepted,
    then decision due), after ``after``; with ``overdue_on`` only those due before that day.
    As for the queue, the page's ids come from the index alone, then only those rows are read."""
    ids = sa.select(Application.id).where(
        Application.department_id == department_id,
        Application.status.in_(RUNNING_STATUSES),
    )
    if overdue_on is not None:
        ids = ids.where(Application.next_due < overdue_on)
    if after is not None:
        ids = ids.where(sa.tuple_(Application.next_due, Application.id) > sa.tuple_(*after))
    ids = ids.order_by(Application.next_due, Application.id).limit(limit)
    return (
        sa.select(Application)
        .where(Application.id.in_(ids.scalar_subquery()))
        .order_by(Application.next_due, Application.id)
    )


@dataclass
class Page:
    items: list[Any]
    next_after: str | None  # pass as ?after= for the next page


def page(stmt: sa.Select, per_page: int, due: str) -> Page:
    """Run a query built with ``limit=per_page + 1``; the extra row only tells there is more."""
    rows = list(db.session.scalars(stmt))
    more = len(rows) > per_page
    rows = rows[:per_page]
    last = rows[-1] if more and rows else None
    return Page(rows, format_cursor(getattr(last, due), last.id) if last is not None else None)
