"""Starting threads, replying on the next floor, quoting, editing, and who may post."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import services
from forum.models import Post, PostRevision, Thread
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread


def floors(thread: Thread) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Post.floor).where(Post.thread_id == thread.id).order_by(Post.floor)
        )
    )


def test_a_citizen_starts_a_thread_and_others_reply_on_the_next_floors(client, citizen):
    board = make_board()
    client.login(citizen.email)
    response = client.post(
        "/forum/b/city/new", {"title": "公园开放时间", "source": "希望**延长**到晚上十点。"}
    )
    assert response.status_code == 302
    thread = db.session.scalar(sa.select(Thread))
    assert response.headers["Location"].endswith(f"/forum/t/{thread.id}")

    other = make_user("other@example.com", name="市民乙")
    client.logout()
    client.login(other.email)
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "同意，晚上散步的人很多。"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forum/t/{thread.id}?page=1#floor-2")
    client.post(f"/forum/t/{thread.id}/reply", {"source": "再补充一点。"})

    assert floors(thread) == [1, 2, 3]
    db.session.refresh(thread)
    db.session.refresh(board)
    assert (thread.post_count, thread.reply_count) == (3, 2)
    assert thread.last_post_author_id == other.id
    assert (board.thread_count, board.post_count) == (1, 3)
    last = db.session.scalar(sa.select(Post).where(Post.floor == 3))
    assert board.last_post_id == last.id
    assert board.last_post_at == thread.last_post_at == last.created_at

    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert 'id="floor-1"' in page and 'id="floor-3"' in page
    assert "<strong>延长</strong>" in page
    assert "市民甲" in page and "市民乙" in page


def test_a_quote_names_the_floor_and_links_back_to_it(client, citizen):
    thread = make_thread(make_board(), citizen, replies=2)
    client.login(citizen.email)
    form = client.get(f"/forum/t/{thread.id}/reply?quote=2").get_data(as_text=True)
    assert 'name="quote" type="hidden" value="2"' in form

    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "我也这么想。", "quote": "2"})
    assert response.status_code == 302
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.floor == 4))
    assert post.html.startswith("<blockquote>")
    assert f'href="/forum/t/{thread.id}?page=1#floor-2"' in post.html
    assert "#2" in post.html and "市民甲" in post.html and "第2楼的回复" in post.html
    assert post.html.rstrip().endswith("<p>我也这么想。</p>")


def test_quoted_text_is_plain_text_and_cannot_become_markup(app, citizen):
    board = make_board()
    thread = services.start_thread(board, citizen, "标题", "[点我](javascript:alert(1)) <b>粗</b>")
    quoted = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    post = services.reply(thread, citizen, "回复", quote=quoted)
    assert 'href="javascript' not in post.html
    assert "<b>" not in post.html
    assert post.html.count("<a ") == 1  # only the link back to the quoted floor


def test_editing_a_post_keeps_the_previous_version(client, citizen):
    thread = make_thread(make_board(), citizen)
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    client.login(citizen.email)
    assert client.get(f"/forum/p/{post.id}/edit").status_code == 200
    response = client.post(f"/forum/p/{post.id}/edit", {"source": "改过的*内容*"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.source == "改过的*内容*"
    assert "<em>内容</em>" in post.html
    assert post.edit_count == 1 and post.edited_at is not None
    revision = db.session.scalar(sa.select(PostRevision))
    assert revision.post_id == post.id and revision.editor_id == citizen.id
    assert revision.source == "希望**加密**班次。"
    assert "<strong>加密</strong>" in revision.html
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "edited" in page and "<em>内容</em>" in page


def test_only_the_author_edits_a_post(client, citizen):
    thread = make_thread(make_board(), citizen)
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    other = make_user("other@example.com", name="市民乙")
    client.login(other.email)
    assert client.get(f"/forum/p/{post.id}/edit").status_code == 403
    assert client.post(f"/forum/p/{post.id}/edit", {"source": "篡改"}).status_code == 403
    db.session.refresh(post)
    assert post.source == "希望**加密**班次。"


def test_a_locked_thread_refuses_replies_with_a_clear_message(client, citizen, english):
    thread = make_thread(make_board(), citizen)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(services.ForumError, match="locked"):
        services.reply(thread, citizen, "还能回复吗？")
    db.session.rollback()
    # Locked by a moderator after the replier loaded the thread: the floor counter refuses too.
    stale = db.session.get(Thread, thread.id)
    stale.is_locked = False  # what the replier's copy says; the database says locked
    with pytest.raises(services.ForumError, match="locked"), db.session.no_autoflush:
        services.reply(stale, citizen, "还能回复吗？")
    db.session.rollback()

    client.login(citizen.email)
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "还能回复吗？"})
    assert response.status_code == 403
    assert "This thread is locked" in response.get_data(as_text=True)
    assert floors(thread) == [1]
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "This thread is locked" in page and 'name="source"' not in page


def test_an_unverified_account_cannot_post(client, citizen, english):
    thread = make_thread(make_board(), citizen)
    newcomer = make_user("new@example.com", name="新用户", verified=False)
    with pytest.raises(services.ForumError, match="Verify your email"):
        services.reply(thread, newcomer, "你好")
    db.session.rollback()

    # Unverified accounts cannot log in; an account that loses its verification while signed in
    # (say, after changing its address) must not post either.
    client.login(citizen.email)
    citizen.email_verified_at = None
    db.session.commit()
    for path, data in [
        (f"/forum/t/{thread.id}/reply", {"source": "你好"}),
        ("/forum/b/city/new", {"title": "新帖", "source": "你好"}),
    ]:
        response = client.post(path, data)
        assert response.status_code == 403
        assert "Verify your email address before you post." in response.get_data(as_text=True)
    assert floors(thread) == [1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


@pytest.mark.parametrize("path", ["/forum/t/{id}/reply", "/forum/b/city/new"])
def test_a_visitor_is_sent_to_log_in(client, citizen, path):
    thread = make_thread(make_board(), citizen)
    response = client.get(path.format(id=thread.id))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    response = client.post(path.format(id=thread.id), {"source": "匿名", "title": "匿名"})
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    assert floors(thread) == [1]


def test_a_post_without_the_csrf_token_is_refused(client, citizen):
    thread = make_thread(make_board(), citizen)
    client.login(citizen.email)
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "没有令牌"}, csrf=False)
    assert response.status_code == 400
    response = client.post("/forum/b/city/new", {"title": "t", "source": "s"}, csrf=False)
    assert response.status_code == 400
    assert floors(thread) == [1]


def test_preview_renders_without_saving(client, citizen):
    thread = make_thread(make_board(), citizen)
    client.login(citizen.email)
    response = client.post(
        f"/forum/t/{thread.id}/reply", {"source": "预览**一下**", "preview": "Preview"}
    )
    assert response.status_code == 200
    assert "<strong>一下</strong>" in response.get_data(as_text=True)
    assert floors(thread) == [1]


def test_an_empty_reply_is_refused_with_a_message(client, citizen):
    thread = make_thread(make_board(), citizen)
    client.login(citizen.email)
    response = client.post(f"/forum/t/{thread.id}/reply", {"source": "   "})
    assert response.status_code == 400
    assert "Write something before you post." in response.get_data(as_text=True)
    assert floors(thread) == [1]


def test_the_reply_form_shows_which_floor_it_quotes_and_previews_the_quote(client, citizen):
    thread = make_thread(make_board(), citizen, replies=1)
    client.login(citizen.email)
    page = client.get(f"/forum/t/{thread.id}/reply?quote=2").get_data(as_text=True)
    assert "#2" in page and "市民甲" in page
    response = client.post(
        f"/forum/t/{thread.id}/reply", {"source": "赞同", "quote": "2", "preview": "Preview"}
    )
    html = response.get_data(as_text=True)
    assert f'href="/forum/t/{thread.id}?page=1#floor-2"' in html and "<p>赞同</p>" in html
    assert floors(thread) == [1, 2]


def test_a_deleted_thread_refuses_replies_even_from_moderators(client, citizen, admin, english):
    from portal.db import utcnow

    thread = make_thread(make_board(), citizen)
    thread.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(services.ForumError, match="deleted"):
        services.reply(thread, admin, "还能回复吗？")
    db.session.rollback()


def test_moderators_find_the_report_queue_from_the_board_page(client, citizen, admin):
    board = make_board()
    db.session.commit()
    assert f"/forum/b/{board.slug}/reports" not in client.get(f"/forum/b/{board.slug}").get_data(
        as_text=True
    )
    client.login(citizen.email)
    assert f"/forum/b/{board.slug}/reports" not in client.get(f"/forum/b/{board.slug}").get_data(
        as_text=True
    )
    client.logout()
    client.login(admin.email)
    page = client.get(f"/forum/b/{board.slug}").get_data(as_text=True)
    assert f"/forum/b/{board.slug}/reports" in page
    assert f"/forum/admin/boards/{board.slug}/moderators" in page
