"""Trust levels (forum.trust): a new account's first post and its posts with links wait for a
moderator; posting is rate-limited. These tests run with the limits on (the rest of the forum's
tests waive them: their accounts are minutes old and post many times a second)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import held, moderation, services, trust
from forum.demo import load_forum_demo
from forum.models import Board, Post, Thread
from portal import search
from portal.accounts.models import Role
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.demo import ensure_demo_accounts
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board

AWAITING = "This post is awaiting moderator approval."
HELD_NOTE = "Held for approval"


@pytest.fixture
def new_account_limits():
    """Overrides the forum conftest's waiver: here the limits apply."""
    yield


@pytest.fixture
def board(app) -> Board:
    return make_board("city", "城市建设")


@pytest.fixture
def people(app, board):
    admin = make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})
    mod = make_user("mod@example.com", name="版主乙")
    other_mod = make_user("othermod@example.com", name="版主丙")
    moderation.grant_moderator(board, mod, admin)
    moderation.grant_moderator(make_board("parks", "公园绿地"), other_mod, admin)
    newcomer = make_user("new@example.com", name="新人")
    db.session.commit()
    return {"admin": admin, "mod": mod, "other_mod": other_mod, "newcomer": newcomer}


@pytest.fixture
def thread(board, people) -> Thread:
    thread = services.start_thread(board, people["admin"], "公交线路建议", "希望加密班次。")
    db.session.commit()
    return thread


def veteran(email="old@example.com", name="老用户", board=None, thread=None):
    """An account two days old with three approved posts: trusted."""
    user = make_user(email, name=name)
    user.created_at = utcnow() - timedelta(days=2)
    for n in range(3):
        post = services.reply(thread, user, f"老用户的第{n}条回复")
        post.created_at = utcnow() - timedelta(days=1, minutes=n)
        if post.held_at is not None:
            held.approve_post(post, thread.author, "")
    db.session.commit()
    return user


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def floor(thread: Thread, number: int) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.floor == number)
    )


# --- who is trusted ------------------------------------------------------------------------


def test_staff_are_trusted_new_accounts_are_not(people, thread):
    assert trust.is_trusted(people["admin"]) and trust.is_trusted(people["mod"])
    assert not trust.is_trusted(people["newcomer"])
    old = veteran(thread=thread)
    assert trust.is_trusted(old)
    old.created_at = utcnow() - timedelta(hours=23)  # three posts, but not a day old
    assert not trust.is_trusted(old)


# --- held posts ----------------------------------------------------------------------------


def test_a_new_accounts_first_reply_is_held_but_takes_its_floor(client, people, thread):
    client.login(people["newcomer"].email)
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "第一次发言很激动"})
    assert response.status_code == 302
    post = floor(thread, 2)
    assert post.held_at is not None
    # The next reply takes the next floor: floors stay gapless.
    services.reply(thread, people["admin"], "欢迎")
    db.session.commit()
    assert floor(thread, 3).held_at is None
    # The author sees their text with a note; a visitor sees that it waits; a moderator reads it.
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "第一次发言很激动" in page and HELD_NOTE in page
    client.logout()
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "第一次发言很激动" not in page and AWAITING in page
    client.login(people["mod"].email)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "第一次发言很激动" in page and f"/forum/p/{post.id}/approve" in page


def test_a_held_post_is_found_only_once_approved(client, people, thread):
    services.reply(thread, people["newcomer"], "地铁三号线延长")
    db.session.commit()
    assert search.search_ids("forum_post", "延长") == []
    assert "地铁三号线" not in client.get("/forum/search?q=延长").get_data(as_text=True)
    client.login(people["mod"].email)
    post = floor(thread, 2)
    assert client.post(f"/forum/p/{post.id}/approve").status_code == 302
    assert floor(thread, 2).held_at is None and floor(thread, 2).approved_by_id == people["mod"].id
    assert search.search_ids("forum_post", "延长") == [post.id]
    client.logout()
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "地铁三号线延长" in page and AWAITING not in page
    assert audit_actions()[-1] == "forum.approve_post"


