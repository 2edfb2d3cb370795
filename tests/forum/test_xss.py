"""Hostile posts, titles and names, stored through the forum's services: the HTML stored for each
post and every page that shows them carry no executable markup (checked with html.parser).

The same world is opened in a real browser by tests/browser/test_forum_xss.py.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from forum import services
from tests.forum.xss_world import (
    FORUM_HOSTILE_INPUTS,
    HOSTILE_NAME,
    MARKER,
    bad_url,
    executable_markup,
    seed,
    stored_posts,
)
from tests.portal.xss_inputs import HOSTILE_INPUTS

OLDER = re.compile(r'href="([^"]*before=\d+[^"]*)" rel="next"')


@pytest.fixture
def world(app):
    world = seed()
    from portal.extensions import db

    db.session.commit()
    return world


def test_the_forum_list_extends_the_portal_list():
    assert set(HOSTILE_INPUTS) < set(FORUM_HOSTILE_INPUTS)
    assert len(FORUM_HOSTILE_INPUTS) - len(HOSTILE_INPUTS) >= 40


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="javascript:alert(1)">x</a></p>',
        '<p><a href=" &#x0A;JaVa\tScRiPt:x">x</a></p>',
        '<p><a href="\u200bdata:text/html,x">x</a></p>',
        "<p onclick=x>x</p>",
        "<svg></svg>",
        "<p style=x>x</p>",
        '<meta http-equiv="refresh" content="0;url=https://a.example/">',
    ],
)
def test_the_rules_catch_executable_markup(html):
    """The checker itself must fail on what it is meant to find, or the tests below prove nothing."""
    assert executable_markup(html, fragment=True)


def test_the_rules_let_ordinary_markup_through():
    html = '<p><a href="https://a.example/" rel="nofollow ugc noopener">x</a> <code>y</code></p>'
    assert executable_markup(html, fragment=True) == []
    assert not bad_url("https://a.example/javascript:x")


def test_stored_post_html_is_inert_and_quotes_link_back(world):
    posts = stored_posts(world.board_slug)
    assert len(posts) == world.post_count > len(FORUM_HOSTILE_INPUTS)
    for post in posts:
        assert executable_markup(post.html, fragment=True) == [], post.source

    quotes = [post for post in posts if f"{MARKER} 引用" in post.source]
    assert len(quotes) >= 10
    for post in quotes:
        # The quote names the quoted floor and links to it, with the hostile name as plain text.
        assert re.search(r'<a href="/forum/t/\d+\?page=\d+#floor-\d+"', post.html), post.html
        assert "&lt;img src=x onerror=" in post.html
        assert executable_markup(post.html, fragment=True) == []


def test_thread_board_index_and_search_pages_are_inert(client, world):
    floors = world.post_count - len(world.title_thread_ids)
    shown = 0
    for page in range(1, services.page_of_floor(floors) + 1):
        response = client.get(f"/forum/t/{world.big_thread_id}?page={page}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        shown += html.count('<article class="card post"')
        assert executable_markup(html, fragment=False) == [], page
    assert shown == floors
    for thread_id in world.title_thread_ids:
        html = client.get(f"/forum/t/{thread_id}").get_data(as_text=True)
        assert MARKER in html
        assert executable_markup(html, fragment=False) == [], thread_id
    # A moderator's hostile reason for hiding a post is shown as text.
    html = client.get(f"/forum/t/{world.big_thread_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;广告" in html

    board = client.get(f"/forum/b/{world.board_slug}").get_data(as_text=True)
    # The hostile name is shown, as text, for each thread's author.
    assert board.count(str(escape(HOSTILE_NAME))) >= len(world.title_thread_ids)
    assert executable_markup(board, fragment=False) == []
    assert executable_markup(client.get("/forum/").get_data(as_text=True), fragment=False) == []

    url, pages, results = f"/forum/search?q={MARKER}", 0, 0
    while url:
        html = client.get(url).get_data(as_text=True)
        assert executable_markup(html, fragment=False) == [], url
        results += html.count('<li class="card">')
        pages += 1
        older = OLDER.search(html)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert pages > 1
    assert results == world.post_count - 1  # all but the hidden post
