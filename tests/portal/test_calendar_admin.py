"""The administrator's calendar pages: years, a year's days, overrides, marking a year official."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.extensions import db
from portal.workdays import Deadline, add_working_days, official_year_entered, year_status
from portal.workdays.models import CalendarDay, CalendarYear, DayKind
from tests.conftest import make_user
from tests.disclosure.admin_world import audit_entries, text

PAGES = ["/admin/calendar/", "/admin/calendar/2027"]
POSTS = [
    ("/admin/calendar/2027/days", {"day": "2027-01-01", "kind": "holiday", "name": "元旦"}),
    ("/admin/calendar/2027/official", {"source": "国办发明电〔2026〕7号"}),
]


@pytest.fixture(autouse=True)
def english(client) -> None:
    """Pages in English, so that the messages checked are the source strings."""
    client.http.set_cookie("kaimen_lang", "en")


@pytest.fixture
def signals():
    received = []

    def listener(sender, year, actor):
        received.append((year, actor.email))

    with official_year_entered.connected_to(listener):
        yield received


def _override_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay))


@pytest.mark.parametrize("path", PAGES)
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login" in response.location


@pytest.mark.parametrize("role", [None, Role.OFFICER, Role.SUPERVISOR])
def test_everyone_but_administrators_gets_403(client, role):
    make_user("someone@example.com", roles={role} if role else set())
    client.login("someone@example.com")
    for path in PAGES:
        assert client.get(path).status_code == 403
    for path, data in POSTS:
        assert client.post(path, data).status_code == 403
    assert _override_count() == 0
    assert year_status(2027) == "provisional"


def test_the_overview_says_which_years_are_official(client, admin):
    db.session.add(CalendarDay(day=date(2031, 1, 1), kind=DayKind.HOLIDAY, name="元旦"))
    db.session.commit()
    client.login(admin.email)
    page = text(client.get("/admin/calendar/"))
    for year in ("2025", "2026", "2027", "2028", "2031"):
        assert f'href="/admin/calendar/{year}"' in page
    assert "The chinesecalendar package" in page
    assert "Provisional" in page
    assert 'href="/admin/calendar/"' in page and 'aria-current="page"' in page
    assert client.get("/admin/calendar/?year=2035").location.endswith("/admin/calendar/2035")
    assert client.get("/admin/calendar/1800").status_code == 404


def test_a_package_year_lists_its_holidays_and_make_up_days(client, admin):
    client.login(admin.email)
    page = text(client.get("/admin/calendar/2026"))
    assert "2026-10-01" in page and "2026-10-10" in page
    assert "Make-up working day" in page
    assert "National Day" in page
    assert "Mark 2026 official" not in page  # the package already carries it
    client.http.set_cookie("kaimen_lang", "zh")
    assert "国庆节" in text(client.get("/admin/calendar/2026"))
    # For a year only the rules know, their lunar holidays in the reader's language too.
    assert "春节" in text(client.get("/admin/calendar/2027"))


def test_admin_adds_and_removes_an_override_day_audited(client, admin):
    client.login(admin.email)
    response = client.post(
        "/admin/calendar/2027/days",
        {"day": "2027-02-06", "kind": "workday", "name": "春节调休上班"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(CalendarDay))
    assert (entry.day, entry.kind, entry.name) == (
        date(2027, 2, 6),
        DayKind.WORKDAY,
        "春节调休上班",
    )
    assert entry.created_by_id == admin.id
    page = text(client.get("/admin/calendar/2027"))
    assert "春节调休上班" in page and "Remove 2027-02-06" in page
    [added] = audit_entries("calendar.day.add")
    assert added.actor_id == admin.id and added.data["date"] == "2027-02-06"

    removed = client.post(f"/admin/calendar/2027/days/{entry.id}/remove")
    assert removed.status_code == 302
    assert _override_count() == 0
    [entry_log] = audit_entries("calendar.day.remove")
    assert entry_log.data == {"date": "2027-02-06", "kind": "workday", "name": "春节调休上班"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2027/01/01", "kind": "holiday"}, "Enter the date as YYYY-MM-DD"),
        ({"day": "2027-02-30", "kind": "holiday"}, "Enter the date as YYYY-MM-DD"),
        ({"day": "", "kind": "holiday"}, "Enter the date."),
        ({"day": "2028-01-01", "kind": "holiday"}, "The date must lie in 2027."),
        ({"day": "2027-01-01", "kind": "weekend"}, "Choose holiday or make-up working day."),
        ({"day": "2027-01-01", "kind": "holiday", "name": "长" * 101}, "At most 100 characters."),
    ],
)
def test_a_bad_day_is_refused_with_a_message_and_the_input_kept(client, admin, data, message):
    client.login(admin.email)
    response = client.post("/admin/calendar/2027/days", data)
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'class="error-summary"' in page
    if data["day"]:
        assert f'value="{data["day"]}"' in page
    assert _override_count() == 0


def test_a_date_entered_twice_is_refused(client, admin):
    client.login(admin.email)
    first = {"day": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert client.post("/admin/calendar/2027/days", first).status_code == 302
    again = client.post("/admin/calendar/2027/days", {**first, "kind": "workday"})
    assert again.status_code == 400
    assert "2027-01-01 already has an entry" in text(again)
    assert _override_count() == 1


def test_state_changes_need_the_csrf_token(client, admin):
    client.login(admin.email)
    for path, data in POSTS:
        assert client.post(path, data, csrf=False).status_code == 400
    entry = CalendarDay(day=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    db.session.add(entry)
    db.session.commit()
    assert (
        client.post(f"/admin/calendar/2027/days/{entry.id}/remove", csrf=False).status_code == 400
    )
    assert _override_count() == 1
    assert year_status(2027) == "provisional"


def test_removing_a_day_of_another_year_is_404(client, admin):
    entry = CalendarDay(day=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    db.session.add(entry)
    db.session.commit()
    client.login(admin.email)
    assert client.post(f"/admin/calendar/2028/days/{entry.id}/remove").status_code == 404
    assert client.post("/admin/calendar/2027/days/999999/remove").status_code == 404


def test_marking_a_year_official_recomputes_and_signals_once(client, admin, signals):
    assert add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), True)
    client.login(admin.email)
    for day, kind, name in [
        ("2027-01-01", "holiday", "元旦"),
        ("2027-01-04", "holiday", "元旦"),
        ("2027-01-09", "workday", "元旦调休上班"),
    ]:
        assert client.post("/admin/calendar/2027/days", {"day": day, "kind": kind, "name": name})
    assert signals == []

    response = client.post("/admin/calendar/2027/official", {"source": "国办发明电〔2026〕7号"})
    assert response.status_code == 302
    assert signals == [(2027, admin.email)]
    record = db.session.scalar(sa.select(CalendarYear).where(CalendarYear.year == 2027))
    assert record.official and record.marked_by_id == admin.id
    assert record.source == "国办发明电〔2026〕7号"
    assert year_status(2027) == "official-admin"
    assert add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 5), False)
    [logged] = audit_entries("calendar.year.official")
    assert logged.subject_id == 2027 and logged.data["source"] == "国办发明电〔2026〕7号"

    overview = text(client.get("/admin/calendar/"))
    assert "国办发明电〔2026〕7号" in overview

    again = client.post("/admin/calendar/2027/official", {"source": "再次"})
    assert again.status_code == 400
    assert "2027 is already official." in text(again)
    assert signals == [(2027, admin.email)]


@pytest.mark.parametrize(
    ("year", "source", "message"),
    [
        (2027, "", "Name the notice the days come from."),
        (2027, "号" * 201, "At most 200 characters."),
        (2026, "国办发明电〔2025〕7号", "chinesecalendar already carries"),
    ],
)
def test_marking_official_is_refused_with_a_message(client, admin, signals, year, source, message):
    client.login(admin.email)
    response = client.post(f"/admin/calendar/{year}/official", {"source": source})
    assert response.status_code == 400
    assert message in text(response)
    assert signals == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 0
