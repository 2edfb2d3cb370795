"""Posts held for approval (forum.trust): the moderators' queue, approving and rejecting.

Approving shows the post to everyone, indexes it (forum.indexing sees the change), makes it its
thread's last reply and the board's latest post if it is newer (a thread still held is nobody's
latest), puts it in its watchers' next reply digest, and tells the post listeners as if just
written. A post is decided once: two moderators at the same moment, the second is refused.
Rejecting hides it with a public reason; a rejected opening post deletes its thread. Both are
audited ("forum.approve_post", "forum.reject_post") and flush; the request commits.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from forum import moderation, posting, services, watching
from forum.models import Board, Post, Thread
from forum.permissions import can_moderate
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
    if post.held_at is None and post.hidden_at is None and post.approved_at is not None:
        raise services.ForumError(_("This post is approved already."))
    if post.held_at is None or post.hidden_at is not None:
        raise services.ForumError(_("This post is not waiting for approval."))


def _claim(post: Post, actor: User, **values) -> None:
    """Decide on the post only if it still waits, with one conditional UPDATE.

    Of two moderators deciding at the same moment, both may have read the post as waiting; the
    second UPDATE waits for the first transaction (row lock, or SQLite's write lock), then finds
    nothing left to change, and that moderator is told why.
    """
    changed = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, Post.held_at.is_not(None), Post.hidden_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(post, ["held_at", "hidden_at", "approved_at"])
        _check_held(post, actor)
        raise services.ForumError(_("This post is not waiting for approval."))
    for key, value in values.items():  # the session's copy too (and the search index sees it)
        setattr(post, key, value)


def approve_post(post: Post, actor: User, reason: str = "") -> Post:
    _check_held(post, actor)
    reason = moderation._clean_reason(reason, required=False)
    now = utcnow()
    thread = post.thread
    _claim(post, actor, held_at=None, approved_at=now, approved_by_id=actor.id)
    moderation.audit_post("forum.approve_post", post, actor, reason, author_id=post.author_id)
    if post.floor == 1:
        thread.held_at = None
    db.session.flush()
    # A held reply did not bump its thread: it does now, if it is the thread's newest.
    db.session.execute(
        sa.update(Thread)
        .where(Thread.id == thread.id, Thread.last_post_at <= post.created_at)
        .values(last_post_at=post.created_at, last_post_author_id=post.author_id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(thread, ["last_post_at", "last_post_author_id"])
    # Nothing of a thread still held is the board's latest post; once its opening post is
    # approved, the board's latest post is worked out again (the thread may have replies).
    if thread.held_at is None:
        if post.floor == 1:
            posting.refresh_board_last_post(thread.board_id)
        else:
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
    watching.notify_later(post)
    for listener in services.post_listeners:
        listener(post)
    return post


def reject_post(post: Post, actor: User, reason: str) -> Post:
    """Hide the held post with a public reason; an opening post takes its thread with it."""
    _check_held(post, actor)
    reason = moderation._clean_reason(reason)
    _claim(post, actor, hidden_at=utcnow(), hidden_by_id=actor.id, hidden_reason=reason)
    moderation.audit_post("forum.reject_post", post, actor, reason, author_id=post.author_id)
    services.notify_visibility(post, False)
    services.rerender_quotes_of(post)
    if post.floor == 1:
        moderation.delete_thread(post.thread, actor, reason)
    return post
