"""Filing: what is refused and why, routing, stored deadlines, tracking numbers, the two emails."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from complaints import routing
from complaints.errors import ComplaintError
from complaints.intake import file_complaint, next_tracking_number
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintSequence,
    ComplaintStatus,
    EventKind,
)
from portal.audit import AuditEntry
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.complaints.conftest import COMPLAINT_DEFAULTS, complaint_step
from tests.conftest import make_user


def _events(complaint) -> list[EventKind]:
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent.kind)
            .where(ComplaintEvent.complaint_id == complaint.id)
            .order_by(ComplaintEvent.id)
        )
    )


def test_filed_about_an_item_goes_to_its_complaint_step_position(
    make_complaint, item, complaint_position
):
    complaint = make_complaint(details="**未说明理由** <script>alert(1)</script>")

    assert complaint.status == ComplaintStatus.ASSIGNED
    assert complaint.position_id == complaint_position.id
    assert complaint.department_id == item.department_id
    assert _events(complaint) == [EventKind.FILED, EventKind.ASSIGNED]
    assert "<strong>未说明理由</strong>" in complaint.details_html
    assert "<script" not in complaint.details_html
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "complaint.file"))
    assert entry.subject_id == complaint.id and entry.actor_id == complaint.complainant_id


def test_routing_uses_the_complaint_step_not_the_step_complained_about(
    make_complaint, item, complaint_position
):
    acceptance = next(s for s in item.steps if s.kind.value == "acceptance")
    assert acceptance.position_id != complaint_position.id

    complaint = make_complaint(step=acceptance)

    assert complaint.step_id == acceptance.id
    assert complaint.position_id == complaint_position.id


def test_without_a_step_position_the_department_default_takes_it(make_complaint, item, department):
    fallback = next(p for p in department.positions if p.code == "review")
    department.default_complaint_position = fallback
    complaint_step(item).position = None
    db.session.commit()

    complaint = make_complaint()

    assert complaint.position_id == fallback.id
    assert complaint.status == ComplaintStatus.ASSIGNED


def test_about_a_department_goes_to_its_default_position(
    make_complaint, department, complaint_position
):
    complaint = make_complaint(item=None, department=department)

    assert complaint.item_id is None
    assert complaint.position_id == complaint_position.id
    assert complaint.handling_due is not None


def test_with_no_position_anywhere_it_stays_received(
    make_complaint, department, complaint_position
):
    department.default_complaint_position = None
    db.session.commit()

    complaint = make_complaint(item=None, department=department)

    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.position_id is None
    assert _events(complaint) == [EventKind.FILED]
    # only the confirmation went out: there is nobody to tell
    kinds = db.session.scalars(sa.select(OutboundMessage.kind)).all()
    assert kinds == ["complaint_received"]


def test_route_prefers_the_step_then_the_department(item, department, complaint_position):
    step = complaint_step(item)
    assert routing.route(item, None, None) == complaint_position
    step.position = None
    department.default_complaint_position = None
    assert routing.route(item, None, None) is None
    assert routing.route(None, None, department) is None


def test_deadline_counts_working_days_after_receipt(make_complaint):
    """Filed on 2026-09-30 (a Wednesday before the National Day holiday): 5 working days land on
    2026-10-13 (10-01…10-08 are holidays, 10-09 and the make-up Saturday 10-10 count)."""
    with time_machine.travel(datetime(2026, 9, 30, 2, 0, tzinfo=UTC), tick=False):
        complaint = make_complaint()
    assert complaint.received_on == date(2026, 9, 30)
    assert complaint.handling_due == date(2026, 10, 13)
    assert complaint.handling_due_provisional is False


def test_received_on_is_the_shanghai_day(make_complaint):
    """23:30 UTC on 10-09 is 07:30 on Saturday 10-10 in Shanghai, a make-up working day."""
    with time_machine.travel(datetime(2026, 10, 9, 23, 30, tzinfo=UTC), tick=False):
        complaint = make_complaint()
    assert complaint.received_on == date(2026, 10, 10)
    assert complaint.tracking_number.startswith("TS20261010-")
    # 10-12 … 10-16 are the next five working days
    assert complaint.handling_due == date(2026, 10, 16)


def test_department_complaint_has_the_default_limit(make_complaint, department):
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, tzinfo=UTC), tick=False):
        complaint = make_complaint(item=None, department=department)
    assert routing.DEFAULT_HANDLING_DAYS == 15
    assert complaint.handling_due == date(2026, 11, 23)


def test_tracking_numbers_count_per_day(make_complaint):
    with time_machine.travel(datetime(2026, 11, 26, 3, 0, tzinfo=UTC), tick=False):
        first = make_complaint()
        second = make_complaint()
    with time_machine.travel(datetime(2026, 11, 27, 3, 0, tzinfo=UTC), tick=False):
        third = make_complaint()
    assert [first.tracking_number, second.tracking_number, third.tracking_number] == [
        "TS20261126-0001",
        "TS20261126-0002",
        "TS20261127-0001",
    ]


def test_ten_concurrent_filings_get_distinct_numbers(app, backend):
    if backend != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    day = date(2026, 11, 26)
    barrier = threading.Barrier(10)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def allocate():
        try:
            with app.app_context():
                barrier.wait()
                numbers.append(next_tracking_number(day))
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=allocate) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [f"TS20261126-{n:04d}" for n in range(1, 11)]
    assert db.session.get(ComplaintSequence, day).last == 10


def test_confirmation_and_officer_emails_are_queued(make_complaint, complainant, item):
    complaint = make_complaint()
    messages = {m.kind: m for m in db.session.scalars(sa.select(OutboundMessage))}
    confirmation = messages["complaint_received"]
    assert confirmation.recipients == [complainant.email]
    assert complaint.tracking_number in confirmation.subject
    assert f"http://kaimen.test/complaints/{complaint.tracking_number}" in confirmation.body_text
    officer = messages["complaint_assigned_officer"]
    assert officer.recipients == ["holder@linjiang.gov.example"]
    assert officer.cc == ["deputy@linjiang.gov.example"]
    assert complaint.subject in officer.subject
    for expected in (
        complaint.details_source,
        complaint.handling_due.isoformat(),
        item.name,
        item.code,
        f"/complaints/{complaint.tracking_number}",
    ):
        assert expected in officer.body_text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "  "}, "Give your complaint a subject."),
        ({"subject": "x" * 201}, "A subject has at most 200 characters."),
        ({"details": ""}, "Describe what happened."),
        ({"contact_name": ""}, "Give your name"),
        ({"contact_email": "not-an-address"}, "Enter a valid email address"),
        ({"notification_method": "pigeon"}, "Choose how you want to be told the answer."),
        ({"notification_method": "sms", "contact_phone": ""}, "Give a phone number"),
        ({"notification_method": "phone", "contact_phone": ""}, "Give a phone number"),
        ({"notification_method": "letter", "contact_address": ""}, "Give a postal address"),
        ({"item": None}, "Choose the approval item or the department"),
    ],
)
def test_intake_refuses_with_a_clear_message(make_complaint, overrides, message):
    with pytest.raises(ComplaintError, match=message):
        make_complaint(**overrides)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_a_step_of_another_item_is_refused(make_complaint, department):
    from tests.disclosure.factories import make_item

    other = make_item(department, code="LJ-STHJ-002", name="另一事项")
    db.session.commit()
    with pytest.raises(ComplaintError, match="Choose one of the steps of this approval item"):
        make_complaint(step=other.steps[0])


def test_an_unpublished_item_is_refused(make_complaint, item):
    from disclosure.catalog.models import ItemStatus

    item.status = ItemStatus.DRAFT
    db.session.commit()
    with pytest.raises(ComplaintError, match="not published"):
        make_complaint()


def test_an_unverified_account_cannot_file(item):
    unverified = make_user("new@example.com", verified=False)
    with pytest.raises(ComplaintError, match="Verify your email address"):
        file_complaint(unverified, item=item, **COMPLAINT_DEFAULTS)
