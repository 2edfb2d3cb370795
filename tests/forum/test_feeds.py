"""Atom feeds of a board's newest threads and a thread's newest posts."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import datetime

import sqlalchemy as sa

from forum import services
from forum.feeds import FEED_ENTRIES
from forum.models import Post
from portal.db import utcnow
from portal.extensions import db
from tests.forum.helpers import make_board, make_thread

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def text(entry: ET.Element, name: str) -> str:
    return entry.findtext(f"{ATOM}{name}") or ""


def link(entry: ET.Element) -> str:
    return entry.find(f"{ATOM}link").get("href")


def test_a_board_feed_lists_its_newest_threads_first(client, citizen):
    board = make_board()
    other = make_board("parks", "公园绿地")
    for number in range(FEED_ENTRIES + 2):
        services.start_thread(board, citizen, f"第{number}号建议", f"内容{number}")
    services.start_thread(other, citizen, "别的版块", "不在这里")
    db.session.commit()

    root = atom(client, "/forum/b/city/feed.atom")
    assert text(root, "title").startswith("城市建设")
    items = entries(root)
    assert len(items) == FEED_ENTRIES
    assert [text(entry, "title") for entry in items] == [
        f"第{number}号建议" for number in range(FEED_ENTRIES + 1, 1, -1)
    ]
    first = items[0]
    assert link(first).startswith("http://kaimen.test/forum/t/")
    assert text(first.find(f"{ATOM}author"), "name") == citizen.display_name
    assert "内容31" in text(first, "content")
    updated = text(first, "updated")
    assert datetime.fromisoformat(updated).utcoffset().total_seconds() == 0
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://kaimen.test/forum/b/city/feed.atom"


def test_a_thread_feed_lists_its_newest_posts_first_with_links_to_their_floors(client, citizen):
    thread = make_thread(make_board(), citizen, replies=FEED_ENTRIES + 9)
    root = atom(client, f"/forum/t/{thread.id}/feed.atom")
    items = entries(root)
    assert len(items) == FEED_ENTRIES
    last = FEED_ENTRIES + 10
    assert text(items[0], "title") == f"#{last} · 公交线路建议"
    assert link(items[0]) == f"http://kaimen.test/forum/t/{thread.id}?page=2#floor-{last}"
    assert link(items[-1]) == f"http://kaimen.test/forum/t/{thread.id}?page=1#floor-11"
    assert f"第{last}楼的回复" in text(items[0], "content")


def test_feed_content_is_escaped_sanitised_html(client, citizen):
    thread = services.start_thread(
        make_board(),
        citizen,
        "<script>alert(1)</script>标题",
        "正文<script>alert(2)</script>**粗体**",
    )
    db.session.commit()
    for url in ("/forum/b/city/feed.atom", f"/forum/t/{thread.id}/feed.atom"):
        raw = client.get(url).get_data(as_text=True)
        assert "<script" not in raw
        (entry,) = entries(ET.fromstring(raw.encode()))  # noqa: S314 - our own output
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert len(content) == 0  # text, not XML elements
        decoded = content.text
        assert "<strong>粗体</strong>" in decoded
        assert "<script" not in decoded
        assert "alert(2)" in html.unescape(decoded)  # shown as text, never as an element
        assert "<script>alert(1)</script>标题" in text(entry, "title")


def test_board_and_thread_pages_announce_their_feeds(client, citizen):
    thread = make_thread(make_board(), citizen)
    board_page = client.get("/forum/b/city").get_data(as_text=True)
    assert (
        'rel="alternate" type="application/atom+xml"' in board_page
        and 'href="/forum/b/city/feed.atom"' in board_page
    )
    thread_page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'href="/forum/t/{thread.id}/feed.atom"' in thread_page


def test_feeds_of_missing_boards_and_threads_are_404(client, app):
    assert client.get("/forum/b/nowhere/feed.atom").status_code == 404
    assert client.get("/forum/t/999/feed.atom").status_code == 404


def test_feeds_leave_out_hidden_posts_and_deleted_threads(client, citizen):
    board = make_board()
    kept = make_thread(board, citizen, replies=2, title="保留的主题")
    gone = make_thread(board, citizen, title="删除的主题")
    hidden_opening = make_thread(board, citizen, title="楼主被隐藏")
    gone.deleted_at = utcnow()
    for thread, floor in ((kept, 2), (hidden_opening, 1)):
        post = db.session.scalar(
            sa.select(Post).where(Post.thread_id == thread.id, Post.floor == floor)
        )
        post.hidden_at = utcnow()
    db.session.commit()

    titles = [text(entry, "title") for entry in entries(atom(client, "/forum/b/city/feed.atom"))]
    assert titles == ["保留的主题"]
    floors = [link(entry) for entry in entries(atom(client, f"/forum/t/{kept.id}/feed.atom"))]
    assert [url.rsplit("-", 1)[1] for url in floors] == ["3", "1"]
    assert client.get(f"/forum/t/{gone.id}/feed.atom").status_code == 404
