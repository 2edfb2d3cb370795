"""Bans: a board's moderator (版主) bans on their board, an administrator on one board or every board.

The banned user is told why and until when, on the forms and on the thread page; a ban ends by
itself or is lifted. Also here: an author cannot edit a post of a locked or deleted thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, format_datetime

from forum import bans, moderation, services
from forum.models import Ban, Board, Post, Thread
from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread

REASON = "多次发布广告"


@dataclass
class World:
    board: Board
    other: Board
    thread: Thread
    author: object
    citizen: object
    banned: object
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
    author = make_user("author@example.com", name="楼主")
    citizen = make_user("citizen@example.com", name="市民甲")
    banned = make_user("banned@example.com", name="被禁者")
    this_mod = make_user("mod@example.com", name="版主乙", roles={Role.MODERATOR})
    other_mod = make_user("othermod@example.com", name="版主丙", roles={Role.MODERATOR})
    admin = make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})
    thread = make_thread(board, author, replies=2, repliers=[banned, citizen])
    moderation.grant_moderator(board, this_mod, admin)
    moderation.grant_moderator(other, other_mod, admin)
    bans.ban(banned, board, admin, "7d", "早先的禁言")
    db.session.commit()
    return World(board, other, thread, author, citizen, banned, this_mod, other_mod, admin)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def _ban(world: World, user, board, period="7d", reason=REASON) -> Ban:
    ban = bans.ban(user, board, world.admin, period, reason)
    db.session.commit()
    return ban


def _until(ban: Ban) -> str:
    with force_locale("en"):
        return format_datetime(ban.expires_at, "medium")


# --- the permission matrix -----------------------------------------------------------------

ROLES = ["visitor", "citizen", "banned", "other_mod", "this_mod", "admin"]


def _lift_url(world: World, board) -> str:
    return f"/forum/bans/{_ban(world, world.author, board).id}/lift"


ACTIONS = [
    # (name, method, url(world), data, allowed roles)
    ("ban form", "get", lambda w: f"/forum/p/{w.post(1).id}/ban", None, {"this_mod", "admin"}),
    (
        "ban on this board",
        "post",
        lambda w: f"/forum/p/{w.post(1).id}/ban",
        {"period": "7d", "reason": REASON},
        {"this_mod", "admin"},
    ),
    (
        "ban everywhere",
        "post",
        lambda w: f"/forum/p/{w.post(1).id}/ban",
        {"period": "permanent", "scope": "everywhere", "reason": REASON},
        {"admin"},
    ),
    ("board bans page", "get", lambda w: "/forum/b/city/bans", None, {"this_mod", "admin"}),
    ("all bans page", "get", lambda w: "/forum/bans", None, {"admin"}),
    ("lift", "post", lambda w: _lift_url(w, w.board), {}, {"this_mod", "admin"}),
    ("lift everywhere", "post", lambda w: _lift_url(w, None), {}, {"admin"}),
]


def _outcome(response) -> int | str:
    if response.status_code == 302 and "/account/login" in response.headers["Location"]:
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_ban_and_lift_permission_matrix(client, world, role, action):
    _name, method, url, data, allowed = action
    url = url(world)
    if role != "visitor":
        client.login(getattr(world, role).email)
    response = client.get(url) if method == "get" else client.post(url, data)
    expected = "login" if role == "visitor" else ("ok" if role in allowed else 403)
    assert _outcome(response) == expected


def test_the_moderators_ban_applies_on_their_board_and_is_audited(client, world):
    client.login(world.this_mod.email)
    post = world.post(1)
    form = client.get(f"/forum/p/{post.id}/ban").get_data(as_text=True)
    assert 'name="period"' in form and 'name="scope"' not in form  # every board: admins only
    response = client.post(f"/forum/p/{post.id}/ban", {"period": "30d", "reason": REASON})
    assert response.status_code == 302
    ban = bans.active_ban(world.author, world.board)
    assert ban is not None and ban.board_id == world.board.id
    assert timedelta(days=29) < ban.expires_at - utcnow() <= timedelta(days=30)
    assert bans.active_ban(world.author, world.other) is None
    [entry] = [e for e in audit_entries("forum.ban") if e.subject_id == ban.id]
    assert entry.actor_id == world.this_mod.id and entry.reason == REASON
    assert entry.data["user_id"] == world.author.id and entry.data["period"] == "30d"
    listing = client.get("/forum/b/city/bans").get_data(as_text=True)
    assert "楼主" in listing and REASON in listing


def test_a_ban_needs_a_reason_and_a_known_period(client, world):
    client.login(world.this_mod.email)
    url = f"/forum/p/{world.post(1).id}/ban"
    assert client.post(url, {"period": "7d", "reason": " "}).status_code == 400
    assert client.post(url, {"period": "forever-and-a-day", "reason": REASON}).status_code == 400
    assert bans.active_ban(world.author, world.board) is None


def test_nobody_bans_themselves_or_an_administrator(client, world):
    own = services.reply(world.thread, world.this_mod, "版主的回复")
    by_admin = services.reply(world.thread, world.admin, "管理员的回复")
    db.session.commit()
    client.login(world.this_mod.email)
    response = client.post(f"/forum/p/{own.id}/ban", {"period": "1d", "reason": REASON})
    assert response.status_code == 400
    assert "You cannot ban yourself." in response.get_data(as_text=True)
    response = client.post(f"/forum/p/{by_admin.id}/ban", {"period": "1d", "reason": REASON})
    assert response.status_code == 400
    assert "An administrator cannot be banned." in response.get_data(as_text=True)
    assert audit_entries("forum.ban")[1:] == []  # only the fixture's ban


def test_the_ban_form_needs_the_csrf_token(client, world):
    client.login(world.admin.email)
    response = client.post(
        f"/forum/p/{world.post(1).id}/ban", {"period": "1d", "reason": REASON}, csrf=False
    )
    assert response.status_code == 400
    assert bans.active_ban(world.author, world.board) is None
    ban = _ban(world, world.author, world.board)
    assert client.post(f"/forum/bans/{ban.id}/lift", csrf=False).status_code == 400
    assert bans.active_ban(world.author, world.board) is not None


# --- what the banned user meets ------------------------------------------------------------


def test_a_banned_user_is_told_why_and_until_when_on_reply_and_new_thread(client, world):
    ban = _ban(world, world.citizen, world.board)
    message = f"You are banned from posting on this board until {_until(ban)}. Reason: {REASON}"
    client.login(world.citizen.email)
    response = client.post(f"/forum/t/{world.thread.id}/reply", {"source": "我还要说"})
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    response = client.post("/forum/b/city/new", {"title": "新主题", "source": "内容"})
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    # The forms say so before anything is written, and offer no text box.
    for url in (f"/forum/t/{world.thread.id}/reply", "/forum/b/city/new"):
        response = client.get(url)
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert message in page and 'name="source"' not in page
    assert world.thread.post_count == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


def test_the_board_page_tells_a_banned_user_why_instead_of_offering_a_new_thread(client, world):
    ban = _ban(world, world.citizen, world.board)
    client.login(world.citizen.email)
    page = client.get("/forum/b/city").get_data(as_text=True)
    assert f"until {_until(ban)}. Reason: {REASON}" in page
    assert 'href="/forum/b/city/new"' not in page
    # Another board is not concerned by this ban.
    assert 'href="/forum/b/parks/new"' in client.get("/forum/b/parks").get_data(as_text=True)


def test_the_thread_page_shows_a_banned_user_the_notice_instead_of_the_reply_form(client, world):
    ban = _ban(world, world.citizen, world.board)
    client.login(world.citizen.email)
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert f"until {_until(ban)}. Reason: {REASON}" in page
    assert f'action="/forum/t/{world.thread.id}/reply"' not in page
    assert f"/forum/p/{world.post(1).id}/report" not in page and "Quote #" not in page
    client.logout()
    client.login(world.author.email)
    page = client.get(f"/forum/t/{world.thread.id}").get_data(as_text=True)
    assert f'action="/forum/t/{world.thread.id}/reply"' in page and REASON not in page


def test_a_banned_user_cannot_edit_or_report_on_that_board(client, world):
    _ban(world, world.citizen, world.board)
    own = world.post(3)  # the citizen's reply
    client.login(world.citizen.email)
    response = client.post(f"/forum/p/{own.id}/edit", {"source": "改过的内容"})
    assert response.status_code == 403
    assert f"Reason: {REASON}" in response.get_data(as_text=True)
    response = client.post(f"/forum/p/{world.post(1).id}/report", {"reason": "报复性举报"})
    assert response.status_code == 403
    assert f"Reason: {REASON}" in response.get_data(as_text=True)
    assert world.post(3).source == "第3楼的回复"
    assert audit_entries("forum.report") == []


def test_a_permanent_ban_says_so(client, world):
    _ban(world, world.citizen, world.board, period="permanent")
    client.login(world.citizen.email)
    response = client.post(f"/forum/t/{world.thread.id}/reply", {"source": "我还要说"})
    assert response.status_code == 403
    assert (
        f"You are banned from posting on this board, permanently. Reason: {REASON}"
        in response.get_data(as_text=True)
    )


def test_a_ban_on_every_board_applies_on_every_board(client, world):
    ban = _ban(world, world.citizen, None, period="1d")
    elsewhere = make_thread(world.other, world.author, title="公园的主题")
    client.login(world.citizen.email)
    for url in (f"/forum/t/{world.thread.id}/reply", f"/forum/t/{elsewhere.id}/reply"):
        response = client.post(url, {"source": "我还要说"})
        assert response.status_code == 403
        assert f"on every board until {_until(ban)}" in response.get_data(as_text=True)


def test_a_board_ban_does_not_reach_other_boards(client, world):
    elsewhere = make_thread(world.other, world.author, title="公园的主题")
    client.login(world.banned.email)
    response = client.post(f"/forum/t/{elsewhere.id}/reply", {"source": "这里可以说"})
    assert response.status_code == 302


def test_an_expired_ban_lets_the_user_post_again(client, world):
    ban = _ban(world, world.citizen, world.board)
    ban.created_at = utcnow() - timedelta(days=8)
    ban.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.login(world.citizen.email)
    response = client.post(f"/forum/t/{world.thread.id}/reply", {"source": "禁言结束了"})
    assert response.status_code == 302
    assert world.thread.post_count == 4


def test_the_ban_ends_when_its_time_is_up(client, world, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    _ban(world, world.citizen, world.board, period="1d")
    assert bans.active_ban(world.citizen, world.board) is not None
    time_machine.shift(timedelta(days=1, seconds=1))
    assert bans.active_ban(world.citizen, world.board) is None


def test_a_lifted_ban_lets_the_user_post_again_and_is_audited(client, world):
    ban = _ban(world, world.citizen, world.board)
    client.login(world.this_mod.email)
    response = client.post(f"/forum/bans/{ban.id}/lift", {"reason": "已道歉"})
    assert response.status_code == 302
    [entry] = audit_entries("forum.lift_ban")
    assert (entry.subject_id, entry.actor_id, entry.reason) == (ban.id, world.this_mod.id, "已道歉")
    assert "被禁者" in client.get("/forum/b/city/bans").get_data(as_text=True)
    assert "市民甲" not in client.get("/forum/b/city/bans").get_data(as_text=True)
    assert client.post(f"/forum/bans/{ban.id}/lift").status_code == 400  # not twice
    client.logout()
    client.login(world.citizen.email)
    assert client.post(f"/forum/t/{world.thread.id}/reply", {"source": "谢谢"}).status_code == 302


def test_administrators_see_every_ban_in_force_or_not(client, world):
    lifted = _ban(world, world.citizen, None)
    bans.lift(lifted, world.admin)
    db.session.commit()
    client.login(world.admin.email)
    page = client.get("/forum/bans").get_data(as_text=True)
    assert "市民甲" in page and "被禁者" in page and "Every board" in page


# --- editing in a locked or deleted thread -------------------------------------------------


def test_an_author_cannot_edit_a_post_of_a_locked_thread(client, world):
    moderation.set_thread_flag(world.thread, world.admin, "lock")
    db.session.commit()
    post = world.post(1)
    client.login(world.author.email)
    response = client.get(f"/forum/p/{post.id}/edit")
    assert response.status_code == 403
    assert "This thread is locked: its posts can no longer be edited." in response.get_data(
        as_text=True
    )
    response = client.post(f"/forum/p/{post.id}/edit", {"source": "偷偷改掉"})
    assert response.status_code == 403
    assert world.post(1).source == "希望**加密**班次。"
    assert f"/forum/p/{post.id}/edit" not in client.get(f"/forum/t/{world.thread.id}").get_data(
        as_text=True
    )


def test_an_author_cannot_edit_a_post_of_a_deleted_thread(world, english):
    moderation.delete_thread(world.thread, world.admin, "重复")
    with pytest.raises(services.ForumError, match="deleted"):
        services.edit_post(world.post(1), world.author, "偷偷改掉")


def test_a_moderator_may_edit_their_post_in_a_locked_thread(client, world):
    own = services.reply(world.thread, world.this_mod, "版主说明")
    moderation.set_thread_flag(world.thread, world.this_mod, "lock")
    db.session.commit()
    client.login(world.this_mod.email)
    response = client.post(f"/forum/p/{own.id}/edit", {"source": "版主补充说明"})
    assert response.status_code == 302
    assert world.post(4).source == "版主补充说明"
