"""Reading consultations for lists outside their own pages (the home page)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.consultations.models import Consultation, State
from forum.models import Thread
from portal.db import utcnow
from portal.extensions import db


def latest_in_state(state: State, limit: int) -> list[Consultation]:
    """Consultations in ``state`` now, the soonest to close first."""
    return list(
        db.session.scalars(
            sa.select(Consultation)
            .join(Thread, Thread.id == Consultation.thread_id)
            .where(Thread.deleted_at.is_(None), Consultation.state_clause(state, utcnow()))
            .options(so.contains_eager(Consultation.thread), so.joinedload(Consultation.item))
            .order_by(Consultation.closes_at, Consultation.id)
            .limit(limit)
        )
    )
