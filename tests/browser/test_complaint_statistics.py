"""A visitor opens the public complaint statistics, picks a department, and reads it in English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, ComplaintStatus, NotificationMethod
from portal.accounts import services as accounts
from portal.db import utcnow
from portal.extensions import db
from portal.workdays.calendar import today
from tests.disclosure.factories import make_department

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_statistics(page, live_server, axe):
    day = today()
    with live_server.app.app_context():
        user = accounts.create_user("browser-stats@example.com", "统计投诉人", "stats password")
        department = make_department("lj-stats-browser", "临江市统计浏览器局")
        db.session.flush()
        for number, answered in enumerate((True, False)):
            db.session.add(
                Complaint(
                    tracking_number=f"TS{day:%Y%m%d}-9{number:03d}",
                    complainant_id=user.id,
                    department_id=department.id,
                    status=ComplaintStatus.ANSWERED if answered else ComplaintStatus.ASSIGNED,
                    subject="统计页不应出现的主题",
                    details_source="细节",
                    details_html="<p>细节</p>",
                    contact_name="统计投诉人",
                    contact_email="browser-stats@example.com",
                    notification_method=NotificationMethod.EMAIL,
                    received_on=day,
                    handling_due=day + timedelta(days=7),
                    answered_at=utcnow() if answered else None,
                    answered_on_time=True if answered else None,
                )
            )
        db.session.commit()

    page.goto("/complaints/statistics")
    assert page.locator("html").get_attribute("lang").startswith("zh")
    expect(page.locator("#by-month")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="English").click()
    page.get_by_label("Department").select_option(label="统计浏览器局")
    page.get_by_role("button", name="Show").click()
    assert page.locator("h2").first.inner_text() == f"临江市统计浏览器局, {day.year}"
    month = page.locator("#by-month tbody tr").nth(day.month - 1)
    cells = month.locator("td.num").all_inner_texts()
    # received, due, answered, answered on time (share of due), overdue, notified on time
    assert cells[0] == "2" and cells[2] == "1" and cells[3].startswith("1")
    assert "统计页不应出现的主题" not in page.content()
    axe(page)
