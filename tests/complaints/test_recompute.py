"""Stored deadlines are recomputed when an administrator makes a year official or changes a day
of the calendar — for open and closed complaints alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from complaints import officer
from complaints.models import ComplaintEvent, EventKind
from portal.extensions import db
from portal.workdays import add_working_days
from portal.workdays.models import DayKind
from portal.workdays.services import add_day, mark_official, remove_day
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
    # Entering 2027-01-04 moved the provisional date; marking the year official made it final.
    moved, final = recomputed(complaint)
    assert (moved.data["old_due"], moved.data["new_due"]) == (before.isoformat(), "2027-01-06")
    assert moved.data["provisional"] is True and moved.data["cause"] == "calendar_changed"
    assert final.data["new_due"] == "2027-01-06" and final.data["provisional"] is False
    assert final.internal is False

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
    last = {e.data["deadline"]: e for e in recomputed(complaint)}
    assert set(last) == {"handling", "notification"}
    assert last["notification"].data["new_due"] == "2027-01-06"
    assert last["notification"].data["provisional"] is False


def test_official_deadlines_are_left_alone(make_complaint, admin):
    with time_machine.travel(datetime(2026, 11, 2, 2, 0, tzinfo=UTC), tick=False):
        complaint = make_complaint()  # 2026 is in chinesecalendar: an official deadline
    assert complaint.handling_due == date(2026, 11, 9)
    assert complaint.handling_due_provisional is False
    make_2027_official(admin)
    complaint = reload(complaint)
    assert complaint.handling_due == date(2026, 11, 9)
    assert recomputed(complaint) == []


NOVEMBER = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Shanghai


def test_correcting_a_day_of_an_official_year_recomputes_with_an_event(
    make_complaint, admin, holder
):
    with time_machine.travel(NOVEMBER, tick=False):
        complaint = make_complaint()
    assert complaint.handling_due == date(2026, 11, 9)  # 5 working days: Tue … next Mon
    entry = add_day(date(2026, 11, 4), DayKind.HOLIDAY, "临时停止办公", actor=admin)
    db.session.commit()
    complaint = reload(complaint)
    assert complaint.handling_due == date(2026, 11, 10)
    [event] = recomputed(complaint)
    assert event.data["cause"] == "calendar_changed" and event.data["year"] == 2026
    assert (event.data["old_due"], event.data["new_due"]) == ("2026-11-09", "2026-11-10")

    remove_day(entry, actor=admin)
    db.session.commit()
    complaint = reload(complaint)
    assert complaint.handling_due == date(2026, 11, 9)
    assert len(recomputed(complaint)) == 2


def test_closed_complaints_are_recomputed_too(make_complaint, admin, holder):
    with time_machine.travel(NOVEMBER, tick=False):
        complaint = make_complaint(notification_method="portal")
    with time_machine.travel(datetime(2026, 11, 10, 2, 0, tzinfo=UTC), tick=False):
        officer.answer(complaint, holder, "答复")  # a day late for 9 November
        officer.close(complaint, holder)
        db.session.commit()
    assert complaint.answered_on_time is False
    add_day(date(2026, 11, 4), DayKind.HOLIDAY, "临时停止办公", actor=admin)
    db.session.commit()
    complaint = reload(complaint)
    assert complaint.status.value == "closed"
    assert complaint.handling_due == date(2026, 11, 10)
    assert complaint.answered_on_time is True  # re-judged: statistics read it
    assert [e.data["deadline"] for e in recomputed(complaint)] == ["handling"]


def test_a_provisional_closed_complaint_is_recomputed_when_the_year_is_made_official(
    make_complaint, admin, holder
):
    with time_machine.travel(FILED, tick=False):
        complaint = make_complaint(notification_method="portal")
        officer.answer(complaint, holder, "答复")
        officer.close(complaint, holder)
        db.session.commit()
    assert complaint.handling_due_provisional is True
    make_2027_official(admin)
    complaint = reload(complaint)
    assert complaint.handling_due == date(2027, 1, 6)
    assert complaint.handling_due_provisional is False
    assert recomputed(complaint)
