"""Moderation: board moderators (版主), reports and the queue, hidden posts, thread tools.

Every action is tried by every kind of person: a visitor is sent to log in, a citizen and a
moderator of another board get 403, the board's moderator and an administrator may act.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum import moderation
from forum.models import Board, BoardModerator, Post, Report, Thread
from forum.permissions import can_report
from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread


@dataclass
class World:
    board: Board
    other: Board
    third: Board
    thread: Thread
    author: object
    citizen: object
    this_mod: object
    other_mod: object
    admin: object

    def post(self, floor: int) -> Post:
        return db.session.scalar(
            sa.select(Post).where(Post.thread_id == self.thread.id, Post.floor == floor)
        )


@pytest.fixture
def world(app) -> World:
    board = make_board("city", "城市建设")
    other = make_board("parks", "公园绿地")
    third = make_board("transit", "公共交通")
    author = make_user("author@example.com", name="楼主")
    citizen = make_user("citizen@example.com", name="市民甲")
    this_mod = make_user("mod@example.com", name="版主乙", roles={Role.MODERATOR})
    other_mod = make_user("othermod@example.com", name="版主丙", roles={Role.MODERATOR})
    admin = make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})
    thread = make_thread(board, author, replies=3, repliers=[author, citizen])
    moderation.grant_moderator(board, this_mod, admin)
    moderation.grant_moderator(third, this_mod, admin)
    moderation.grant_moderator(other, other_mod, admin)
    db.session.commit()
    return World(board, other, third, thread, author, citizen, this_mod, other_mod, admin)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


# --- the permission matrix -----------------------------------------------------------------

# (name, method, url template, data, prepare) — prepare(world) puts the state the action needs.


def _hidden(world: World) -> None:
    moderation.hide_post(world.post(2), world.admin, "广告")
    db.session.commit()


def _reported(world: World) -> None:
    moderation.report_post(world.post(2), world.citizen, "人身攻击")
    db.session.commit()


def _locked(world: World) -> None:
    moderation.set_thread_flag(world.thread, world.admin, "lock")
    db.session.commit()


MODERATOR_ACTIONS = [
    ("queue", "get", "/forum/b/city/reports", None, None),
    ("hide", "post", "/forum/p/{post2}/hide", {"reason": "广告"}, None),
    ("restore", "post", "/forum/p/{post2}/restore", {}, _hidden),
    ("dismiss", "post", "/forum/p/{post2}/dismiss", {}, _reported),
    ("pin", "post", "/forum/t/{thread}/mod/pin", {}, None),
    ("unpin", "post", "/forum/t/{thread}/mod/unpin", {}, None),
    ("feature", "post", "/forum/t/{thread}/mod/feature", {}, None),
    ("unfeature", "post", "/forum/t/{thread}/mod/unfeature", {}, None),
    ("lock", "post", "/forum/t/{thread}/mod/lock", {}, None),
    ("unlock", "post", "/forum/t/{thread}/mod/unlock", {}, _locked),
    ("move", "post", "/forum/t/{thread}/move", {"board": "{third}", "reason": "走错版块"}, None),
    ("delete", "post", "/forum/t/{thread}/delete", {"reason": "重复发帖"}, None),
]
ADMIN_ACTIONS = [
    ("all reports", "get", "/forum/reports", None, None),
    ("moderators page", "get", "/forum/admin/boards/city/moderators", None, None),
    (
        "grant",
        "post",
        "/forum/admin/boards/city/moderators",
        {"email": "citizen@example.com"},
        None,
    ),
    ("revoke", "post", "/forum/admin/boards/city/moderators/{this_mod}/revoke", {}, None),
]
ROLES = ["visitor", "citizen", "other_mod", "this_mod", "admin"]


def _fill(world: World, text: str) -> str:
    return text.format(
        post2=world.post(2).id,
        thread=world.thread.id,
        third=world.third.id,
        this_mod=world.this_mod.id,
    )


def _attempt(client, world: World, role: str, action):
    _name, method, url, data, prepare = action
    if prepare:
        prepare(world)
    if role != "visitor":
        client.login(getattr(world, role).email)
    url = _fill(world, url)
    if method == "get":
        return client.get(url)
    return client.post(url, {key: _fill(world, value) for key, value in data.items()})


def _expected(role: str, allowed_roles: set[str]) -> int | str:
    if role == "visitor":
        return "login"
    return "ok" if role in allowed_roles else 403


def _outcome(response) -> int | str:
    if response.status_code == 302 and "/account/login" in response.headers["Location"]:
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", MODERATOR_ACTIONS, ids=[a[0] for a in MODERATOR_ACTIONS])
def test_moderator_actions_permission_matrix(client, world, role, action):
    response = _attempt(client, world, role, action)
    assert _outcome(response) == _expected(role, {"this_mod", "admin"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ADMIN_ACTIONS, ids=[a[0] for a in ADMIN_ACTIONS])
def test_admin_actions_permission_matrix(client, world, role, action):
    response = _attempt(client, world, role, action)
    assert _outcome(response) == _expected(role, {"admin"})


@pytest.mark.parametrize(
    "action", [a for a in MODERATOR_ACTIONS + ADMIN_ACTIONS if a[1] == "post"], ids=lambda a: a[0]
)
def test_every_moderation_form_needs_the_csrf_token(client, world, action):
    _name, _method, url, data, prepare = action
    if prepare:
        prepare(world)
    client.login(world.admin.email)
    response = client.post(
        _fill(world, url), {k: _fill(world, v) for k, v in data.items()}, csrf=False
    )
    assert response.status_code == 400
    assert audit_entries("forum.move_thread") == []
    assert audit_entries("forum.delete_thread") == []


def test_a_report_needs_a_verified_account_and_not_ones_own_post(client, world):
    post = world.post(2)  # written by the author
    client.login(world.author.email)
    assert client.get(f"/forum/p/{post.id}/report").status_code == 403


def test_who_may_report():
    def person(user_id, verified=True):
        return SimpleNamespace(
            id=user_id, is_authenticated=True, is_active=True, is_verified=verified
        )

    post = SimpleNamespace(author_id=1)
    assert can_report(person(2), post)
    assert not can_report(person(1), post)  # not one's own post
    assert not can_report(person(2, verified=False), post)
    assert not can_report(None, post)


# --- effects and audit entries -------------------------------------------------------------


def test_report_queue_hide_resolves_the_report(client, world):
    post = world.post(2)
    client.login(world.citizen.email)
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert f"/forum/p/{post.id}/report" in page
    assert client.post(f"/forum/p/{post.id}/report", {"reason": ""}).status_code == 400
    assert client.post(f"/forum/p/{post.id}/report", {"reason": "x" * 501}).status_code == 400
    response = client.post(f"/forum/p/{post.id}/report", {"reason": "广告链接"})
    assert response.status_code == 302
    again = client.post(f"/forum/p/{post.id}/report", {"reason": "还是广告"})
    assert again.status_code == 400
    assert "reported this post already" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1
    [entry] = audit_entries("forum.report")
    assert (entry.actor_id, entry.subject_id, entry.reason) == (
        world.citizen.id,
        post.id,
        "广告链接",
    )

    client.logout()
    client.login(world.this_mod.email)
    queue = client.get("/forum/b/city/reports").get_data(as_text=True)
    assert "广告链接" in queue and "市民甲" in queue
    # The other board's queue does not show it; the admin's queue does.
    response = client.post(
        f"/forum/p/{post.id}/hide", {"reason": "含有广告", "next": "/forum/b/city/reports"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/forum/b/city/reports")
    report = db.session.scalar(sa.select(Report))
    assert report.resolved_at is not None
    assert (report.resolved_by_id, report.resolution) == (world.this_mod.id, "hidden")
    assert "No post is waiting" in client.get("/forum/b/city/reports").get_data(as_text=True)
    [entry] = audit_entries("forum.hide_post")
    assert (entry.actor_id, entry.reason) == (world.this_mod.id, "含有广告")
    assert entry.data["report_ids"] == [report.id]


def test_dismissing_reports_leaves_the_post_and_is_audited(client, world):
    post = world.post(2)
    _reported(world)
    client.login(world.admin.email)
    assert "人身攻击" in client.get("/forum/reports").get_data(as_text=True)
    client.post(f"/forum/p/{post.id}/dismiss", {"reason": "没有问题"})
    report = db.session.scalar(sa.select(Report))
    assert report.resolution == "dismissed"
    assert db.session.get(Post, post.id).hidden_at is None
    [entry] = audit_entries("forum.dismiss_reports")
    assert (entry.actor_id, entry.reason, entry.data["report_ids"]) == (
        world.admin.id,
        "没有问题",
        [report.id],
    )


def test_a_hidden_post_shows_its_reason_to_citizens_and_the_original_to_moderators(client, world):
    post = world.post(3)
    original = "第3楼的回复"
    client.login(world.this_mod.email)
    assert client.post(f"/forum/p/{post.id}/hide", {"reason": ""}).status_code == 400
    client.post(f"/forum/p/{post.id}/hide", {"reason": "跑题"})
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert "Hidden by a moderator: 跑题" in page and original in page
    client.logout()
    for viewer in (None, world.citizen, world.other_mod):
        if viewer:
            client.login(viewer.email)
        page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
        assert "Hidden by a moderator: 跑题" in page
        assert original not in page
        assert 'id="floor-3"' in page and 'id="floor-4"' in page  # floors keep their numbers
        if viewer:
            client.logout()
    # A hidden floor cannot be quoted into a reply.
    client.login(world.citizen.email)
    reply_form = client.get(f"/forum/t/{world.thread.id}/reply?quote=3").get_data(as_text=True)
    assert original not in reply_form
    client.logout()

    client.login(world.this_mod.email)
    client.post(f"/forum/p/{post.id}/restore", {"reason": "误判"})
    assert db.session.get(Post, post.id).hidden_reason is None
    [entry] = audit_entries("forum.restore_post")
    assert (entry.actor_id, entry.reason, entry.data["hidden_reason"]) == (
        world.this_mod.id,
        "误判",
        "跑题",
    )


def test_hiding_the_opening_post_hides_its_text_only(client, world):
    client.login(world.admin.email)
    client.post(f"/forum/p/{world.post(1).id}/hide", {"reason": "违规"})
    client.logout()
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert world.thread.title in page
    assert "Hidden by a moderator: 违规" in page
    assert "加密" not in page
    assert "第2楼的回复" in page


@pytest.mark.parametrize(
    ("verb", "attribute", "value"),
    [
        ("pin", "is_pinned", True),
        ("feature", "is_featured", True),
        ("lock", "is_locked", True),
    ],
)
def test_thread_flags_are_set_cleared_and_audited(client, world, verb, attribute, value):
    client.login(world.this_mod.email)
    client.post(f"/forum/t/{world.thread.id}/mod/{verb}", {"reason": "好帖"})
    assert getattr(db.session.get(Thread, world.thread.id), attribute) is value
    client.post(f"/forum/t/{world.thread.id}/mod/un{verb}", {})
    assert getattr(db.session.get(Thread, world.thread.id), attribute) is not value
    entries = audit_entries(f"forum.{verb}") + audit_entries(f"forum.un{verb}")
    assert [(e.actor_id, e.subject_id, e.reason) for e in entries] == [
        (world.this_mod.id, world.thread.id, "好帖"),
        (world.this_mod.id, world.thread.id, None),
    ]


def test_a_locked_thread_takes_no_reply(client, world):
    _locked(world)
    client.login(world.citizen.email)
    response = client.post(f"/forum/t/{world.thread.id}/reply", {"source": "还能回复吗"})
    assert response.status_code == 403


def test_thread_tools_show_to_moderators_only(client, world):
    client.login(world.citizen.email)
    assert "Delete the thread" not in client.get(f"/forum/t/{world.thread.id}").get_data(
        as_text=True
    )
    client.logout()
    client.login(world.this_mod.email)
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert "Delete the thread" in page and "公共交通" in page  # a board they may move to
    assert "公园绿地" not in page.split("moderation-heading")[1].split("</section>")[0]


def test_moving_a_thread_fixes_both_boards_counters(client, world):
    client.login(world.this_mod.email)
    assert (
        client.post(f"/forum/t/{world.thread.id}/move", {"board": world.third.id}).status_code
        == 400
    )
    client.post(f"/forum/t/{world.thread.id}/move", {"board": world.third.id, "reason": "属于交通"})
    board, third = db.session.get(Board, world.board.id), db.session.get(Board, world.third.id)
    assert (board.thread_count, board.post_count, board.last_post_id) == (0, 0, None)
    last = world.post(4)
    assert (third.thread_count, third.post_count, third.last_post_id) == (1, 4, last.id)
    assert db.session.get(Thread, world.thread.id).board_id == world.third.id
    [entry] = audit_entries("forum.move_thread")
    assert (entry.actor_id, entry.reason) == (world.this_mod.id, "属于交通")
    assert (entry.data["from_board_id"], entry.data["to_board_id"]) == (board.id, third.id)
    # The moderator cannot move it to a board they do not moderate.
    response = client.post(
        f"/forum/t/{world.thread.id}/move", {"board": world.other.id, "reason": "x"}
    )
    assert response.status_code == 400


def test_a_deleted_thread_is_gone_for_citizens_but_not_for_moderators(client, world):
    other_thread = make_thread(world.board, world.citizen, title="另一个主题")
    client.login(world.this_mod.email)
    assert client.post(f"/forum/t/{world.thread.id}/delete", {"reason": ""}).status_code == 400
    response = client.post(f"/forum/t/{world.thread.id}/delete", {"reason": "重复发帖"})
    assert response.headers["Location"].endswith("/forum/b/city")
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert "This thread is deleted" in page
    client.logout()

    client.login(world.citizen.email)
    assert client.get(f"/forum/t/{world.thread.id}").status_code == 404
    assert client.get(f"/forum/t/{world.thread.id}/reply").status_code == 404
    assert client.get(f"/forum/p/{world.post(2).id}/report").status_code == 404
    listing = client.get("/forum/b/city").get_data(as_text=True)
    assert world.thread.title not in listing and "另一个主题" in listing
    board = db.session.get(Board, world.board.id)
    assert (board.thread_count, board.post_count) == (1, 1)
    assert board.last_post_at == other_thread.last_post_at
    [entry] = audit_entries("forum.delete_thread")
    assert (entry.actor_id, entry.subject_id, entry.reason) == (
        world.this_mod.id,
        world.thread.id,
        "重复发帖",
    )


def test_an_administrator_grants_and_revokes_board_moderators_by_email(client, world):
    client.login(world.admin.email)
    response = client.post("/forum/admin/boards/city/moderators", {"email": "nobody@example.com"})
    assert response.status_code == 400
    client.post("/forum/admin/boards/city/moderators", {"email": "CITIZEN@example.com"})
    assert "市民甲" in client.get("/forum/admin/boards/city/moderators").get_data(as_text=True)
    again = client.post("/forum/admin/boards/city/moderators", {"email": "citizen@example.com"})
    assert again.status_code == 400
    client.logout()
    client.login(world.citizen.email)
    assert client.get("/forum/b/city/reports").status_code == 200
    assert client.get("/forum/b/parks/reports").status_code == 403
    client.logout()
    client.login(world.admin.email)
    client.post(
        f"/forum/admin/boards/city/moderators/{world.citizen.id}/revoke", {"reason": "卸任"}
    )
    assert not db.session.scalar(
        sa.select(BoardModerator).where(BoardModerator.user_id == world.citizen.id)
    )
    grant = [
        e for e in audit_entries("forum.grant_moderator") if e.data["user_id"] == world.citizen.id
    ]
    [revoke] = audit_entries("forum.revoke_moderator")
    assert grant[0].actor_id == world.admin.id and grant[0].subject_id == world.board.id
    assert (revoke.actor_id, revoke.reason, revoke.data["user_id"]) == (
        world.admin.id,
        "卸任",
        world.citizen.id,
    )


def test_moderated_boards_are_loaded_once_per_request(client, world, count_queries):
    thread = make_thread(world.board, world.author, replies=30)
    client.login(world.this_mod.email)
    with count_queries() as few:
        client.get(f"/forum/t/{thread.id}")
    with count_queries() as many:
        client.get(f"/forum/t/{thread.id}?page=2")
    assert few.count == many.count


def test_a_hostile_reason_is_shown_as_text(client, world):
    client.login(world.admin.email)
    client.post(f"/forum/p/{world.post(2).id}/hide", {"reason": '<script>alert("x")</script>'})
    client.logout()
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
