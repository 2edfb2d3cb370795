"""Searching posts by one, two or more Chinese characters: indexed on write, paged newest first."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum import services
from forum.indexing import POST_DOC
from forum.models import Post
from forum.search_views import RESULTS_PER_PAGE, excerpt
from portal.db import utcnow
from portal.extensions import db
from portal.search import search_ids
from tests.forum.helpers import make_board
from tests.portal.test_search import _captured_sql


@pytest.fixture
def posts(app, citizen):
    """Three threads whose posts share some words and not others."""
    board = make_board()
    park = services.start_thread(board, citizen, "公园开放时间", "希望延长到晚上十点。")
    services.reply(park, citizen, "晚上散步的人很多，公园应该加装路灯。")
    bus = services.start_thread(board, citizen, "公交线路建议", "希望加密早高峰班次。")
    services.reply(bus, citizen, "地铁站到公园没有公交。")
    db.session.commit()
    return {
        (post.thread.title, post.floor): post.id
        for post in db.session.scalars(sa.select(Post).options(sa.orm.joinedload(Post.thread)))
    }


def found(client, query: str, **args) -> str:
    response = client.get("/forum/search", query_string={"q": query, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def result_links(page: str) -> list[str]:
    return re.findall(r'<h2><a href="([^"]+)">', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("灯", [("公园开放时间", 2)]),  # one character
        ("公交", [("公交线路建议", 2), ("公交线路建议", 1)]),  # two: the title counts on floor 1
        ("公园", [("公交线路建议", 2), ("公园开放时间", 2), ("公园开放时间", 1)]),
        ("加装路灯", [("公园开放时间", 2)]),  # four
        ("早高峰班", [("公交线路建议", 1)]),
        ("开放时间", [("公园开放时间", 1)]),  # in a title only
        ("路灯公交", []),  # every pair must be there
        ("图书馆", []),
    ],
)
def test_chinese_queries_find_the_right_posts_newest_first(posts, query, expected):
    assert search_ids(POST_DOC, query) == [posts[key] for key in expected]


def test_the_search_page_links_each_result_to_its_floor(client, posts, citizen):
    page = found(client, "路灯")
    thread_id = db.session.get(Post, posts[("公园开放时间", 2)]).thread_id
    assert result_links(page) == [f"/forum/t/{thread_id}?page=1#floor-2"]
    assert "公园开放时间" in page and "#2" in page and citizen.display_name in page
    assert "公园应该加装路灯" in page  # the excerpt
    assert "公交线路建议" not in page

    assert "No posts found" in found(client, "图书馆")
    assert "No posts found" not in found(client, "")


def test_results_are_paged_newest_first(client, app, citizen):
    board = make_board()
    thread = services.start_thread(board, citizen, "噪音投诉", "工地夜间施工。")
    for number in range(RESULTS_PER_PAGE + 4):
        services.reply(thread, citizen, f"第{number + 2}楼：夜间施工太吵。")
    services.reply(thread, citizen, "无关的回复。")
    db.session.commit()

    first = found(client, "夜间")
    floors = [int(link.rsplit("-", 1)[1]) for link in result_links(first)]
    assert floors == list(range(RESULTS_PER_PAGE + 5, 5, -1))
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    floors = [int(link.rsplit("-", 1)[1]) for link in result_links(second)]
    assert floors == [5, 4, 3, 2, 1]
    assert 'rel="next"' not in second
    assert "#floor-5" in second and "page=1" in second


def test_an_edit_is_indexed_again(client, posts, citizen):
    post = db.session.get(Post, posts[("公园开放时间", 2)])
    client.login(citizen.email)
    response = client.post(f"/forum/p/{post.id}/edit", {"source": "建议增加垃圾桶。"})
    assert response.status_code == 302
    assert search_ids(POST_DOC, "路灯") == []
    assert search_ids(POST_DOC, "垃圾桶") == [post.id]


def test_a_retitled_thread_is_found_by_its_new_title(posts):
    post = db.session.get(Post, posts[("公园开放时间", 1)])
    post.thread.title = "绿地管理"
    db.session.commit()
    assert search_ids(POST_DOC, "开放") == []
    assert search_ids(POST_DOC, "绿地") == [post.id]


def test_a_deleted_thread_is_no_longer_found(posts):
    post = db.session.get(Post, posts[("公交线路建议", 1)])
    db.session.delete(post.thread)
    db.session.commit()
    assert search_ids(POST_DOC, "公交") == []
    assert search_ids(POST_DOC, "公园") == [posts[("公园开放时间", 2)], posts[("公园开放时间", 1)]]


def test_nothing_is_indexed_when_the_post_is_rolled_back(posts, citizen):
    thread = db.session.get(Post, posts[("公交线路建议", 1)]).thread
    services.reply(thread, citizen, "社区医院门口需要停车位。")
    db.session.rollback()
    assert search_ids(POST_DOC, "医院") == []


def test_the_forum_index_has_a_search_box(client, posts):
    page = client.get("/forum/").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/forum/search"' in page
    assert '<label for="forum-q">' in page


def test_a_two_character_query_uses_the_index(client, app, backend, citizen):
    board = make_board()
    thread = services.start_thread(board, citizen, "意见汇总", "行政许可意见。")
    for number in range(300):
        services.reply(thread, citizen, f"第{number + 2}楼 行政许可")
    services.reply(thread, citizen, "排污许可证")
    db.session.commit()
    if backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE search_documents"))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    with _captured_sql() as captured:
        search_ids(POST_DOC, "排污")
    (statement, parameters), *_ = captured
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    plan = [
        row[-1] for row in db.session.connection().exec_driver_sql(explain + statement, parameters)
    ]
    if backend == "sqlite":
        assert plan[0].startswith("SCAN search_fts VIRTUAL TABLE INDEX"), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
    else:
        assert "Bitmap Index Scan on ix_search_documents_tokens" in "\n".join(plan), plan


def test_hidden_posts_and_deleted_threads_are_not_shown(client, posts):
    hidden = db.session.get(Post, posts[("公园开放时间", 2)])
    hidden.hidden_at = utcnow()
    db.session.get(Post, posts[("公交线路建议", 1)]).thread.deleted_at = utcnow()
    db.session.commit()
    page = found(client, "公园")
    assert len(result_links(page)) == 1
    assert "公园开放时间" in page and "加装路灯" not in page and "公交线路建议" not in page
    assert "No posts found" in found(client, "路灯")


def test_the_excerpt_starts_near_the_match_and_shows_markup_as_text(client, app, citizen):
    thread = services.start_thread(
        make_board(), citizen, "长帖", "开头" * 60 + "关键词 <script>alert(1)</script> 结尾"
    )
    db.session.commit()
    page = found(client, "关键词")
    assert f"/forum/t/{thread.id}?page=1#floor-1" in page
    assert "…" + "开头" * 15 + "关键词 &lt;script&gt;alert(1)&lt;/script&gt; 结尾" in page
    assert "<script>alert" not in page
    assert excerpt("一" * 200, "无", length=10) == "一" * 9 + "…"
