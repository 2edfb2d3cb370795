"""A visitor walks from the home page to an approval item and downloads its PDF form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from disclosure.catalog.demo import load_catalog_demo
from disclosure.catalog.models import ApprovalItem
from portal.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_catalog(live_server):
    with live_server.app.app_context():
        if not db.session.scalar(sa.select(sa.func.count()).select_from(ApprovalItem)):
            load_catalog_demo()
            db.session.commit()
    return live_server


def test_home_to_item_to_pdf_form(page, demo_catalog, axe):
    page.goto("/")
    axe(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审批事项").click()
    assert page.locator("h1").inner_text() == "审批事项目录"
    axe(page)

    page.get_by_label("按事项名称、编号或任意关键词搜索").fill("排污")
    page.get_by_role("button", name="搜索").click()
    axe(page)
    page.get_by_role("link", name="排污许可证核发").click()
    assert page.locator("h1").inner_text() == "排污许可证核发"
    axe(page)
    # The eight elements and the procedure are on the page.
    for heading in ["办理机构", "申办对象资格", "申办材料", "审批程序", "办理结果"]:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert page.locator("table.procedure tbody tr").count() == 7

    pdf_link = page.locator("ul.forms li", has_text="PDF").get_by_role("link")
    with page.expect_download() as pdf_info:
        pdf_link.click()
    pdf = pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
