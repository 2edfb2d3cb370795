"""A vacant position (no holder, no deputy) is skipped at routing; a complaint that reaches no
position stays RECEIVED and the department's supervisors (else the administrators) are asked to
route it."""

from __future__ import annotations

import sqlalchemy as sa

from complaints.models import ComplaintStatus
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.complaints.conftest import complaint_step


def mails(kind):
    return list(db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.kind == kind)))


def vacate(position):
    position.holder = None
    position.deputy = None
    db.session.commit()


def test_a_vacant_step_position_falls_back_to_the_department_default(
    make_complaint, item, department, complaint_position
):
    review = next(p for p in department.positions if p.code == "review")
    vacate(review)
    complaint_step(item).position = review
    db.session.commit()
    complaint = make_complaint()
    assert complaint.position_id == complaint_position.id
    assert complaint.status == ComplaintStatus.ASSIGNED
    [mail] = mails("complaint_assigned_officer")
    assert mail.recipients == ["holder@linjiang.gov.example"]


def test_nobody_to_route_to_mails_the_supervisors(
    make_complaint, complaint_position, supervisor, admin
):
    vacate(complaint_position)
    complaint = make_complaint()
    assert complaint.position_id is None
    assert complaint.status == ComplaintStatus.RECEIVED
    assert mails("complaint_assigned_officer") == []
    [mail] = mails("complaint_unrouted")
    assert mail.recipients == ["supervisor@linjiang.gov.example"]
    assert complaint.tracking_number in mail.subject
    assert f"/complaints/{complaint.tracking_number}" in mail.body_text
    assert "拒收" in mail.body_text  # the details, so they can judge where it belongs


def test_without_supervisors_the_administrators_are_asked(
    make_complaint, complaint_position, admin
):
    vacate(complaint_position)
    complaint = make_complaint()
    assert complaint.status == ComplaintStatus.RECEIVED
    [mail] = mails("complaint_unrouted")
    assert mail.recipients == [admin.email]
