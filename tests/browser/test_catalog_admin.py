"""The catalog and directory administration pages, in a real browser, checked by axe-core."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from tests.disclosure.factories import make_department, make_item

pytestmark = pytest.mark.browser


@pytest.fixture
def uploads_folder(live_server, tmp_path):
    """The live server's uploads go to this test's folder, and back afterwards."""
    before = live_server.app.instance_path
    live_server.app.instance_path = str(tmp_path)
    yield tmp_path
    live_server.app.instance_path = before


def test_catalog_admin_pages_are_accessible_and_a_photo_uploads(
    page, live_server, axe, uploads_folder
):
    with live_server.app.app_context():
        accounts.create_user(
            "catalog-admin@example.com", "目录管理员", "catalog admin password", roles={Role.ADMIN}
        )
        department = make_department("lj-browser", "临江市浏览器局")
        item = make_item(department, code="LJ-BROWSER-001", published=False)
        db.session.commit()
        ids = {
            "department": department.id,
            "item": item.id,
            "step": item.steps[0].id,
            "leader": department.leaders[0].id,
            "staff": department.staff[0].id,
            "position": department.positions[0].id,
        }

    page.goto("/account/login")
    page.get_by_label("电子邮箱", exact=True).fill("catalog-admin@example.com")
    page.get_by_label("密码", exact=True).fill("catalog admin password")
    page.get_by_role("button", name="登录").click()
    for path in [
        "/admin/catalog/items",
        "/admin/catalog/items/new",
        f"/admin/catalog/items/{ids['item']}",
        f"/admin/catalog/items/{ids['item']}/steps",
        f"/admin/catalog/steps/{ids['step']}",
        f"/admin/catalog/items/{ids['item']}/forms",
        "/admin/catalog/import",
        "/admin/catalog/departments",
        f"/admin/catalog/departments/{ids['department']}",
        f"/admin/catalog/staff/{ids['staff']}",
        f"/admin/catalog/positions/{ids['position']}",
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe(page)

    # A time limit that is not a whole number: the summary and the field say so.
    page.goto(f"/admin/catalog/steps/{ids['step']}")
    page.locator("#time_limit_days").fill("2.5")
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#time_limit_days").get_attribute("aria-invalid") == "true"
    axe(page)

    # The photo goes through the browser's own file input.
    photo = uploads_folder / "portrait.png"
    Image.new("RGB", (600, 800), (20, 90, 160)).save(photo)
    page.goto(f"/admin/catalog/leaders/{ids['leader']}")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    image = page.locator("main img")
    image.wait_for(state="visible")
    data = page.request.get(image.get_attribute("src")).body()
    assert Image.open(io.BytesIO(data)).size == (240, 320)
    axe(page)
