"""A post's edit history: moderators of its board (and administrators) read every version, with
its time and editor, from the post's "edited" mark; everyone else gets 403."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import moderation, services
from forum.models import Post
from forum.trust import waived
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread


@pytest.fixture
def world(app):
    board, other = make_board("city", "城市建设"), make_board("parks", "公园绿地")
    author = make_user("author@example.com", name="楼主")
    mod = make_user("mod@example.com", name="版主乙", roles={Role.MODERATOR})
    other_mod = make_user("othermod@example.com", name="版主丙", roles={Role.MODERATOR})
    admin = make_user("admin@example.com", name="管理员丁", roles={Role.ADMIN})
    make_user("citizen@example.com", name="市民甲")
    moderation.grant_moderator(board, mod, admin)
    moderation.grant_moderator(other, other_mod, admin)
    with waived():
        thread = make_thread(board, author)
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.floor == 1))
    return post, author


def edit(post: Post, editor, times: int) -> None:
    for number in range(times):
        services.edit_post(post, editor, f"第{number + 1}次修改后的文字")
    db.session.commit()


def test_a_moderator_reads_each_version_with_its_time_and_editor(client, world):
    post, author = world
    edit(post, author, 2)
    client.login("mod@example.com")
    page = client.get(f"/forum/p/{post.id}/revisions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    original, first, second = (
        html.index("希望"),
        html.index("第1次修改后的文字"),
        html.index("第2次修改后的文字"),
    )
    assert second < first < original  # newest first
    assert html.count("Edited by 楼主") == 2 and "Written by 楼主" in html
    assert html.count("<time datetime=") == 3


def test_the_edited_mark_links_to_the_history_for_moderators_only(client, world):
    post, author = world
    edit(post, author, 1)
    link = f'href="/forum/p/{post.id}/revisions"'
    client.login("mod@example.com")
    assert link in client.get(f"/forum/t/{post.thread_id}").get_data(as_text=True)
    client.logout()
    client.login("citizen@example.com")
    page = client.get(f"/forum/t/{post.thread_id}").get_data(as_text=True)
    assert "edited" in page and link not in page


@pytest.mark.parametrize(
    "email, status",
    [
        (None, 403),
        ("citizen@example.com", 403),
        ("author@example.com", 403),
        ("othermod@example.com", 403),
        ("mod@example.com", 200),
        ("admin@example.com", 200),
    ],
)
def test_only_moderators_of_the_board_see_the_history(client, world, email, status):
    post, author = world
    edit(post, author, 1)
    if email:
        client.login(email)
    assert client.get(f"/forum/p/{post.id}/revisions").status_code == status


def test_a_missing_post_is_404(client, world):
    client.login("admin@example.com")
    assert client.get("/forum/p/999999/revisions").status_code == 404


def test_the_query_count_does_not_grow_with_the_revisions(client, world, count_queries):
    post, author = world
    client.login("mod@example.com")
    counts = []
    for edits in (1, 9):
        edit(post, author, edits)
        with count_queries() as counter:
            assert client.get(f"/forum/p/{post.id}/revisions").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
