"""Forum use cases: open boards, start threads, reply (with quotes) and edit. They flush, never commit."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from forum.models import Board, Post, PostRevision, Thread
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.text import render_markdown

POSTS_PER_PAGE = 25
TITLE_MAX = 200
SOURCE_MAX = 20_000
QUOTE_EXCERPT = 200
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ForumError(ValueError):
    """A request the forum refuses; the message is translated and meant for the user."""


def page_of_floor(floor: int) -> int:
    return (floor - 1) // POSTS_PER_PAGE + 1


def floor_path(thread_id: int, floor: int) -> str:
    """The site-relative address of one floor; works in a request, a CLI command or a job alike."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("forum.thread", {"thread_id": thread_id, "page": page_of_floor(floor)})
    return f"{path}#floor-{floor}"


def create_board(slug: str, name: str, description: str = "", *, sort_order: int = 0) -> Board:
    """Open a board (an administrator's act)."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise ForumError(_("A board's address uses lower-case letters, digits and hyphens."))
    if db.session.scalar(sa.select(Board.id).where(Board.slug == slug)) is not None:
        raise ForumError(_("A board with this address exists already."))
    name = name.strip()
    if not name or len(name) > 100:
        raise ForumError(_("A board's name has 1 to 100 characters."))
    board = Board(slug=slug, name=name, description=description.strip(), sort_order=sort_order)
    db.session.add(board)
    db.session.flush()
    return board


def _check_can_post(author: User) -> None:
    if not author.is_active or not author.is_verified:
        raise ForumError(_("Verify your email address before you post."))


def _clean_source(source: str) -> str:
    source = source.replace("\x00", "").strip()
    if not source:
        raise ForumError(_("Write something before you post."))
    if len(source) > SOURCE_MAX:
        raise ForumError(_("A post has at most %(max)d characters.", max=SOURCE_MAX))
    return source


def _clean_title(title: str) -> str:
    title = " ".join(title.replace("\x00", "").split())
    if not title:
        raise ForumError(_("Give the thread a title."))
    if len(title) > TITLE_MAX:
        raise ForumError(_("A title has at most %(max)d characters.", max=TITLE_MAX))
    return title


def _next_floor(thread: Thread, author: User, now) -> int:
    """Take the thread's next floor with one atomic UPDATE … RETURNING.

    The row lock it takes (PostgreSQL) or the database write lock (SQLite) is held until the
    transaction ends, so concurrent replies queue here and each gets its own floor; the unique
    (thread_id, floor) constraint is the second wall.
    """
    row = db.session.execute(
        sa.update(Thread)
        # A thread locked by a moderator a moment ago takes no reply, whatever the caller saw.
        .where(Thread.id == thread.id, Thread.is_locked.is_(False))
        .values(
            post_count=Thread.post_count + 1,
            reply_count=Thread.post_count,  # the old value: every floor after the first is a reply
            last_post_at=now,
            last_post_author_id=author.id,
        )
        .returning(Thread.post_count, Thread.reply_count)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise ForumError(_("This thread is locked: no new replies can be posted."))
    floor, reply_count = row
    # Reflect the database's values without marking the thread dirty (a later flush must not
    # write stale counters back over a concurrent writer's).
    set_committed_value(thread, "post_count", floor)
    set_committed_value(thread, "reply_count", reply_count)
    set_committed_value(thread, "last_post_at", now)
    set_committed_value(thread, "last_post_author_id", author.id)
    return floor


def _add_post(thread: Thread, author: User, source: str) -> Post:
    now = utcnow()
    floor = _next_floor(thread, author, now)
    post = Post(
        thread_id=thread.id,
        floor=floor,
        author_id=author.id,
        created_at=now,
        source=source,
        html=render_markdown(source),
    )
    db.session.add(post)
    db.session.flush()
    db.session.execute(
        sa.update(Board)
        .where(Board.id == thread.board_id)
        .values(post_count=Board.post_count + 1, last_post_id=post.id, last_post_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(thread.board, ["post_count", "last_post_id", "last_post_at"])
    return post


def start_thread(board: Board, author: User, title: str, source: str) -> Thread:
    """Start a thread: its opening post is floor 1 (楼主)."""
    _check_can_post(author)
    title = _clean_title(title)
    source = _clean_source(source)
    now = utcnow()
    thread = Thread(
        board_id=board.id,
        title=title,
        author_id=author.id,
        created_at=now,
        last_post_at=now,
        last_post_author_id=author.id,
    )
    db.session.add(thread)
    db.session.flush()
    db.session.execute(
        sa.update(Board)
        .where(Board.id == board.id)
        .values(thread_count=Board.thread_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(board, ["thread_count"])
    _add_post(thread, author, source)
    return thread


def quote_markdown(post: Post) -> str:
    """A Markdown blockquote naming the quoted floor and its author, linking back to it.

    The quoted text is the plain first characters of the source, escaped so that it cannot turn
    into markup of its own; the whole quote goes through the same sanitiser as any post.
    """
    excerpt = " ".join(post.source.split())
    if len(excerpt) > QUOTE_EXCERPT:
        excerpt = excerpt[:QUOTE_EXCERPT] + "…"
    label = _("#%(floor)d by %(author)s", floor=post.floor, author=post.author.display_name)
    link = floor_path(post.thread_id, post.floor)
    return f"> [{_escape_markdown(label)}]({link})\n>\n> {_escape_markdown(excerpt)}\n\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def _escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def reply(thread: Thread, author: User, source: str, quote: Post | None = None) -> Post:
    """Reply to a thread on its next floor, perhaps quoting one of its posts."""
    _check_can_post(author)
    if thread.deleted_at is not None:
        raise ForumError(_("This thread is deleted: no new replies can be posted."))
    if thread.is_locked:
        raise ForumError(_("This thread is locked: no new replies can be posted."))
    source = _clean_source(source)
    if quote is not None:
        if quote.thread_id != thread.id:
            raise ForumError(_("You can only quote a post of the same thread."))
        source = quote_markdown(quote) + source
    return _add_post(thread, author, source)


def edit_post(post: Post, editor: User, source: str) -> Post:
    """Change a post's text; the previous version is kept as a revision for moderators."""
    _check_can_post(editor)
    source = _clean_source(source)
    if source == post.source:
        return post
    db.session.add(
        PostRevision(post_id=post.id, editor_id=editor.id, source=post.source, html=post.html)
    )
    post.source = source
    post.html = render_markdown(source)
    post.edited_at = utcnow()
    post.edit_count += 1
    db.session.flush()
    return post


def preview(source: str) -> str:
    """The HTML a post would get, without saving anything."""
    return render_markdown(source)
