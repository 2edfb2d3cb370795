"""Posts held for approval (forum.trust): the moderators' queue, approving and rejecting.

Approving shows the post to everyone, indexes it (forum.indexing sees the change), makes it the
board's latest post if it is newer, and tells the post listeners (watchers) as if just written.
Rejecting hides it with a public reason; a rejected opening post deletes its thread. Both are
audited ("forum.approve_post", "forum.reject_post") and flush; the request commits.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from forum import moderation, services
from forum.models import Board, Post, Thread
from forum.permissions import can_moderate
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db

QUEUE_SIZE = 50


def held_posts(board_ids: list[int] | None, limit: int = QUEUE_SIZE) -> list[Post]:
    """Posts waiting for approval, oldest first (board_ids None: every board); one query."""
    stmt = (
        sa.select(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.held_at.is_not(None), Post.hidden_at.is_(None), Thread.deleted_at.is_(None))
        .options(so.joinedload(Post.author), so.joinedload(Post.thread).joinedload(Thread.board))
        .order_by(Post.held_at, Post.id)
        .limit(limit)
    )
    if board_ids is not None:
        stmt = stmt.where(Thread.board_id.in_(board_ids))
    return list(db.session.scalars(stmt))


def _check_held(post: Post, actor: User) -> None:
    if not can_moderate(actor, post.thread.board):
        raise moderation.ModerationDenied
    if post.held_at is None or post.hidden_at is not None:
        raise services.ForumError(_("This post is not waiting for approval."))


def approve_post(post: Post, actor: User, reason: str = "") -> Post:
    _check_held(post, actor)
    reason = moderation._clean_reason(reason, required=False)
    now = utcnow()
    thread = post.thread
    audit.record(
        "forum.approve_post",
        "forum_post",
        post.id,
        actor=actor,
        reason=reason or None,
        thread_id=post.thread_id,
        floor=post.floor,
        author_id=post.author_id,
    )
    post.held_at = None
    post.approved_at = now
    post.approved_by_id = actor.id
    if post.floor == 1:
        thread.held_at = None
    db.session.flush()
    # The board's latest post, if this one is newer than what the board shows.
    db.session.execute(
        sa.update(Board)
        .where(
            Board.id == thread.board_id,
            sa.or_(Board.last_post_at.is_(None), Board.last_post_at <= post.created_at),
        )
        .values(last_post_id=post.id, last_post_at=post.created_at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(thread.board, ["last_post_id", "last_post_at"])
    for listener in services.post_listeners:
        listener(post)
    return post


def reject_post(post: Post, actor: User, reason: str) -> Post:
    """Hide the held post with a public reason; an opening post takes its thread with it."""
    _check_held(post, actor)
    reason = moderation._clean_reason(reason)
    audit.record(
        "forum.reject_post",
        "forum_post",
        post.id,
        actor=actor,
        reason=reason,
        thread_id=post.thread_id,
        floor=post.floor,
        author_id=post.author_id,
    )
    post.hidden_at = utcnow()
    post.hidden_by_id = actor.id
    post.hidden_reason = reason
    services.rerender_quotes_of(post)
    if post.floor == 1:
        moderation.delete_thread(post.thread, actor, reason)
    return post
