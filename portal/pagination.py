"""Keyset pagination: pages that cost the same at the ten-thousandth page as at the first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.extensions import db


@dataclass
class KeysetPage:
    items: list[Any]
    next_before: int | None  # pass as ?before= to get the next (older) page
    is_first: bool


def newest_first(
    stmt: sa.Select, key: sa.ColumnElement[int], before: int | None, per_page: int
) -> KeysetPage:
    """Rows of ``stmt`` ordered by ``key`` descending, starting below ``before``."""
    if before is not None:
        stmt = stmt.where(key < before)
    rows = list(db.session.scalars(stmt.order_by(key.desc()).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_before = getattr(rows[-1], key.key) if more and rows else None
    return KeysetPage(items=rows, next_before=next_before, is_first=before is None)


def before_arg(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
