"""The administrators' board page: open boards, change name/description/order (the address stays),
every change audited; validation errors re-rendered with the input kept; 403 for everyone else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import moderation
from forum.models import Board
from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board

NEW = {"slug": "transit", "name": "公共交通", "description": "公交和地铁。", "sort_order": "5"}


@pytest.fixture
def admin(app):
    return make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def board(slug: str) -> Board | None:
    return db.session.scalar(sa.select(Board).where(Board.slug == slug))


def test_an_administrator_opens_a_board(client, admin):
    client.login("admin@example.com")
    assert 'href="/forum/admin/boards"' in client.get("/forum/").get_data(as_text=True)
    response = client.post("/forum/admin/boards", NEW)
    assert response.status_code == 302
    opened = board("transit")
    assert (opened.name, opened.description, opened.sort_order) == ("公共交通", "公交和地铁。", 5)
    (entry,) = audit("forum.create_board")
    assert (entry.actor_id, entry.subject_id, entry.data["slug"]) == (
        admin.id,
        opened.id,
        "transit",
    )
    assert "公共交通" in client.get("/forum/").get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"slug": "Bad Slug!"}, "lower-case letters, digits and hyphens"),
        ({"slug": "city"}, "A board with this address exists already."),
        ({"name": "  "}, "name has 1 to 100 characters."),
        ({"sort_order": "many"}, "Not a valid integer value."),
        ({"sort_order": "10000000"}, "The sort order is a number between"),
    ],
)
def test_a_refused_board_is_shown_again_with_the_input_kept(client, admin, change, message):
    make_board("city", "城市建设")
    client.login("admin@example.com")
    response = client.post("/forum/admin/boards", {**NEW, **change})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "公交和地铁。" in html  # what was typed is still there
    assert board("transit") is None
    assert [entry.data["slug"] for entry in audit("forum.create_board")] == ["city"]


def test_an_administrator_edits_a_board_but_not_its_address(client, admin):
    opened = make_board("city", "城市建设")
    client.login("admin@example.com")
    page = client.get("/forum/admin/boards/city/edit")
    assert page.status_code == 200 and 'value="城市建设"' in page.get_data(as_text=True)
    response = client.post(
        "/forum/admin/boards/city/edit",
        {"slug": "renamed", "name": "城市规划", "description": "新描述", "sort_order": "-3"},
    )
    assert response.status_code == 302
    db.session.refresh(opened)
    assert (opened.slug, opened.name, opened.description, opened.sort_order) == (
        "city",
        "城市规划",
        "新描述",
        -3,
    )
    (entry,) = audit("forum.update_board")
    assert entry.actor_id == admin.id
    assert entry.data["changes"]["name"] == ["城市建设", "城市规划"]


def test_a_refused_edit_keeps_the_input_and_changes_nothing(client, admin):
    opened = make_board("city", "城市建设")
    client.login("admin@example.com")
    response = client.post(
        "/forum/admin/boards/city/edit",
        {"name": "", "description": "这段描述要保留", "sort_order": "1"},
    )
    assert response.status_code == 400
    assert "这段描述要保留" in response.get_data(as_text=True)
    db.session.refresh(opened)
    assert opened.name == "城市建设" and audit("forum.update_board") == []


def test_the_sort_order_orders_the_forum_index(client, admin):
    make_board("first", "甲版")
    make_board("second", "乙版")
    client.login("admin@example.com")
    client.post(
        "/forum/admin/boards/second/edit", {"name": "乙版", "description": "", "sort_order": "-1"}
    )
    html = client.get("/forum/").get_data(as_text=True)
    assert html.index("乙版") < html.index("甲版")


@pytest.mark.parametrize("email", ["citizen@example.com", "mod@example.com"])
def test_others_get_403(client, admin, email):
    opened = make_board("city", "城市建设")
    make_user("citizen@example.com")
    mod = make_user("mod@example.com", roles={Role.MODERATOR})
    moderation.grant_moderator(opened, mod, admin)
    db.session.commit()
    client.login(email)
    assert 'href="/forum/admin/boards"' not in client.get("/forum/").get_data(as_text=True)
    assert client.get("/forum/admin/boards").status_code == 403
    assert client.post("/forum/admin/boards", NEW).status_code == 403
    assert client.get("/forum/admin/boards/city/edit").status_code == 403
    assert client.post("/forum/admin/boards/city/edit", {**NEW, "name": "x"}).status_code == 403
    assert board("transit") is None and board("city").name == "城市建设"


def test_visitors_are_sent_to_log_in(client, app):
    make_board("city", "城市建设")
    response = client.get("/forum/admin/boards")
    assert response.status_code == 302 and "/account/login" in response.location
    response = client.post("/forum/admin/boards", NEW)
    assert response.status_code == 302 and "/account/login" in response.location
    assert board("transit") is None


def test_the_forms_need_a_csrf_token(client, admin):
    make_board("city", "城市建设")
    client.login("admin@example.com")
    assert client.post("/forum/admin/boards", NEW, csrf=False).status_code == 400
    assert board("transit") is None
    edit = {"name": "改名", "description": "", "sort_order": "0"}
    assert client.post("/forum/admin/boards/city/edit", edit, csrf=False).status_code == 400
    assert board("city").name == "城市建设"


def test_an_unknown_board_is_404(client, admin):
    client.login("admin@example.com")
    assert client.get("/forum/admin/boards/nowhere/edit").status_code == 404
