"""The officer's queue and the supervisor's department queue: who sees what, sorting, marks, pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from complaints import officer_views
from portal.db import utcnow
from portal.workdays import add_working_days, local_date
from tests.complaints.officer_world import english, set_due


def today():
    return local_date(utcnow())


def numbers(page: str) -> list[str]:
    return re.findall(r">(TS\d{8}-\d{4})</a>", page)


@pytest.fixture
def three(make_complaint):
    """Due later, overdue, due soon — filed in that order."""
    later = set_due(make_complaint(subject="以后"), add_working_days(today(), 10).date)
    overdue = set_due(make_complaint(subject="逾期"), today() - timedelta(days=3))
    soon = set_due(make_complaint(subject="将到期"), add_working_days(today(), 1).date)
    return later, overdue, soon


def test_queue_sorted_by_deadline_with_marks(client, three, holder):
    later, overdue, soon = three
    english(client).login(holder.email)
    response = client.get("/complaints/queue")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert numbers(page) == [c.tracking_number for c in (overdue, soon, later)]
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "overdue" in rows[0] and 'class="row-overdue"' in rows[0]
    assert "due soon" in rows[1] and 'class="row-due-soon"' in rows[1]
    assert "overdue" not in rows[2] and "due soon" not in rows[2]


def test_the_deputy_sees_the_queue_too(client, three, deputy):
    client.login(deputy.email)
    assert len(numbers(client.get("/complaints/queue").get_data(as_text=True))) == 3


def test_answered_complaints_leave_the_queue(client, three, holder):
    from complaints import officer
    from portal.extensions import db

    later, _overdue, _soon = three
    officer.answer(later, holder, "答复")
    db.session.commit()
    client.login(holder.email)
    assert later.tracking_number not in numbers(
        client.get("/complaints/queue").get_data(as_text=True)
    )


def test_queue_pages_by_keyset(client, three, holder, monkeypatch):
    monkeypatch.setattr(officer_views, "PER_PAGE", 2)
    later, overdue, soon = three
    client.login(holder.email)
    first = client.get("/complaints/queue").get_data(as_text=True)
    assert numbers(first) == [overdue.tracking_number, soon.tracking_number]
    after = re.search(r'href="/complaints/queue\?after=([^"]+)" rel="next"', first).group(1)
    second = client.get(f"/complaints/queue?after={after}").get_data(as_text=True)
    assert numbers(second) == [later.tracking_number]
    assert 'rel="next"' not in second


@pytest.mark.parametrize("who", ["complainant", "other_citizen", "supervisor"])
def test_queue_is_for_position_holders(client, request, three, who):
    client.login(request.getfixturevalue(who).email)
    assert client.get("/complaints/queue").status_code == 403


def test_queue_needs_login(client):
    response = client.get("/complaints/queue")
    assert response.status_code == 302 and "/account/login" in response.location


def test_another_officer_sees_only_their_positions(client, three, other_officer):
    client.login(other_officer.email)
    response = client.get("/complaints/queue")
    assert response.status_code == 200 and numbers(response.get_data(as_text=True)) == []


def test_department_queue_and_overdue_filter(client, three, supervisor, department):
    later, overdue, soon = three
    client.login(supervisor.email)
    everything = client.get(f"/complaints/department/{department.code}").get_data(as_text=True)
    assert numbers(everything) == [c.tracking_number for c in (overdue, soon, later)]
    late = client.get(f"/complaints/department/{department.code}?overdue=1")
    assert numbers(late.get_data(as_text=True)) == [overdue.tracking_number]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("other_supervisor", 403),
        ("holder", 403),
        ("complainant", 403),
    ],
)
def test_department_queue_access(client, request, three, department, who, status):
    client.login(request.getfixturevalue(who).email)
    assert client.get(f"/complaints/department/{department.code}").status_code == status


def test_unknown_department_is_404(client, admin):
    client.login(admin.email)
    assert client.get("/complaints/department/no-such-dept").status_code == 404


def test_queue_query_count_does_not_grow(client, make_complaint, holder, count_queries):
    for index in range(3):
        make_complaint(subject=f"投诉{index}")
    client.login(holder.email)
    with count_queries() as few:
        client.get("/complaints/queue")
    for index in range(5):
        make_complaint(subject=f"更多{index}")
    with count_queries() as more:
        client.get("/complaints/queue")
    assert more.count == few.count


def test_the_complaints_page_links_officers_to_their_queues(
    client, complaint_position, supervisor, department, citizen
):
    english(client).login("holder@linjiang.gov.example")
    assert 'href="/complaints/queue"' in client.get("/complaints/").get_data(as_text=True)
    client.logout()
    client.login(supervisor.email)
    page = client.get("/complaints/").get_data(as_text=True)
    assert f'href="/complaints/department/{department.code}"' in page
    assert 'href="/complaints/queue"' not in page
    client.logout()
    client.login(citizen.email)
    page = client.get("/complaints/").get_data(as_text=True)
    assert "/complaints/queue" not in page and "/complaints/department/" not in page


def test_notification_tasks_page_by_keyset(client, make_complaint, holder, monkeypatch):
    from complaints import officer
    from portal.extensions import db

    answered = []
    for index in range(3):
        complaint = make_complaint(subject=f"待告知{index}", notification_method="phone")
        officer.answer(complaint, holder, "答复")
        complaint.notification_due = today() + timedelta(days=3 - index)  # the last is earliest
        db.session.commit()
        answered.append(complaint)
    monkeypatch.setattr(officer_views, "PER_PAGE", 2)
    client.login(holder.email)

    def tasks(page: str) -> list[str]:
        return numbers(page.split('id="notification-tasks"', 1)[1])

    first = client.get("/complaints/queue").get_data(as_text=True)
    assert tasks(first) == [answered[2].tracking_number, answered[1].tracking_number]
    after = re.search(
        r'href="/complaints/queue\?tasks_after=([^"#]+)#notification-tasks" rel="next"', first
    ).group(1)
    second = client.get(f"/complaints/queue?tasks_after={after}").get_data(as_text=True)
    assert tasks(second) == [answered[0].tracking_number]
    assert 'rel="next"' not in second.split('id="notification-tasks"', 1)[1]
