"""What every part of the forum that writes posts shares: its refusals, the hooks the posting
services run (bans, trust, consultation windows and watchers register into them), and the
counters kept on a board row.

``forum.services``, ``forum.moderation``, ``forum.bans`` and ``forum.held`` import this module,
not each other's internals, so that no two of them import each other.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from forum.models import Board, Post, Thread
from portal.accounts.models import User
from portal.extensions import db


class ForumError(ValueError):
    """A request the forum refuses; the message is translated and meant for the user."""

    status = 400  # what a page answers when it shows the message


class PostingRefused(ForumError):
    """A refusal of who writes rather than of what (a ban, a rate limit): pages answer 403."""

    status = 403


# Checks run before any post is written (a new thread's opening post or a reply), after the
# account check: each raises ForumError to refuse. Bans, trust limits and consultation windows
# register here at import time. Arguments: the board, the thread (None for a new thread), the author.
posting_checks: list[Callable[[Board, Thread | None, User], None]] = []
# Called after a post is written and flushed (watching, opinions, notifications).
post_listeners: list[Callable[[Post], None]] = []
# Asked before a post is saved: True holds it for a moderator's approval (forum.trust). A held
# post takes its floor but neither bumps its thread nor is the board's latest post (nor is anything
# of a thread whose opening post is held), and reaches no listener until approved (forum.held).
hold_checks: list[Callable[[Thread, User, Post], bool]] = []
# Checks run before an author edits a post (bans); each raises ForumError to refuse.
edit_checks: list[Callable[[Post, User], None]] = []
# Called when a moderator takes a post out of public view (hide, reject: visible=False) or puts
# it back (restore: visible=True), after the change and before the flush that ends the use case.
visibility_listeners: list[Callable[[Post, bool], None]] = []


def notify_visibility(post: Post, visible: bool) -> None:
    for listener in visibility_listeners:
        listener(post, visible)


def run_posting_checks(board: Board, thread: Thread | None, author: User) -> None:
    for check in posting_checks:
        check(board, thread, author)


def adjust_board(board_id: int, threads: int, posts: int) -> None:
    db.session.execute(
        sa.update(Board)
        .where(Board.id == board_id)
        .values(thread_count=Board.thread_count + threads, post_count=Board.post_count + posts)
        .execution_options(synchronize_session=False)
    )


def refresh_board_last_post(board_id: int) -> None:
    """Recompute a board's latest post: the last floor of its most recently active live thread."""
    row = db.session.execute(
        sa.select(Post.id, Post.created_at)
        .join(Thread, sa.and_(Thread.id == Post.thread_id, Post.floor == Thread.post_count))
        .where(
            Thread.board_id == board_id,
            Thread.deleted_at.is_(None),
            Thread.held_at.is_(None),
            Post.held_at.is_(None),  # a post awaiting approval is nobody's latest post yet
        )
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(1)
    ).first()
    db.session.execute(
        sa.update(Board)
        .where(Board.id == board_id)
        .values(last_post_id=row[0] if row else None, last_post_at=row[1] if row else None)
        .execution_options(synchronize_session=False)
    )
