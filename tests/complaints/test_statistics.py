"""Public complaint statistics: the counts per month and department, the filters, what a visitor
sees (and never sees), the empty year, and a query count that does not grow with departments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from complaints.models import ComplaintStatus
from complaints.statistics import Counts, year_statistics
from disclosure.directory.models import Department
from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from tests.disclosure.factories import make_department

URL = "/complaints/statistics"
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # noon in Shanghai
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def now(app):
    with time_machine.travel(NOW, tick=False):
        yield


def settle(complaint, received, due, answered=None, on_time=None, notified_on_time=None):
    """Put a filed complaint where the officer-side services would have, without running them."""
    complaint.received_on = received
    complaint.handling_due = due
    if answered is not None:
        complaint.answered_at = datetime(answered.year, answered.month, answered.day, 2, tzinfo=UTC)
        complaint.answered_on_time = on_time
        complaint.status = ComplaintStatus.ANSWERED
    if notified_on_time is not None:
        complaint.notified_on_time = notified_on_time
        complaint.status = ComplaintStatus.NOTIFIED
    db.session.commit()
    return complaint


@pytest.fixture
def known_set(make_complaint, department, other_department):
    """Seven complaints with known outcomes in two departments (today: 26 November 2026)."""
    d = date
    # The item's department (生态环境局):
    settle(make_complaint(), d(2026, 3, 5), d(2026, 3, 12), d(2026, 3, 10), True, True)
    settle(make_complaint(), d(2026, 3, 20), d(2026, 3, 27), d(2026, 4, 2), False, False)
    settle(make_complaint(), d(2026, 3, 25), d(2026, 4, 1))  # never answered: overdue
    settle(make_complaint(), d(2026, 11, 20), d(2026, 11, 27))  # not due yet
    settle(make_complaint(), d(2025, 12, 31), d(2026, 1, 9))  # last year, overdue
    # The other department (住房和城乡建设局), filed about the department itself:
    about_other = {"item": None, "department": other_department}
    settle(make_complaint(**about_other), d(2026, 3, 15), d(2026, 3, 22), d(2026, 3, 20), True)
    settle(make_complaint(**about_other), d(2026, 7, 1), d(2026, 7, 8), d(2026, 7, 8), True, True)
    return department, other_department


def departments() -> list[Department]:
    return list(db.session.scalars(db.select(Department).order_by(Department.id)))


def test_counts_by_month_and_department(known_set):
    department, other = known_set
    stats = year_statistics(2026, TODAY, departments())
    # received, due, answered, answered on time, overdue, notified on time
    assert stats.months[2] == Counts(4, 4, 3, 2, 2, 1)  # March
    assert stats.months[3] == Counts()  # April: the late answer counts in March, its month
    assert stats.months[6] == Counts(1, 1, 1, 1, 0, 1)  # July
    assert stats.months[10] == Counts(1, 0, 0, 0, 0, 0)  # November: not due yet
    assert stats.total == Counts(6, 5, 4, 3, 2, 2)
    assert stats.total.on_time_percent == 60
    assert [(d.code, counts) for d, counts in stats.by_department] == [
        (department.code, Counts(4, 3, 2, 1, 2, 1)),
        (other.code, Counts(2, 2, 2, 2, 0, 1)),
    ]

    only = year_statistics(2026, TODAY, departments(), department)
    assert only.months[2] == Counts(3, 3, 2, 1, 2, 1)
    assert only.total == Counts(4, 3, 2, 1, 2, 1)
    assert only.by_department == []

    last_year = year_statistics(2025, TODAY, departments())
    assert last_year.months[11] == last_year.total == Counts(1, 1, 0, 0, 1, 0)


def rows(html: str, table: str) -> dict[str, list[int]]:
    """A table's rows on the page: the row header's text → its numbers."""
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S)
    assert body, f"no table {table}"
    found = {}
    for header, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body.group(0), re.S):
        label = re.sub(r"<[^>]+>", "", header).strip()
        found[label] = [int(n) for n in re.findall(r'<td class="num">(\d+)', cells)]
    return found


@pytest.fixture
def en_client(client):
    client.http.set_cookie(LANGUAGE_COOKIE, "en")
    return client


def test_visitors_see_the_year_by_month_with_a_chart(known_set, en_client):
    response = en_client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    months = rows(html, "by-month")
    assert months["March"] == [4, 4, 3, 2, 2, 1]
    assert months["July"] == [1, 1, 1, 1, 0, 1]
    assert months["November"] == [1, 0, 0, 0, 0, 0]
    assert months["January"] == [0, 0, 0, 0, 0, 0]
    assert months["Year"] == [6, 5, 4, 3, 2, 2]
    assert "(60%)" in html  # answered on time, of those due, for the year
    # The busiest month (March, 4) has the full 240 px bar: 2 on time, 2 overdue.
    assert '<rect class="bar-on-time" x="0" y="0" width="120" height="14">' in html
    assert '<rect class="bar-overdue" x="120" y="0" width="120" height="14">' in html
    assert html.count('aria-hidden="true" focusable="false"') >= 12  # the bars stay out of AT
    assert "Answered on or before the handling deadline" in html  # the measures are explained

    by_department = rows(html, "by-department")
    assert by_department["生态环境局"] == [4, 3, 2, 1, 2, 1]
    assert by_department["住房和城乡建设局"] == [2, 2, 2, 2, 0, 1]
    assert "?year=2026&amp;department=lj-zjj" in html


def test_nothing_personal_leaks(known_set, en_client, complainant):
    html = en_client.get(URL).get_data(as_text=True)
    for secret in ("窗口拒收申请材料", "投诉人甲", "complainant@example.com", "13800000000",
                   "江北路", "投诉岗周", "TS2026"):  # fmt: skip
        assert secret not in html


def test_department_and_year_filters(known_set, en_client):
    html = en_client.get(f"{URL}?year=2026&department=lj-zjj").get_data(as_text=True)
    assert "临江市住房和城乡建设局, 2026" in html
    months = rows(html, "by-month")
    assert months["March"] == [1, 1, 1, 1, 0, 0]
    assert months["Year"] == [2, 2, 2, 2, 0, 1]
    assert 'id="by-department"' not in html
    assert '<option value="lj-zjj" selected>' in html

    html = en_client.get(f"{URL}?year=2025").get_data(as_text=True)
    assert rows(html, "by-month")["December"] == [1, 1, 0, 0, 1, 0]
    assert '<option value="2025" selected>' in html

    html = en_client.get(f"{URL}?year=2025&department=lj-zjj").get_data(as_text=True)
    assert "临江市住房和城乡建设局 received no complaints in 2025." in html


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=2027", "department=nowhere"])
def test_a_year_or_department_that_cannot_be_is_404(known_set, en_client, query):
    assert en_client.get(f"{URL}?{query}").status_code == 404


def test_empty_year(en_client, department):
    html = en_client.get(URL).get_data(as_text=True)
    assert "No complaints were received in 2026." in html
    assert "<table" not in html
    assert "What the figures mean" in html


def test_the_default_year_is_the_year_in_shanghai(known_set, en_client):
    # 31 December 17:00 UTC is already New Year's Day in Shanghai.
    with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), tick=False):
        html = en_client.get(URL).get_data(as_text=True)
    assert "No complaints were received in 2027." in html
    assert '<option value="2027" selected>' in html
    assert '<option value="2025">' in html  # back to the first complaint's year


def test_the_query_count_does_not_grow_with_departments(make_complaint, client, count_queries):
    settle(make_complaint(), date(2026, 3, 5), date(2026, 3, 12), date(2026, 3, 10), True)
    with count_queries() as one:
        html = client.get(URL).get_data(as_text=True)
    assert len(rows(html, "by-department")) == 1
    for n in range(4):
        extra = make_department(f"lj-x{n}", f"临江市第{n}局")
        db.session.commit()
        settle(make_complaint(item=None, department=extra), date(2026, 5, 1), date(2026, 5, 8))
    with count_queries() as five:
        html = client.get(URL).get_data(as_text=True)
    assert len(rows(html, "by-department")) == 5
    assert five.count == one.count


def test_chinese_by_default(known_set, client):
    html = client.get(URL).get_data(as_text=True)
    assert '<html lang="zh' in html
    assert "三月" in html
    assert rows(html, "by-month")["三月"] == [4, 4, 3, 2, 2, 1]
