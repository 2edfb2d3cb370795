"""Every link of the demo works for every role: the pages a visitor, a citizen, a moderator, an
officer, a supervisor and an administrator can reach from the home page, by following links only,
answer without an error (no 404 for a link we show, no 403, no 500)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

# A role's crawl stops after this many pages: enough to reach every kind of page of the demo
# (boards, threads, items, departments, complaints, admin pages) while keeping the test quick.
PAGES_PER_ROLE = 160
# Paths that change state on GET or are endless by design are not followed.
SKIP = re.compile(r"^/(account/logout|language)|/feed|\.atom$|/unsubscribe")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _local_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        href, _fragment = urldefrag(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        found.append(href)
    return found


def _shape(path: str) -> str:
    """Pages that differ only by their numbers are one kind of page: visit a few of each."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _crawl(client) -> dict[str, int]:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    broken: dict[str, int] = {}
    queue = deque(["/"])
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes.get(shape, 0) >= 3:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        visited += 1
        if response.status_code >= 400:
            broken[path] = response.status_code
            continue
        if response.mimetype == "text/html":
            queue.extend(_local_links(response.get_data(as_text=True)))
    assert visited > 20, "the crawl reached too few pages to mean anything"
    return broken


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--password", "demo-password-1"])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+password:", result.output, re.M))


def test_every_link_of_the_demo_works_for_every_role(demo, client, backend):
    if backend != "sqlite":
        pytest.skip("one database is enough to walk the pages; both are tested page by page")
    assert _crawl(client) == {}, "visitor"
    for role, email in demo.items():
        client.login(email, "demo-password-1")
        assert _crawl(client) == {}, role
        client.logout()
