"""What a post held for approval must not give away before a moderator approves it: its thread's
title (forum index, search), a bump of its thread or its author's name on the board page; and
what approving must do: show it there, mail it to the thread's watchers, and happen only once.
Run with the trust rules on (the forum conftest's waiver is overridden)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum import bans, held, moderation, services
from forum.digest import send_digests
from forum.models import Board, Post, Thread
from forum.watching import watch
from portal import search
from portal.accounts.models import Role, User
from portal.audit import AuditEntry
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.conftest import make_user
from tests.forum.helpers import make_board

HELD_TITLE = "新人的秘密主题"
SPAMMER = "推销员小王"


@pytest.fixture
def new_account_limits():
    """Overrides the forum conftest's waiver: here the trust rules apply."""
    yield


@pytest.fixture
def board(app) -> Board:
    return make_board("city", "城市建设")


@pytest.fixture
def people(app, board):
    admin = make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})
    mod = make_user("mod@example.com", name="版主乙")
    moderation.grant_moderator(board, mod, admin)
    people = {
        "admin": admin,
        "mod": mod,
        "newcomer": make_user("new@example.com", name=SPAMMER),
        "watcher": make_user("watcher@example.com", name="围观者"),
    }
    for user in people.values():
        user.locale = "en"
    db.session.commit()
    return people


def floor(thread: Thread, number: int) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.floor == number)
    )


def floors_in(message: OutboundMessage) -> list[int]:
    return [int(number) for number in re.findall(r"^#(\d+) ", message.body_text, re.M)]


def approvals() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "forum.approve_post")
    )


# --- a held thread: nothing of it on the index or in search ----------------------------------


@pytest.mark.parametrize("replier", ["mod", "newcomer"])
def test_a_reply_to_a_held_thread_leaks_neither_its_title_nor_its_text(
    client, people, board, replier
):
    older = services.start_thread(board, people["admin"], "公开的主题", "大家好")
    if replier == "newcomer":  # one approved post: a reply without a link is no longer held
        held.approve_post(services.reply(older, people["newcomer"], "你好"), people["mod"])
    thread = services.start_thread(
        board, people["newcomer"], HELD_TITLE, "看 https://spam.example/"
    )
    assert thread.held_at is not None
    answer = services.reply(thread, people[replier], "关于停车场收费的回复")
    db.session.commit()
    assert answer.held_at is None
    latest = db.session.get(Board, board.id).last_post_id
    assert db.session.get(Post, latest).thread_id == older.id
    assert HELD_TITLE not in client.get("/forum/").get_data(as_text=True)
    assert search.search_ids("forum_post", "停车场") == []
    assert "停车场收费" not in client.get("/forum/search?q=停车场").get_data(as_text=True)

    held.approve_post(floor(thread, 1), people["mod"])
    db.session.commit()
    assert db.session.get(Board, board.id).last_post_id == answer.id
    assert HELD_TITLE in client.get("/forum/").get_data(as_text=True)
    assert search.search_ids("forum_post", "停车场") == [answer.id]
    assert "停车场收费" in client.get("/forum/search?q=停车场").get_data(as_text=True)


def test_search_leaves_out_the_posts_of_a_held_thread_even_if_indexed(client, people, board):
    thread = services.start_thread(board, people["newcomer"], HELD_TITLE, "大家好")
    answer = services.reply(thread, people["mod"], "关于停车场收费的回复")
    db.session.commit()
    search.index_document("forum_post", answer.id, "关于停车场收费的回复")  # an old index entry
    db.session.commit()
    assert "停车场收费" not in client.get("/forum/search?q=停车场").get_data(as_text=True)


# --- a held reply: no bump, no spammer's name as the last reply ------------------------------


def test_a_held_reply_neither_bumps_its_thread_nor_names_its_author(
    client, people, board, time_machine
):
    time_machine.move_to(utcnow() - timedelta(hours=1), tick=False)
    quiet = services.start_thread(board, people["admin"], "安静的主题", "内容")
    time_machine.shift(timedelta(minutes=1))
    busy = services.start_thread(board, people["admin"], "热闹的主题", "内容")
    time_machine.shift(timedelta(minutes=1))
    spam = services.reply(quiet, people["newcomer"], "加我微信买便宜货")
    db.session.commit()
    assert spam.held_at is not None

    def board_page() -> str:
        return client.get("/forum/b/city").get_data(as_text=True)

    page = board_page()
    assert page.index("热闹的主题") < page.index("安静的主题")  # not bumped
    assert SPAMMER not in page
    assert db.session.get(Thread, quiet.id).last_post_author_id == people["admin"].id
    assert db.session.get(Board, board.id).last_post_id == floor(busy, 1).id

    held.approve_post(spam, people["mod"])
    db.session.commit()
    page = board_page()
    assert page.index("安静的主题") < page.index("热闹的主题")  # its newest reply counts now
    assert SPAMMER in page
    assert db.session.get(Board, board.id).last_post_id == spam.id


