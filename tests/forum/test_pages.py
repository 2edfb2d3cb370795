"""The boards, a board's threads and a thread's floors: what they show and what they cost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import services, viewcounts
from forum import views as forum_views
from forum.demo import load_forum_demo
from forum.models import Board, Post, Thread
from portal.db import utcnow
from portal.demo import ensure_demo_accounts
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def authors(app):
    return [make_user(f"author{n}@example.com", name=f"作者{n}") for n in range(5)]


@pytest.fixture(autouse=True)
def empty_view_buffer(app):
    viewcounts.flush_view_counts()  # nothing left over from another test's database
    yield
    viewcounts.flush_view_counts()


def test_the_forum_lists_boards_with_counters_and_latest_activity(client, citizen):
    board = make_board()
    make_board("traffic", "交通出行")
    make_thread(board, citizen, replies=2, title="公园开放时间")
    page = client.get("/forum/").get_data(as_text=True)
    assert "城市建设" in page and "交通出行" in page
    assert "道路、公园和公共设施。" in page
    assert "公园开放时间" in page and "市民甲" in page
    assert "<td>1</td>" in page and "<td>3</td>" in page
    assert "No posts yet" in page


def test_a_board_lists_pinned_threads_first_then_by_latest_reply(client, citizen):
    board = make_board()
    old = make_thread(board, citizen, title="旧帖")
    pinned = make_thread(board, citizen, title="置顶公告")
    recent = make_thread(board, citizen, title="新帖")
    services.reply(old, citizen, "顶起来")  # now the most recently answered
    pinned.is_pinned = True
    recent.is_featured = True
    db.session.commit()
    page = client.get("/forum/b/city").get_data(as_text=True)
    assert page.index("置顶公告") < page.index("旧帖") < page.index("新帖")
    featured = client.get("/forum/b/city?featured=1").get_data(as_text=True)
    assert "新帖" in featured and "旧帖" not in featured and "置顶公告" not in featured


def test_a_board_pages_with_a_keyset_cursor(client, citizen, monkeypatch, count_queries):
    monkeypatch.setattr(forum_views, "THREADS_PER_PAGE", 3)
    board = make_board()
    threads = [make_thread(board, citizen, title=f"主题{n:02d}") for n in range(7)]
    base = utcnow() - timedelta(days=1)
    for n, thread in enumerate(threads):
        thread.last_post_at = base + timedelta(minutes=n)
    db.session.commit()
    seen = []
    url = "/forum/b/city"
    with count_queries() as counter:
        while url:
            page = client.get(url).get_data(as_text=True)
            seen += re.findall(r"主题\d\d", page)
            found = re.search(r'href="([^"]+after=[^"]+)" rel="next"', page)
            url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"主题{n:02d}" for n in reversed(range(7))]
    # Later pages start below the last thread shown (SQLite renders every LIMIT with "OFFSET ?",
    # always 0 here; a count(*) would betray a numbered pager).
    listings = [s for s in counter.statements if "forum_threads.last_post_at <" in s]
    assert len(listings) == 2
    assert not any("count(" in s.lower() for s in counter.statements)


def _board_page_queries(client, count_queries) -> int:
    with count_queries() as counter:
        assert client.get("/forum/b/city").status_code == 200
    return counter.count


def test_board_page_query_count_does_not_grow_with_threads(
    client, authors, monkeypatch, count_queries
):
    monkeypatch.setattr(forum_views, "THREADS_PER_PAGE", 60)
    board = make_board()
    for n in range(5):
        make_thread(board, authors[n], title=f"主题{n}")
    few = _board_page_queries(client, count_queries)
    for n in range(5, 50):
        thread = make_thread(board, authors[n % 5], title=f"主题{n}")
        services.reply(thread, authors[(n + 1) % 5], "回复")
    db.session.commit()
    page = client.get("/forum/b/city").get_data(as_text=True)
    assert len(re.findall(r"主题\d+", page)) == 50
    assert _board_page_queries(client, count_queries) == few


def _thread_page_queries(client, count_queries, thread_id: int, page: int = 1) -> list[str]:
    with count_queries() as counter:
        assert client.get(f"/forum/t/{thread_id}?page={page}").status_code == 200
    return counter.statements


def test_thread_page_query_count_does_not_grow_with_posts(client, authors, count_queries):
    board = make_board()
    short = make_thread(board, authors[0], replies=4, repliers=authors)
    long = make_thread(board, authors[0], replies=49, repliers=authors, title="长帖")
    few = _thread_page_queries(client, count_queries, short.id)
    full = _thread_page_queries(client, count_queries, long.id)
    assert client.get(f"/forum/t/{long.id}").get_data(as_text=True).count("<article") == 25
    assert len(full) == len(few)
    # Signed in (the reply form and "quote" links shown) it stays the same for both.
    client.login(authors[1].email)
    assert len(_thread_page_queries(client, count_queries, short.id)) == len(
        _thread_page_queries(client, count_queries, long.id, page=2)
    )


def test_reading_pages_writes_nothing_and_views_are_counted_apart(client, citizen, count_queries):
    board = make_board()
    thread = make_thread(board, citizen, replies=3)
    for url in ["/forum/", "/forum/b/city", f"/forum/t/{thread.id}"]:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        writes = [s for s in counter.statements if WRITES.match(s)]
        assert writes == [], url
    assert viewcounts.pending_views(thread.id) == 1
    client.get(f"/forum/t/{thread.id}")
    assert viewcounts.flush_view_counts() == 2
    db.session.refresh(thread)
    assert thread.view_count == 2


def test_views_are_written_once_enough_have_gathered(client, app, citizen):
    app.config["KAIMEN_FORUM_VIEW_FLUSH_EVERY"] = 3
    thread = make_thread(make_board(), citizen)
    for _ in range(3):
        client.get(f"/forum/t/{thread.id}")
    db.session.refresh(thread)
    assert thread.view_count == 3
    assert viewcounts.pending_views(thread.id) == 0


def test_a_deep_page_of_the_long_demo_thread_is_a_floor_range(client, count_queries):
    ensure_demo_accounts()
    load_forum_demo()
    db.session.commit()
    load_forum_demo()  # a second run adds nothing
    db.session.commit()
    thread = db.session.scalar(sa.select(Thread).where(Thread.post_count >= 500))
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Post).where(Post.thread_id == thread.id)
        )
        == thread.post_count
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Board)) == 3

    first = _thread_page_queries(client, count_queries, thread.id, page=1)
    deep = _thread_page_queries(client, count_queries, thread.id, page=20)
    assert len(deep) == len(first)
    floor_queries = [s for s in deep if "forum_posts.floor BETWEEN" in s]
    assert len(floor_queries) == 1
    assert not any("OFFSET" in s.upper() for s in deep)

    page = client.get(f"/forum/t/{thread.id}?page=20").get_data(as_text=True)
    assert re.findall(r'id="floor-(\d+)"', page) == [str(n) for n in range(476, 501)]
    last_page = services.page_of_floor(thread.post_count)
    assert f"/forum/t/{thread.id}?page={last_page}" in page  # the "last page" link
    assert f"/forum/t/{thread.id}?page=19" in page and f"/forum/t/{thread.id}?page=21" in page
    assert client.get(f"/forum/t/{thread.id}?page={last_page + 1}").status_code == 404


def test_the_first_post_is_marked_as_the_original_post(client, citizen):
    thread = make_thread(make_board(), citizen, replies=1)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert page.count("Original post") == 1
    assert page.index("#1") < page.index("Original post") < page.index("#2")


def test_unknown_boards_threads_and_posts_are_404(client, citizen):
    client.login(citizen.email)
    for url in ["/forum/b/nowhere", "/forum/t/999", "/forum/p/999/edit", "/forum/t/999/reply"]:
        assert client.get(url).status_code == 404, url
