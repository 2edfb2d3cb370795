"""The report queue pages through every open report, oldest first, by keyset on (created_at, id):
forward with "Newer reports", back with "Older reports", ties on created_at broken by id."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import moderation
from forum.models import Post, Report
from forum.report_queue import REPORTS_PER_PAGE
from forum.trust import waived
from portal.accounts.models import Role
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread

TOTAL = 2 * REPORTS_PER_PAGE + 7
REASON = re.compile(r"<li>reason-(\d{3}) —")


@pytest.fixture
def queue(app):
    """TOTAL open reports on one board: two reporters, one report per reporter and post, with
    groups of three sharing a created_at so that the id has to break the tie."""
    board = make_board("city", "城市建设")
    other = make_board("parks", "公园绿地")
    author = make_user("author@example.com", name="楼主")
    reporters = [make_user(f"r{n}@example.com") for n in range(2)]
    admin = make_user("admin@example.com", roles={Role.ADMIN})
    mod = make_user("mod@example.com", roles={Role.MODERATOR})
    moderation.grant_moderator(board, mod, admin)
    with waived():
        thread = make_thread(board, author, replies=TOTAL // 2)
        elsewhere = make_thread(other, author)
    posts = list(
        db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id).order_by(Post.floor))
    )
    start = utcnow() - timedelta(days=1)
    for number in range(TOTAL):
        db.session.add(
            Report(
                post_id=posts[number // 2].id,
                reporter_id=reporters[number % 2].id,
                reason=f"reason-{number:03d}",
                created_at=start + timedelta(seconds=number // 3),
            )
        )
    # A report on another board is not in this board's queue.
    other_post = db.session.scalar(sa.select(Post).where(Post.thread_id == elsewhere.id))
    db.session.add(Report(post_id=other_post.id, reporter_id=reporters[0].id, reason="elsewhere"))
    db.session.commit()
    return admin


def reasons(page: str) -> list[int]:
    return [int(number) for number in REASON.findall(page)]


def link(page: str, label: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)"[^>]*>{label}</a>', page)
    return html_lib.unescape(match.group(1)) if match else None


def walk(client, url: str, label: str) -> tuple[list[list[int]], str]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        pages.append(reasons(page))
        last_url, url = url, link(page, label)
    return pages, last_url


def test_a_moderator_works_through_every_report_and_back(client, queue):
    client.login("mod@example.com")
    forward, last_url = walk(client, "/forum/b/city/reports", "Newer reports")
    assert [len(page) for page in forward] == [REPORTS_PER_PAGE, REPORTS_PER_PAGE, 7]
    assert [number for page in forward for number in page] == list(range(TOTAL))
    backward, _first = walk(client, last_url, "Older reports")
    assert backward == forward[::-1]


def test_the_administrators_queue_of_every_board_pages_too(client, queue):
    client.login("admin@example.com")
    first = client.get("/forum/reports").get_data(as_text=True)
    assert "Older reports" not in first
    newer = link(first, "Newer reports")
    assert newer is not None
    seen = reasons(first)
    while newer:
        page = client.get(newer).get_data(as_text=True)
        seen += reasons(page)
        newer = link(page, "Newer reports")
    assert seen == list(range(TOTAL))
    assert "elsewhere" in page  # the last page has the other board's (newest) report


def test_a_report_resolved_meanwhile_does_not_break_the_pages(client, queue):
    client.login("mod@example.com")
    first = client.get("/forum/b/city/reports").get_data(as_text=True)
    newer = link(first, "Newer reports")
    # Hide the post of reports 0 and 1 (floor 1): they leave the queue, the cursor still holds.
    post = db.session.scalar(sa.select(Post).where(Post.floor == 1).order_by(Post.id))
    moderation.hide_post(post, queue, "广告")
    db.session.commit()
    assert reasons(client.get(newer).get_data(as_text=True))[0] == REPORTS_PER_PAGE


def test_a_bad_cursor_shows_the_first_page(client, queue):
    client.login("mod@example.com")
    page = client.get("/forum/b/city/reports?after=nonsense").get_data(as_text=True)
    assert reasons(page)[:3] == [0, 1, 2]


def test_the_query_count_is_the_same_on_every_page(client, queue, count_queries):
    client.login("mod@example.com")
    first = client.get("/forum/b/city/reports").get_data(as_text=True)
    counts = []
    for url in ("/forum/b/city/reports", link(first, "Newer reports")):
        with count_queries() as counter:
            client.get(url)
        counts.append(counter.count)
    assert counts[0] == counts[1]
