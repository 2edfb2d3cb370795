"""Searching the forum's posts by Chinese word or phrase, newest first, keyset-paged."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, request

from forum import services
from forum.indexing import POST_DOC
from forum.models import Post, Thread
from forum.views import bp
from portal import search
from portal.extensions import db
from portal.pagination import KeysetPage
from portal.text import plain_text

RESULTS_PER_PAGE = 20
QUERY_MAX = 100
EXCERPT_LENGTH = 160
_EXCERPT_LEAD = 30  # characters shown before the first match


def excerpt(text: str, query: str, length: int = EXCERPT_LENGTH) -> str:
    """Up to ``length`` characters of the plain ``text`` from a little before the first word of
    ``query`` it contains (its start if none)."""
    start = 0
    for word in query.split():
        position = text.casefold().find(word.casefold())
        if position >= 0:
            start = max(position - _EXCERPT_LEAD, 0)
            break
    piece = text[start:]
    if len(piece) > length:
        piece = piece[: length - 1].rstrip() + "…"
    return ("…" if start else "") + piece


def _before_arg() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**32 else None


@bp.route("/search")
def search_posts():
    """Posts containing every word of ``q``; ``before`` (a post id) starts the next page."""
    query = " ".join(request.args.get("q", "").split())[:QUERY_MAX]
    before = _before_arg()
    results: list[tuple[Post, str, str]] = []
    next_before = None
    if query:
        ids = search.search_ids(POST_DOC, query, before=before, limit=RESULTS_PER_PAGE + 1)
        if len(ids) > RESULTS_PER_PAGE:
            ids = ids[:RESULTS_PER_PAGE]
            next_before = ids[-1]
        # The index holds every post; what a visitor may not see is left out here: posts
        # hidden by a moderator, posts of deleted threads, and posts deleted since indexing.
        # (Posts awaiting approval, and the posts of a thread whose opening post awaits it,
        # are not indexed; the filters below are a second wall.)
        posts = db.session.scalars(
            sa.select(Post)
            .join(Post.thread)
            .where(
                Post.id.in_(ids),
                Post.hidden_at.is_(None),
                Post.held_at.is_(None),
                Thread.held_at.is_(None),
                Thread.deleted_at.is_(None),
            )
            .options(so.contains_eager(Post.thread), so.joinedload(Post.author))
            .order_by(Post.id.desc())
        ).all()
        results = [
            (
                post,
                services.floor_path(post.thread_id, post.floor),
                excerpt(plain_text(post.html), query),
            )
            for post in posts
        ]
    page = KeysetPage(items=results, next_before=next_before, is_first=before is None)
    return render_template("forum/search.html", query=query, page=page)
