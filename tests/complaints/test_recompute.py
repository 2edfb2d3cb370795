"""Provisional deadlines are recomputed when an administrator makes the year official."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from complaints import officer
from complaints.models import ComplaintEvent, EventKind
from portal.extensions import db
from portal.workdays import add_working_days
from portal.workdays.models import DayKind
from portal.workdays.services import add_day, mark_official
from tests.complaints.officer_world import reload, signed_in

FILED = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday


def recomputed(complaint):
    return list(
        db.session.scalars(
            sa.select(ComplaintEvent)
            .where(
                ComplaintEvent.complaint_id == complaint.id,
                ComplaintEvent.kind == EventKind.DEADLINE_RECOMPUTED,
            )
            .order_by(ComplaintEvent.id)
        )
    )


def make_2027_official(admin):
    # Pretend the State Council gives 2027-01-04 off as well: the count must move by a day.
    add_day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦", actor=admin)
    add_day(date(2027, 1, 4), DayKind.HOLIDAY, "元旦调休", actor=admin)
    mark_official(2027, "国办发明电〔2026〕7号", actor=admin)
    db.session.commit()


def test_crossing_into_an_unofficial_year_is_provisional_then_recomputed(
    make_complaint, admin, client, complainant
):
    with time_machine.travel(FILED, tick=False):
        complaint = make_complaint()
    assert complaint.received_on == date(2026, 12, 28)
    assert complaint.handling_due.year == 2027
    assert complaint.handling_due_provisional is True
    before = complaint.handling_due

    make_2027_official(admin)
    complaint = reload(complaint)
    expected = add_working_days(date(2026, 12, 28), 5)
    assert expected.provisional is False
    assert complaint.handling_due == expected.date == date(2027, 1, 6)
    assert complaint.handling_due_provisional is False
    [event] = recomputed(complaint)
    assert event.data["old_due"] == before.isoformat()
    assert event.data["new_due"] == "2027-01-06"
    assert event.internal is False

    # The complainant sees it on the timeline.
    page = signed_in(client, complainant).get(f"/complaints/{complaint.tracking_number}")
    assert "Deadline recomputed" in page.get_data(as_text=True)


def test_notification_deadline_is_recomputed_too(make_complaint, admin, holder):
    with time_machine.travel(FILED, tick=False):
        complaint = make_complaint(notification_method="phone")
    with time_machine.travel(datetime(2026, 12, 30, 2, 0, tzinfo=UTC), tick=False):
        officer.answer(complaint, holder, "答复")
        db.session.commit()
    assert complaint.notification_due_provisional is True
    make_2027_official(admin)
    complaint = reload(complaint)
    assert complaint.notification_due == add_working_days(date(2026, 12, 30), 3).date
    assert complaint.notification_due == date(2027, 1, 6)
    assert complaint.notification_due_provisional is False
    kinds = [e.data["deadline"] for e in recomputed(complaint)]
    assert kinds == ["handling", "notification"]


def test_official_deadlines_are_left_alone(make_complaint, admin):
    complaint = make_complaint()  # filed today: 2026 is in chinesecalendar
    due = complaint.handling_due
    make_2027_official(admin)
    complaint = reload(complaint)
    if complaint.handling_due.year < 2027:
        assert complaint.handling_due == due
        assert recomputed(complaint) == []
