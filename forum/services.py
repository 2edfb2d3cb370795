"""Forum use cases: open boards, start threads, reply (with quotes) and edit. They flush, never commit."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from forum.models import Board, Post, PostRevision, Thread
from forum.permissions import can_moderate
from forum.posting import (  # noqa: F401 - the hooks and refusals, reached as services.<name> too
    ForumError,
    PostingRefused,
    edit_checks,
    hold_checks,
    notify_visibility,
    post_listeners,
    posting_checks,
    refresh_board_last_post,
    run_posting_checks,
    visibility_listeners,
)
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.text import render_markdown

POSTS_PER_PAGE = 25
TITLE_MAX = 200
SOURCE_MAX = 20_000
QUOTE_EXCERPT = 200
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def posting_refusal(board: Board, thread: Thread | None, author: User) -> str | None:
    """Why this author may not post here now (the same checks as posting, nothing written)."""
    try:
        _check_can_post(author)
        run_posting_checks(board, thread, author)
    except ForumError as error:
        return str(error)
    return None


def page_of_floor(floor: int) -> int:
    return (floor - 1) // POSTS_PER_PAGE + 1


def floor_path(thread_id: int, floor: int) -> str:
    """The site-relative address of one floor; works in a request, a CLI command or a job alike."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("forum.thread", {"thread_id": thread_id, "page": page_of_floor(floor)})
    return f"{path}#floor-{floor}"


BOARD_DESCRIPTION_MAX = 1000
SORT_ORDER_LIMIT = 1_000_000


def _clean_board_fields(name: str, description: str, sort_order: int) -> tuple[str, str, int]:
    name = " ".join(name.replace("\x00", "").split())
    if not name or len(name) > 100:
        raise ForumError(_("A board's name has 1 to 100 characters."))
    description = description.replace("\x00", "").strip()
    if len(description) > BOARD_DESCRIPTION_MAX:
        raise ForumError(
            _("A description has at most %(max)d characters.", max=BOARD_DESCRIPTION_MAX)
        )
    if not -SORT_ORDER_LIMIT < sort_order < SORT_ORDER_LIMIT:
        raise ForumError(_("The sort order is a number between -999999 and 999999."))
    return name, description, sort_order


def create_board(
    slug: str, name: str, description: str = "", *, sort_order: int = 0, actor: User | None = None
) -> Board:
    """Open a board (an administrator's act, audited; ``actor`` is None for the demo loader)."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise ForumError(_("A board's address uses lower-case letters, digits and hyphens."))
    if db.session.scalar(sa.select(Board.id).where(Board.slug == slug)) is not None:
        raise ForumError(_("A board with this address exists already."))
    name, description, sort_order = _clean_board_fields(name, description, sort_order)
    board = Board(slug=slug, name=name, description=description, sort_order=sort_order)
    db.session.add(board)
    db.session.flush()
    audit.record("forum.create_board", "forum_board", board.id, actor=actor, slug=slug, name=name)
    db.session.flush()
    return board


def update_board(
    board: Board, actor: User, *, name: str, description: str, sort_order: int
) -> Board:
    """Change a board's name, description and place in the list; its address (slug) stays."""
    name, description, sort_order = _clean_board_fields(name, description, sort_order)
    before = {"name": board.name, "description": board.description, "sort_order": board.sort_order}
    after = {"name": name, "description": description, "sort_order": sort_order}
    changed = {key: [before[key], value] for key, value in after.items() if before[key] != value}
    if not changed:
        return board
    board.name, board.description, board.sort_order = name, description, sort_order
    audit.record("forum.update_board", "forum_board", board.id, actor=actor, changes=changed)
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


