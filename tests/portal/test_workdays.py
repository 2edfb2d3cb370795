"""Working-day arithmetic: the official 2026 calendar, the fallback, and administrators' overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.extensions import db
from portal.workdays import (
    Deadline,
    add_working_days,
    is_working_day,
    local_date,
    official_year_entered,
    year_status,
)
from portal.workdays import services as calendar
from portal.workdays.calendar import Overrides, WorkCalendar, no_overrides, package_knows
from portal.workdays.models import DayKind

# --- pure: the packages and rules, no database --------------------------------------------------


@pytest.fixture
def packages() -> WorkCalendar:
    return WorkCalendar(no_overrides)


def test_five_working_days_from_the_eve_of_national_day(packages):
    # 10-01…10-07 off (the 8th is a Thursday back at work), 10-10 (Saturday) is a make-up day.
    deadline = packages.add_working_days(date(2026, 9, 30), 5)
    assert deadline == Deadline(date(2026, 10, 13), provisional=False)
    assert packages.add_working_days(date(2026, 9, 30), 1).date == date(2026, 10, 8)
    assert packages.add_working_days(date(2026, 9, 30), 3).date == date(2026, 10, 10)


def test_a_complaint_received_on_the_make_up_day_counts_from_the_next_monday(packages):
    assert packages.is_working_day(date(2026, 10, 10))  # a Saturday, 调休
    assert date(2026, 10, 10).weekday() == 5
    assert packages.add_working_days(date(2026, 10, 10), 1) == Deadline(date(2026, 10, 12), False)


def test_the_day_of_receipt_is_not_counted_and_zero_days_is_the_day_itself(packages):
    # Friday 2026-11-27: one working day later is Monday.
    assert packages.add_working_days(date(2026, 11, 27), 1).date == date(2026, 11, 30)
    assert packages.add_working_days(date(2026, 11, 27), 0) == Deadline(date(2026, 11, 27), False)
    assert packages.add_working_days(date(2027, 3, 1), 0) == Deadline(date(2027, 3, 1), True)
    with pytest.raises(ValueError):
        packages.add_working_days(date(2026, 11, 27), -1)


def test_a_count_into_a_year_the_package_does_not_know_is_provisional(packages):
    assert not package_knows(2027)
    deadline = packages.add_working_days(date(2026, 12, 31), 1)
    # 2027-01-01 is New Year's Day (a Friday) by the rules; then the weekend.
    assert deadline == Deadline(date(2027, 1, 4), provisional=True)
    # Counting that stays inside 2026 is not.
    assert not packages.add_working_days(date(2026, 12, 1), 5).provisional


def test_the_fallback_knows_weekends_and_lunar_holidays_but_no_make_up_days(packages):
    assert packages.year_status(2027) == "provisional"
    assert not packages.is_working_day(date(2027, 2, 8))  # 春节 (Monday) by the lunar rules
    assert not packages.is_working_day(date(2027, 1, 9))  # a Saturday
    assert packages.is_working_day(date(2027, 3, 3))  # an ordinary Wednesday


@pytest.mark.parametrize("year", [1990, 2003, 2027, 2150])
def test_years_outside_the_package_never_raise(packages, year):
    assert not package_knows(year)
    assert packages.year_status(year) == "provisional"
    assert isinstance(packages.is_working_day(date(year, 6, 1)), bool)
    assert packages.add_working_days(date(year, 6, 1), 3).provisional


def test_the_end_of_the_calendar_is_an_error_not_a_crash(packages):
    with pytest.raises(ValueError):
        packages.add_working_days(date(9999, 12, 30), 5)


def test_the_package_years_are_asked_not_assumed():
    assert package_knows(2004) and package_knows(2026)
    assert not package_knows(2003) and not package_knows(0) and not package_knows(10000)


def test_overrides_beat_the_package_and_are_loaded_once_per_range():
    calls = []

    def loader(first, last):
        calls.append((first, last))
        return Overrides({date(2026, 10, 13): False}, frozenset())

    cal = WorkCalendar(loader)
    # With 10-13 made a holiday, the fifth working day moves to 10-14.
    assert cal.add_working_days(date(2026, 9, 30), 5).date == date(2026, 10, 14)
    assert cal.add_working_days(date(2026, 9, 30), 30).date > date(2026, 11, 5)
    assert len(calls) == 2  # one range for 5 days, a longer one for 30


def test_an_official_year_of_an_administrator_drops_the_rules():
    holiday = date(2027, 1, 1)
    make_up = date(2027, 1, 2)  # a Saturday
    cal = WorkCalendar(
        lambda first, last: Overrides({holiday: False, make_up: True}, frozenset({2027}))
    )
    assert cal.year_status(2027) == "official-admin"
    assert cal.add_working_days(date(2026, 12, 31), 1) == Deadline(make_up, provisional=False)
    # 2027-02-08 is 春节 by the rules, but the administrator did not enter it: a working day.
    assert cal.is_working_day(date(2027, 2, 8))


def test_local_date_is_the_date_in_shanghai():
    assert local_date(datetime(2026, 11, 25, 16, 30, tzinfo=UTC)) == date(2026, 11, 26)
    assert local_date(datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)) == date(2026, 11, 25)
    new_york = timezone(timedelta(hours=-5))
    assert local_date(datetime(2026, 11, 25, 11, 0, tzinfo=new_york)) == date(2026, 11, 26)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 11, 25, 12, 0))


# --- through the database -----------------------------------------------------------------------


def test_public_api_reads_the_administrators_overrides(app, admin):
    assert is_working_day(date(2026, 10, 12))
    calendar.add_day(date(2026, 10, 12), DayKind.HOLIDAY, "临时休假", actor=admin)
    db.session.commit()
    assert not is_working_day(date(2026, 10, 12))
    # An override on a 2026 date beats chinesecalendar: 10-10 is still a make-up day, 10-12 off.
    assert add_working_days(date(2026, 10, 10), 1) == Deadline(date(2026, 10, 13), False)
    assert year_status(2026) == "official-package"


def test_entering_and_marking_a_year_makes_its_deadlines_official(app, admin):
    received = []

    def listener(sender, year, actor):
        received.append((year, actor.id, add_working_days(date(2026, 12, 31), 1)))

    before = add_working_days(date(2026, 12, 31), 1)
    assert before == Deadline(date(2027, 1, 4), provisional=True)
    assert year_status(2027) == "provisional"

    calendar.add_day(date(2027, 1, 1), DayKind.HOLIDAY, "元旦", actor=admin)
    calendar.add_day(date(2027, 1, 4), DayKind.HOLIDAY, "元旦（调休）", actor=admin)
    calendar.add_day(date(2027, 1, 9), DayKind.WORKDAY, "元旦调休上班", actor=admin)
    with official_year_entered.connected_to(listener):
        calendar.mark_official(2027, "国办发明电〔2026〕7号", actor=admin)
    db.session.commit()

    expected = Deadline(date(2027, 1, 5), provisional=False)
    assert received == [(2027, admin.id, expected)]
    assert add_working_days(date(2026, 12, 31), 1) == expected
    assert add_working_days(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 9), False)
    assert year_status(2027) == "official-admin"


def test_counting_thirty_working_days_runs_a_handful_of_queries(app, admin, count_queries):
    calendar.add_day(date(2026, 12, 1), DayKind.HOLIDAY, "", actor=admin)
    db.session.commit()
    with count_queries() as counter:
        deadline = add_working_days(date(2026, 11, 20), 30)
    assert counter.count <= 2
    assert deadline.date == date(2027, 1, 5)  # 12-01 off; 01-01 and the weekend by the rules
    assert deadline.provisional


def test_the_cli_shows_a_year(app, runner):
    result = runner.invoke(args=["calendar", "show", "2026"])
    assert result.exit_code == 0, result.output
    assert "2026-10-10" in result.output and "国庆节" in result.output
    assert runner.invoke(args=["calendar", "show", "1800"]).exit_code == 2