def test_a_held_new_thread_is_unlisted_until_approved(client, people, board):
    client.login(people["newcomer"].email)
    response = client.post("/forum/b/city/new", {"title": "新人的主题", "source": "大家好"})
    assert response.status_code == 302
    thread = db.session.scalar(sa.select(Thread).where(Thread.title == "新人的主题"))
    assert thread.held_at is not None
    assert client.get(f"/forum/t/{thread.id}").status_code == 200  # its author sees it
    client.logout()
    assert client.get(f"/forum/t/{thread.id}").status_code == 404
    assert "新人的主题" not in client.get("/forum/b/city").get_data(as_text=True)
    assert "新人的主题" not in client.get("/forum/").get_data(as_text=True)
    assert "新人的主题" not in client.get("/forum/b/city/feed.atom").get_data(as_text=True)
    client.login(people["mod"].email)
    assert "新人的主题" in client.get("/forum/b/city/held").get_data(as_text=True)
    client.post(f"/forum/p/{floor(thread, 1).id}/approve")
    client.logout()
    assert "新人的主题" in client.get("/forum/b/city").get_data(as_text=True)
    assert "新人的主题" in client.get("/forum/").get_data(as_text=True)  # the latest post now


def test_a_post_with_a_link_is_held_until_the_account_is_trusted(people, thread, monkeypatch):
    monkeypatch.setattr(trust, "UNTRUSTED_RATE", 100)  # the rate limit is tested below
    newcomer = people["newcomer"]
    first = services.reply(thread, newcomer, "你好")
    held.approve_post(first, people["mod"])
    assert services.reply(thread, newcomer, "没有链接的第二条").held_at is None
    for source in (
        "看这里 https://spam.example/",
        "[便宜货](http://spam.example)",
        "www.spam.example",
    ):
        assert services.reply(thread, newcomer, source).held_at is not None, source
    old = veteran(thread=thread)
    assert services.reply(thread, old, "参考 https://www.gov.cn/").held_at is None
    assert services.reply(thread, people["admin"], "https://www.gov.cn/").held_at is None


def test_an_edit_that_adds_a_link_waits_for_approval_again(client, people, thread):
    newcomer = people["newcomer"]
    post = services.reply(thread, newcomer, "你好")
    held.approve_post(post, people["mod"])
    db.session.commit()
    assert search.search_ids("forum_post", "你好") == [post.id]
    client.login(newcomer.email)
    response = client.post(f"/forum/p/{post.id}/edit", {"source": "你好 https://spam.example/"})
    assert response.status_code == 302
    assert floor(thread, 2).held_at is not None
    assert search.search_ids("forum_post", "你好") == []


def test_an_opening_post_edited_to_carry_a_link_takes_its_thread_back_to_waiting(
    client, people, board
):
    newcomer = people["newcomer"]
    thread = services.start_thread(board, newcomer, "新人的主题", "大家好")
    held.approve_post(floor(thread, 1), people["mod"])
    db.session.commit()
    assert "新人的主题" in client.get("/forum/").get_data(as_text=True)
    client.login(newcomer.email)
    response = client.post(
        f"/forum/p/{floor(thread, 1).id}/edit", {"source": "大家好 https://spam.example/"}
    )
    assert response.status_code == 302
    client.logout()
    # Unlisted again until a moderator looks at it: no thread page, no board row, no index row.
    assert client.get(f"/forum/t/{thread.id}").status_code == 404
    assert "新人的主题" not in client.get("/forum/b/city").get_data(as_text=True)
    assert "新人的主题" not in client.get("/forum/").get_data(as_text=True)
    assert search.search_ids("forum_post", "大家好") == []
    held.approve_post(floor(thread, 1), people["mod"])
    db.session.commit()
    assert client.get(f"/forum/t/{thread.id}").status_code == 200
    assert "新人的主题" in client.get("/forum/").get_data(as_text=True)


def test_a_quote_is_not_a_link(people, thread):
    newcomer = people["newcomer"]
    held.approve_post(services.reply(thread, newcomer, "你好"), people["mod"])
    quoted = services.reply(thread, newcomer, "同意", quote=floor(thread, 1))
    assert quoted.held_at is None


def test_rejecting_hides_the_post_with_the_reason_and_is_audited(client, people, thread):
    services.reply(thread, people["newcomer"], "买药加我")
    db.session.commit()
    post = floor(thread, 2)
    client.login(people["mod"].email)
    response = client.post(f"/forum/p/{post.id}/reject", {"reason": "广告"})
    assert response.status_code == 302
    assert floor(thread, 2).hidden_reason == "广告"
    assert audit_actions()[-1] == "forum.reject_post"
    assert "买药加我" not in client.get("/forum/b/city/held").get_data(as_text=True)
    client.logout()
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "Hidden by a moderator: 广告" in page and "买药加我" not in page


