"""Thread view counts, buffered in the process and written apart from the reading request.

A GET must not write: on SQLite a write per page view is where "database is locked" begins, and
on PostgreSQL it turns every read into a row-locking transaction on a hot thread row. So a page
view only adds one to an in-process counter. ``flush_view_counts()`` writes the buffered counts
in one short transaction on a connection of its own (never the request's session). It runs from
a ``teardown_request`` callback (after the response is built and the request's transaction has
ended) once ``KAIMEN_FORUM_VIEW_FLUSH_EVERY`` views have gathered or the oldest buffered view is
``KAIMEN_FORUM_VIEW_FLUSH_SECONDS`` old. The cost of the choice: each worker process keeps its own
buffer, and a crashed worker loses at most that many views — acceptable for a popularity figure.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import sqlalchemy as sa
from flask import Flask, current_app

from forum.models import Thread
from portal.extensions import db

DEFAULT_FLUSH_EVERY = 50
DEFAULT_FLUSH_SECONDS = 60.0

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_oldest: float | None = None


def count_view(thread_id: int) -> None:
    """Remember one view of a thread; nothing is written now."""
    global _oldest
    with _lock:
        _pending[thread_id] += 1
        if _oldest is None:
            _oldest = time.monotonic()


def pending_views(thread_id: int) -> int:
    with _lock:
        return _pending[thread_id]


def _due() -> bool:
    every = current_app.config.get("KAIMEN_FORUM_VIEW_FLUSH_EVERY", DEFAULT_FLUSH_EVERY)
    seconds = current_app.config.get("KAIMEN_FORUM_VIEW_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS)
    with _lock:
        if not _pending:
            return False
        return sum(_pending.values()) >= every or time.monotonic() - (_oldest or 0) >= seconds


def flush_view_counts() -> int:
    """Add the buffered views to the threads, in a short transaction of their own. Returns views written."""
    global _oldest
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _oldest = None
    if not batch:
        return 0
    table = Thread.__table__
    with db.engine.begin() as connection:
        for thread_id, views in sorted(batch.items()):
            connection.execute(
                sa.update(table)
                .where(table.c.id == thread_id)
                .values(view_count=table.c.view_count + views)
            )
    return sum(batch.values())


def install(app: Flask) -> None:
    """Flush buffered views after a request once enough have gathered."""

    @app.teardown_request
    def _flush_when_due(error=None):
        # After an unhandled error the request's transaction may still hold row locks that the
        # flush would wait for; the views wait for the next request instead.
        if error is None and _due():
            try:
                flush_view_counts()
            except sa.exc.SQLAlchemyError:
                current_app.logger.exception("could not write buffered thread views")
