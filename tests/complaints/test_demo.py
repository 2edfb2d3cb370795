"""The demo complaints: every state, several departments, some overdue; loading twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from complaints.demo import load_complaints_demo
from complaints.models import Complaint, ComplaintStatus
from disclosure.catalog.demo import load_catalog_demo
from portal.db import utcnow
from portal.demo import DEMO_DOMAIN, ensure_demo_accounts
from portal.extensions import db
from portal.workdays import local_date


def test_demo_complaints_cover_every_state(app):
    ensure_demo_accounts("demo-password-1")
    load_catalog_demo(officer_email=f"officer@{DEMO_DOMAIN}")
    load_complaints_demo()
    db.session.commit()

    complaints = db.session.scalars(sa.select(Complaint)).all()
    assert {c.status for c in complaints} == set(ComplaintStatus)
    assert len({c.department_id for c in complaints}) >= 5
    today = local_date(utcnow())
    overdue = [
        c for c in complaints if c.status == ComplaintStatus.ASSIGNED and c.handling_due < today
    ]
    assert overdue
    assert any(
        c.status == ComplaintStatus.ANSWERED and c.notification_due < today for c in complaints
    )
    assert any(c.rating for c in complaints)

    load_complaints_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == len(complaints)