def _next_floor(thread: Thread, author: User, now, *, held: bool = False) -> int:
    """Take the thread's next floor with one atomic UPDATE … RETURNING.

    The row lock it takes (PostgreSQL) or the database write lock (SQLite) is held until the
    transaction ends, so concurrent replies queue here and each gets its own floor; the unique
    (thread_id, floor) constraint is the second wall. A ``held`` post takes its floor but does
    not bump the thread nor show as its last reply (forum.held does that on approval).
    """
    values = {
        "post_count": Thread.post_count + 1,
        "reply_count": Thread.post_count,  # the old value: every floor after the first is a reply
    }
    if not held:
        values.update(last_post_at=now, last_post_author_id=author.id)
    row = db.session.execute(
        sa.update(Thread)
        # A thread locked by a moderator a moment ago takes no reply, whatever the caller saw.
        .where(Thread.id == thread.id, Thread.is_locked.is_(False))
        .values(**values)
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
    if not held:
        set_committed_value(thread, "last_post_at", now)
        set_committed_value(thread, "last_post_author_id", author.id)
    return floor


def _add_post(
    thread: Thread, author: User, source: str, *, quoted_post_id: int | None = None
) -> Post:
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        created_at=now,
        source=source,
        html=render_markdown(source),
        quoted_post_id=quoted_post_id,
    )
    # Asked before the floor is taken: a held post must not bump its thread.
    if any(check(thread, author, post) for check in hold_checks):
        post.held_at = now
    post.floor = _next_floor(thread, author, now, held=post.held_at is not None)
    if post.held_at is not None and post.floor == 1:
        thread.held_at = now
    db.session.add(post)
    db.session.flush()
    counters = {"post_count": Board.post_count + 1}
    # Nothing of a held thread (not even a moderator's reply) is the board's latest post.
    if post.held_at is None and thread.held_at is None:
        counters.update(last_post_id=post.id, last_post_at=now)
    db.session.execute(
        sa.update(Board)
        .where(Board.id == thread.board_id)
        .values(**counters)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(thread.board, ["post_count", "last_post_id", "last_post_at"])
    if post.held_at is None:
        for listener in post_listeners:
            listener(post)
    return post


def start_thread(board: Board, author: User, title: str, source: str) -> Thread:
    """Start a thread: its opening post is floor 1 (楼主)."""
    _check_can_post(author)
    run_posting_checks(board, None, author)
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
    run_posting_checks(thread.board, thread, author)
    source = _clean_source(source)
    if quote is not None:
        if quote.thread_id != thread.id:
            raise ForumError(_("You can only quote a post of the same thread."))
        source = quote_markdown(quote) + source
    return _add_post(thread, author, source, quoted_post_id=quote.id if quote else None)


def check_can_edit(post: Post, editor: User) -> None:
    """Authors edit no post of a locked or deleted thread (moderators may), nor while banned."""
    _check_can_post(editor)
    thread = post.thread
    if not can_moderate(editor, thread.board):
        if thread.deleted_at is not None:
            raise PostingRefused(_("This thread is deleted: its posts can no longer be edited."))
        if thread.is_locked:
            raise PostingRefused(_("This thread is locked: its posts can no longer be edited."))
    for check in edit_checks:
        check(post, editor)


def edit_post(post: Post, editor: User, source: str) -> Post:
    """Change a post's text; the previous version is kept as a revision for moderators."""
    check_can_edit(post, editor)
    source = _clean_source(source)
    if source == post.source:
        return post
    db.session.add(
        PostRevision(post_id=post.id, editor_id=editor.id, source=post.source, html=post.html)
    )
    post.source = source
    post.html = render_post_html(post)
    post.edited_at = utcnow()
    post.edit_count += 1
    # An edit that brings what would have been held (a new account's link) waits again; an
    # opening post takes its thread with it, as when a held thread is started.
    if post.held_at is None and any(check(post.thread, editor, post) for check in hold_checks):
        post.held_at = post.edited_at
        if post.floor == 1:
            post.thread.held_at = post.edited_at
            db.session.flush()
            refresh_board_last_post(post.thread.board_id)
    db.session.flush()
    return post


# The quote block ``quote_markdown`` writes at the top of a reply: its label line, then the excerpt.
_LEADING_QUOTE = re.compile(r"\A(> [^\n]*\n)(?:>[^\n]*\n)*\n?")


def render_post_html(post: Post) -> str:
    """A post's HTML; while the post it quotes is hidden, the quoted excerpt is left out.

    The excerpt was copied into the reply's source when it was written, so hiding a post must
    also take its words out of the replies that quote it (and put them back on restoring).
    """
    source = post.source
    if post.quoted_post_id is not None:
        quoted_hidden = db.session.scalar(
            sa.select(Post.hidden_at.is_not(None)).where(Post.id == post.quoted_post_id)
        )
        if quoted_hidden:
            placeholder = _escape_markdown(_("This post was hidden by a moderator."))
            source = _LEADING_QUOTE.sub(
                lambda m: f"{m.group(1)}>\n> *{placeholder}*\n\n", source, 1
            )
    return render_markdown(source)


def rerender_quotes_of(post: Post) -> None:
    """Render again the replies that quote ``post``, after it was hidden or restored."""
    db.session.flush()
    for quoting in db.session.scalars(sa.select(Post).where(Post.quoted_post_id == post.id)):
        quoting.html = render_post_html(quoting)
    db.session.flush()


def preview(source: str) -> str:
    """The HTML a post would get, without saving anything."""
    return render_markdown(source)