def test_rejecting_a_held_opening_post_deletes_its_thread(people, board):
    thread = services.start_thread(board, people["newcomer"], "广告主题", "加我微信")
    held.reject_post(floor(thread, 1), people["mod"], "广告")
    db.session.commit()
    assert thread.deleted_at is not None
    assert audit_actions()[-2:] == ["forum.reject_post", "forum.delete_thread"]


HELD_ACTIONS = [
    ("queue", "get", "/forum/b/city/held", None),
    ("approve", "post", "/forum/p/{post}/approve", {}),
    ("reject", "post", "/forum/p/{post}/reject", {"reason": "广告"}),
]


@pytest.mark.parametrize("role", ["visitor", "citizen", "other_mod", "mod", "admin"])
@pytest.mark.parametrize("action", HELD_ACTIONS, ids=[a[0] for a in HELD_ACTIONS])
def test_held_posts_permission_matrix(client, people, thread, role, action):
    post = services.reply(thread, people["newcomer"], "待审核")
    citizen = make_user("citizen@example.com", name="市民甲")
    db.session.commit()
    _name, method, url, data = action
    url = url.format(post=post.id)
    if role != "visitor":
        client.login(citizen.email if role == "citizen" else people[role].email)
    response = client.get(url) if method == "get" else client.post(url, data)
    if role == "visitor":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif role in ("mod", "admin"):
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
    if role == "admin":
        assert client.get("/forum/held").status_code == 200
    elif role != "visitor":
        assert client.get("/forum/held").status_code == 403


def test_approve_and_reject_need_the_csrf_token(client, people, thread):
    post = services.reply(thread, people["newcomer"], "待审核")
    db.session.commit()
    client.login(people["mod"].email)
    assert client.post(f"/forum/p/{post.id}/approve", csrf=False).status_code == 400
    assert client.post(f"/forum/p/{post.id}/reject", {"reason": "x"}, csrf=False).status_code == 400
    assert floor(thread, 2).held_at is not None and floor(thread, 2).hidden_at is None


# --- the posting rate limit ----------------------------------------------------------------


def test_a_new_account_posts_at_most_three_times_in_ten_minutes(
    client, people, thread, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    client.login(people["newcomer"].email)
    for n in range(trust.UNTRUSTED_RATE):
        response = client.post(f"/forum/t/{thread.id}/reply", {"source": f"第{n}条"})
        assert response.status_code == 302
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "还想说"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You are posting too often: at most 3 posts in 10 minutes." in page
    assert "You can post again at" in page
    assert thread.post_count == 1 + trust.UNTRUSTED_RATE
    time_machine.shift(trust.RATE_WINDOW + timedelta(seconds=1))
    assert client.post(f"/forum/t/{thread.id}/reply", {"source": "还想说"}).status_code == 302


def test_trusted_accounts_have_a_higher_limit_and_staff_none(people, thread, monkeypatch, english):
    monkeypatch.setattr(trust, "TRUSTED_RATE", 5)
    old = veteran(thread=thread)
    for n in range(5):
        services.reply(thread, old, f"第{n}条")
    with pytest.raises(services.ForumError, match="at most 5 posts"):
        services.reply(thread, old, "第六条")
    for n in range(8):
        services.reply(thread, people["mod"], f"版主第{n}条")


# --- the thread page's cost ----------------------------------------------------------------


def _thread_page_queries(client, count_queries, thread_id: int) -> int:
    with count_queries() as counter:
        assert client.get(f"/forum/t/{thread_id}").status_code == 200
    return counter.count


def test_held_posts_add_no_query_per_post_to_the_thread_page(client, people, board, count_queries):
    authors = [make_user(f"writer{n}@example.com", name=f"作者{n}") for n in range(10)]
    short = services.start_thread(board, people["admin"], "短帖", "内容")
    long = services.start_thread(board, people["admin"], "长帖", "内容")
    for n in range(2):
        services.reply(short, authors[n], "新人的话")  # held: first posts
    for n in range(10):
        services.reply(long, authors[n], "新人的话")  # held
        services.reply(long, people["admin"], "回复")
    db.session.commit()
    client.login(people["newcomer"].email)
    few = _thread_page_queries(client, count_queries, short.id)
    assert _thread_page_queries(client, count_queries, long.id) == few


def test_the_demo_posts_are_neither_held_nor_rate_limited(app):
    ensure_demo_accounts("demo-password")
    load_forum_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(Post.held_at.is_not(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) > 500
