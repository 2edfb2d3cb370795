"""The catalog administration pages: visitors log in, only administrators get in, CSRF is checked."""

from __future__ import annotations

import pytest

from disclosure.catalog.models import ProcedureStep
from disclosure.directory.models import Department
from portal import uploads
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.admin_world import edits_recorded, text
from tests.disclosure.admin_world import instance as instance  # the fixtures
from tests.disclosure.admin_world import world as world

PAGES = [
    "/admin/catalog/",
    "/admin/catalog/items",
    "/admin/catalog/items/new",
    "/admin/catalog/items/{item}",
    "/admin/catalog/items/{item}/steps",
    "/admin/catalog/items/{item}/steps/new",
    "/admin/catalog/steps/{step}",
    "/admin/catalog/items/{item}/forms",
    "/admin/catalog/import",
    "/admin/catalog/departments",
    "/admin/catalog/departments/new",
    "/admin/catalog/departments/{department}",
    "/admin/catalog/departments/{department}/leaders/new",
    "/admin/catalog/leaders/{leader}",
    "/admin/catalog/departments/{department}/staff/new",
    "/admin/catalog/staff/{staff}",
    "/admin/catalog/departments/{department}/positions/new",
    "/admin/catalog/positions/{position}",
]
POST_ONLY = [
    "/admin/catalog/steps/{step}/delete",
    "/admin/catalog/forms/{form}/delete",
    "/admin/catalog/departments/{department}/delete",
    "/admin/catalog/leaders/{leader}/photo",
    "/admin/catalog/leaders/{leader}/photo/remove",
    "/admin/catalog/leaders/{leader}/delete",
    "/admin/catalog/staff/{staff}/delete",
    "/admin/catalog/positions/{position}/hand-over",
    "/admin/catalog/positions/{position}/delete",
]
GET_ONLY = {
    "/admin/catalog/",
    "/admin/catalog/items",
    "/admin/catalog/items/{item}/steps",
    "/admin/catalog/departments",
}
POSTS = [path for path in PAGES if path not in GET_ONLY] + POST_ONLY


def test_visitors_are_sent_to_log_in(client, world):
    for path in PAGES:
        response = client.get(world.fill(path))
        assert response.status_code == 302 and "/account/login" in response.location, path
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "x"})
        assert response.status_code == 302 and "/account/login" in response.location, path
    assert edits_recorded() == 1  # the world's form: nothing a visitor sent


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.OFFICER, Role.SUPERVISOR])
def test_everyone_but_administrators_gets_403_on_every_page_and_post(client, world, role):
    make_user("someone@example.com", roles={role} if role else set())
    client.login("someone@example.com")
    before = edits_recorded()
    for path in PAGES:
        assert client.get(world.fill(path)).status_code == 403, path
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "改名", "reason": "x"})
        assert response.status_code == 403, path
    assert edits_recorded() == before
    assert db.session.get(Department, world.department.id) is not None
    assert uploads.path_for("forms", world.form.stored_name).exists()


def test_administrators_see_every_page(client, world, admin):
    client.login(admin.email)
    for path in PAGES:
        response = client.get(world.fill(path))
        if path == "/admin/catalog/":
            assert response.status_code == 302 and response.location.endswith(
                "/admin/catalog/items"
            )
        elif path.endswith("/steps/new"):  # the factory's item has a step of every kind
            assert response.status_code == 302
        else:
            assert response.status_code == 200, path
            page = text(response)
            assert 'aria-current="page"' in page and "/admin/catalog/import" in page
    assert "/admin/catalog/" in text(client.get("/admin/users"))  # the "Catalog" link


def test_posts_without_csrf_are_refused_and_change_nothing(client, world, admin):
    client.login(admin.email)
    before = edits_recorded()
    for path in POSTS:
        response = client.post(world.fill(path), {"name": "改名", "reason": "x"}, csrf=False)
        assert response.status_code == 400, path
    assert edits_recorded() == before
    db.session.refresh(world.leader)
    assert world.leader.name == "林清源"
    assert db.session.get(ProcedureStep, world.step.id) is not None
