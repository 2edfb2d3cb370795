"""The moderators' queue of open reports, oldest first, keyset-paged on (created_at, id)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.models import Post, Report, Thread
from forum.views import Cursor
from portal.extensions import db

REPORTS_PER_PAGE = 50


@dataclass
class QueuePage:
    items: list[tuple[Post, list[Report]]]  # reported posts with their reports on this page
    older: str | None  # ?before= for the previous (older) page
    newer: str | None  # ?after= for the next (newer) page
    is_first: bool


def _cursor(report: Report) -> str:
    return str(Cursor(report.created_at, report.id))


def open_reports(
    board_ids: list[int] | None,
    after_arg: str | None = None,
    before_arg: str | None = None,
    per_page: int = REPORTS_PER_PAGE,
) -> QueuePage:
    """One page of open reports (newer than the ``?after=`` cursor, or older than ``?before=``),
    in one query. A post's reports stay together as long as they fall on the same page."""
    after = Cursor.parse(after_arg)
    before = None if after else Cursor.parse(before_arg)
    stmt = (
        sa.select(Report)
        .join(Post, Post.id == Report.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Report.resolved_at.is_(None))
        .options(
            so.joinedload(Report.reporter),
            so.joinedload(Report.post).joinedload(Post.author),
            so.joinedload(Report.post).joinedload(Post.thread).joinedload(Thread.board),
        )
    )
    if board_ids is not None:
        stmt = stmt.where(Thread.board_id.in_(board_ids))
    if before is not None:
        stmt = stmt.where(
            sa.or_(
                Report.created_at < before.at,
                sa.and_(Report.created_at == before.at, Report.id < before.id),
            )
        ).order_by(Report.created_at.desc(), Report.id.desc())
    else:
        if after is not None:
            stmt = stmt.where(
                sa.or_(
                    Report.created_at > after.at,
                    sa.and_(Report.created_at == after.at, Report.id > after.id),
                )
            )
        stmt = stmt.order_by(Report.created_at, Report.id)
    reports = list(db.session.scalars(stmt.limit(per_page + 1)))
    more = len(reports) > per_page
    reports = reports[:per_page]
    if before is not None:
        reports.reverse()
        has_older, has_newer = more, True
    else:
        has_older, has_newer = after is not None, more
    grouped: dict[int, tuple[Post, list[Report]]] = {}
    for report in reports:
        grouped.setdefault(report.post_id, (report.post, []))[1].append(report)
    return QueuePage(
        items=list(grouped.values()),
        older=_cursor(reports[0]) if has_older and reports else None,
        newer=_cursor(reports[-1]) if has_newer and reports else None,
        is_first=after is None and before is None,
    )
