"""An officer works a complaint in the browser: queue, answer, the letter task, the letter;
a supervisor sees the department's queue. axe-core audits every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.intake import file_complaint
from disclosure.catalog.models import StepKind
from disclosure.directory.models import StaffMember
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

pytestmark = pytest.mark.browser


def _staff(department, user, title):
    staff = StaffMember(
        name=user.display_name, title=title, duties="处理投诉", office_phone="0999-1",
        email=user.email, user_id=user.id,
    )  # fmt: skip
    department.staff.append(staff)
    return staff


def _login(page, email, password):
    page.goto("/account/login")
    if page.get_by_role("button", name="English").count():
        page.get_by_role("button", name="English").click()
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_officer_answers_and_prints_the_letter(page, live_server, axe):
    with live_server.app.app_context():
        officer = accounts.create_user(
            "browser-officer@example.com", "经办人", "officer password", roles={Role.OFFICER}
        )
        chief = accounts.create_user(
            "browser-chief@example.com", "督查员", "chief password", roles={Role.SUPERVISOR}
        )
        citizen = accounts.create_user("browser-letter@example.com", "来信人", "citizen pass")
        department = make_department("lj-officer-browser", "临江市经办浏览器局")
        position = next(p for p in department.positions if p.code == "complaints")
        position.holder = _staff(department, officer, "投诉受理岗")
        _staff(department, chief, "督查科")
        item = make_item(department, code="LJ-OB-001", name="经办测试事项")
        step = next(s for s in item.steps if s.kind == StepKind.COMPLAINT)
        step.position = position
        db.session.flush()
        complaint = file_complaint(
            citizen, item=item, subject="请寄书面答复", details="请以信件告知。",
            contact_name="来信人", contact_email=citizen.email, contact_phone="",
            contact_address="临江市江南路 8 号", notification_method="letter",
        )  # fmt: skip
        number = complaint.tracking_number
        db.session.commit()

    _login(page, "browser-officer@example.com", "officer password")
    page.goto("/complaints/")
    page.get_by_role("link", name="My complaint queue").click()
    assert page.locator("h1").inner_text() == "My complaint queue"
    axe(page)

    page.get_by_role("link", name=number).click()
    axe(page)
    page.get_by_role("textbox", name="Answer", exact=True).fill("经核实，**已责令整改**。")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".flash-success")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Printable letter").first.click()
    assert "已责令整改" in page.locator("article.letter").inner_text()
    assert "临江市江南路 8 号" in page.locator("article.letter").inner_text()
    axe(page)

    page.go_back()
    page.get_by_role("textbox", name="How", exact=True).fill("挂号信 XA20261127")
    page.get_by_role("button", name="Record the notification").click()
    assert "notified on time" in page.locator("dl.facts").first.inner_text()
    axe(page)

    page.get_by_role("button", name="Log out").click()
    _login(page, "browser-chief@example.com", "chief password")
    page.goto("/complaints/department/lj-officer-browser")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)
