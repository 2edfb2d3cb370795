"""A citizen files a complaint with an attachment from an item's page and sees its page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.accounts import services as accounts
from portal.extensions import db
from tests.complaints.files import PDF
from tests.disclosure.factories import make_department, make_item

pytestmark = pytest.mark.browser


@pytest.fixture
def uploads_folder(live_server, tmp_path):
    """The live server's uploads go to this test's folder, and back afterwards."""
    before = live_server.app.instance_path
    live_server.app.instance_path = str(tmp_path)
    yield tmp_path
    live_server.app.instance_path = before


def test_file_a_complaint_with_an_attachment(page, live_server, axe, uploads_folder, tmp_path):
    with live_server.app.app_context():
        accounts.create_user("browser-complainant@example.com", "投诉人", "complainant password")
        department = make_department("lj-complaint-browser", "临江市投诉浏览器局")
        make_item(department, code="LJ-CB-001", name="投诉测试事项")
        db.session.commit()
    evidence = tmp_path / "现场照片说明.pdf"
    evidence.write_bytes(PDF)

    page.goto("/account/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Email address", exact=True).fill("browser-complainant@example.com")
    page.get_by_label("Password", exact=True).fill("complainant password")
    page.get_by_role("button", name="Log in").click()

    page.goto("/catalog/items/LJ-CB-001")
    page.get_by_role("link", name="File a complaint about this item").click()
    assert page.locator("h1").inner_text() == "File a complaint"
    axe(page)

    page.get_by_label("Which step of the procedure is it about?").select_option(label="Acceptance")
    page.get_by_label("Subject").fill("窗口拒收申请材料")
    page.get_by_label("What happened").fill("递交材料时被拒收，**未说明理由**。")
    page.get_by_label("Attachments (optional)").set_input_files(str(evidence))
    page.get_by_label("Phone (needed for SMS or a call)").fill("13800000000")
    page.get_by_role("radio", name="SMS").check()
    page.get_by_role("button", name="File the complaint").click()

    assert page.locator("h1").inner_text() == "窗口拒收申请材料"
    flash = page.locator(".flash-success").inner_text()
    number = re.search(r"TS\d{8}-\d{4}", flash).group(0)
    assert page.locator("#tracking-number").inner_text() == number
    expect(page.get_by_role("link", name="现场照片说明.pdf")).to_be_visible()
    assert "投诉受理岗" in page.locator("dl.facts").first.inner_text()
    expect(page.locator("strong", has_text="未说明理由")).to_be_visible()
    axe(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="现场照片说明.pdf").click()
    assert info.value.suggested_filename == "现场照片说明.pdf"

    page.goto("/complaints/mine")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    axe(page)

    page.goto("/complaints/")
    axe(page)
    page.get_by_role("link", name="Complain about a department").click()
    expect(page.get_by_label("Department")).to_be_visible()
    axe(page)