# --- approving: once only, and mailed to the watchers ----------------------------------------


def test_two_moderators_approving_at_once_one_is_told_it_is_approved_already(app, people, board):
    thread = services.start_thread(board, people["admin"], "公交线路建议", "内容")
    post = services.reply(thread, people["newcomer"], "第一次发言")
    db.session.commit()
    post_id, moderator_ids = post.id, [people["mod"].id, people["admin"].id]
    db.session.remove()  # the test's own session holds no transaction while they decide

    both_read_it = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(moderator_id: int) -> None:
        try:
            with app.app_context(), force_locale("en"):
                target = db.session.get(Post, post_id)
                moderator = db.session.get(User, moderator_id)
                assert target.held_at is not None
                _ = target.thread.board  # loaded now: both pages showed the post waiting
                both_read_it.wait(timeout=30)
                try:
                    held.approve_post(target, moderator)
                except services.ForumError as error:
                    db.session.rollback()
                    outcomes.append(str(error))
                else:
                    db.session.commit()
                    outcomes.append("approved")
        except BaseException as error:  # reported below, not lost in the thread
            outcomes.append(repr(error))

    workers = [threading.Thread(target=decide, args=(mid,)) for mid in moderator_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == ["This post is approved already.", "approved"]
    assert approvals() == 1


def test_an_approved_reply_reaches_the_watchers_in_the_next_digest(people, board):
    thread = services.start_thread(board, people["admin"], "公交线路建议", "内容")
    watch(people["watcher"], thread)
    db.session.commit()
    spam_free = services.reply(thread, people["newcomer"], "第一次发言：公交站台需要遮雨棚")
    services.reply(thread, people["mod"], "版主的回复")
    db.session.commit()
    assert spam_free.held_at is not None
    send_digests()
    [first] = _digests_to("watcher@example.com")
    assert floors_in(first) == [3]

    held.approve_post(spam_free, people["mod"])
    db.session.commit()
    send_digests()
    [_first, second] = _digests_to("watcher@example.com")
    assert 2 in floors_in(second) and "公交站台需要遮雨棚" in second.body_text
    # The author is not mailed their own post.
    assert all(2 not in floors_in(m) for m in _digests_to("new@example.com"))


def _digests_to(address: str) -> list[OutboundMessage]:
    messages = db.session.scalars(
        sa.select(OutboundMessage)
        .where(OutboundMessage.kind == "forum_digest")
        .order_by(OutboundMessage.id)
    )
    return [m for m in messages if m.recipients == [address]]


# --- refusals are shown to a browser; next stays on the site ---------------------------------


def _held_reply(people, board) -> Post:
    thread = services.start_thread(board, people["admin"], "公交线路建议", "内容")
    post = services.reply(thread, people["newcomer"], "待审核")
    db.session.commit()
    return post


def test_approving_twice_shows_why_it_is_refused(client, people, board):
    post = _held_reply(people, board)
    client.login(people["mod"].email)
    queue = "/forum/b/city/held"
    assert client.post(f"/forum/p/{post.id}/approve", {"next": queue}).status_code == 302
    response = client.post(f"/forum/p/{post.id}/approve", {"next": queue})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This post is approved already." in page and f'href="{queue}"' in page
    assert approvals() == 1


def test_rejecting_without_a_reason_shows_why(client, people, board):
    post = _held_reply(people, board)
    client.login(people["mod"].email)
    response = client.post(f"/forum/p/{post.id}/reject", {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)
    assert db.session.get(Post, post.id).hidden_at is None


def test_lifting_a_lifted_ban_shows_why(client, people, board):
    ban = bans.ban(people["newcomer"], board, people["mod"], "7d", "广告")
    db.session.commit()
    client.login(people["mod"].email)
    assert client.post(f"/forum/bans/{ban.id}/lift").status_code == 302
    response = client.post(f"/forum/bans/{ban.id}/lift")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This ban is no longer in force." in page and 'href="/forum/b/city/bans"' in page


def test_hiding_without_a_reason_shows_why(client, people, board):
    thread = services.start_thread(board, people["admin"], "公交线路建议", "内容")
    db.session.commit()
    client.login(people["mod"].email)
    response = client.post(f"/forum/p/{floor(thread, 1).id}/hide", {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\\evil.com", "//evil.com", "https://evil.com/"])
def test_next_cannot_lead_off_the_site(client, people, board, target):
    post = _held_reply(people, board)
    client.login(people["mod"].email)
    response = client.post(f"/forum/p/{post.id}/approve", {"next": target})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    response = client.post(f"/forum/p/{post.id}/hide", {"reason": "广告", "next": target})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    refused = client.post(f"/forum/p/{post.id}/approve", {"next": target})
    assert refused.status_code == 400 and "evil" not in refused.get_data(as_text=True)
