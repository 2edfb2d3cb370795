"""Atom feeds: a board's newest threads and a thread's newest posts, with absolute links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from feedgen.feed import FeedGenerator
from flask import Response, abort
from flask_babel import gettext as _

from forum import services
from forum.models import Post, Thread
from forum.views import board_or_404, bp
from portal.db import utcnow
from portal.extensions import db
from portal.urls import external_url

FEED_ENTRIES = 30
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def floor_url(thread_id: int, floor: int) -> str:
    """The absolute address of one floor of a thread."""
    page = services.page_of_floor(floor)
    return external_url("forum.thread", thread_id=thread_id, page=page) + f"#floor-{floor}"


def _feed(
    feed_id: str, title: str, page_url: str, self_url: str, updated: datetime
) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.updated(updated)
    feed.language("zh-CN")
    return feed


def _add_entry(feed: FeedGenerator, *, title: str, link: str, post: Post, author: str) -> None:
    entry = feed.add_entry(order="append")
    entry.id(link)
    entry.title(title)
    entry.link(href=link, rel="alternate", type="text/html")
    entry.author(name=author)
    entry.published(post.created_at)
    entry.updated(post.edited_at or post.created_at)
    # The stored HTML went through the sanitiser when it was written; feedgen escapes it.
    entry.content(post.html, type="html")


def _atom(feed: FeedGenerator) -> Response:
    return Response(feed.atom_str(pretty=True), content_type=ATOM_TYPE)


@bp.route("/b/<slug>/feed.atom")
def board_feed(slug: str):
    """The board's newest threads, newest first, each with its opening post.

    A feed is public and cached by readers, so it shows what every visitor sees: moderators
    read deleted threads and hidden posts on the pages, not here.
    """
    board = board_or_404(slug)
    rows = db.session.execute(
        sa.select(Thread, Post)
        .join(Post, sa.and_(Post.thread_id == Thread.id, Post.floor == 1))
        # Only what every visitor sees: no deleted threads, no opening posts hidden by a moderator
        # or awaiting approval.
        .where(
            Thread.board_id == board.id,
            Thread.deleted_at.is_(None),
            Post.hidden_at.is_(None),
            Post.held_at.is_(None),
        )
        .options(so.joinedload(Thread.author))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(FEED_ENTRIES)
    ).all()
    page_url = external_url("forum.board", slug=board.slug)
    feed = _feed(
        page_url,
        _("%(board)s · Forum", board=board.name),
        page_url,
        external_url("forum.board_feed", slug=board.slug),
        rows[0][0].created_at if rows else board.created_at,
    )
    if board.description:
        feed.subtitle(board.description)
    for thread, post in rows:
        link = external_url("forum.thread", thread_id=thread.id)
        _add_entry(
            feed, title=thread.title, link=link, post=post, author=thread.author.display_name
        )
    return _atom(feed)


@bp.route("/t/<int:thread_id>/feed.atom")
def thread_feed(thread_id: int):
    """The thread's newest posts, newest first; posts hidden by a moderator are left out."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or thread.deleted_at is not None or thread.held_at is not None:
        abort(404)
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.thread_id == thread.id, Post.hidden_at.is_(None), Post.held_at.is_(None))
        .options(so.joinedload(Post.author))
        .order_by(Post.floor.desc())
        .limit(FEED_ENTRIES)
    ).all()
    page_url = external_url("forum.thread", thread_id=thread.id)
    feed = _feed(
        page_url,
        thread.title,
        page_url,
        external_url("forum.thread_feed", thread_id=thread.id),
        max((post.edited_at or post.created_at for post in posts), default=utcnow()),
    )
    for post in posts:
        _add_entry(
            feed,
            title=_("#%(floor)d · %(title)s", floor=post.floor, title=thread.title),
            link=floor_url(thread.id, post.floor),
            post=post,
            author=post.author.display_name,
        )
    return _atom(feed)
