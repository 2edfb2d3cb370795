"""Watching threads: who gets a (batched) email when a thread has new replies.

Public API for other parts of the forum (consultations call it): ``watch``, ``unwatch``,
``is_watching`` and ``watcher_ids``; forum.held calls ``notify_later`` on approving a post.
Posting a thread or a reply watches it (a post listener); ``forum.digest`` mails the new replies.
The functions flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum import services
from forum.models import Post, Thread
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, utcnow
from portal.extensions import db

__all__ = [
    "ThreadWatch",
    "is_watching",
    "notify_later",
    "unsubscribe_token",
    "unwatch",
    "watch",
    "watch_from_token",
    "watcher_ids",
]


class ThreadWatch(Base):
    """A user watching a thread; ``last_notified_floor`` is the last floor they were told about."""

    __tablename__ = "forum_thread_watches"
    __table_args__ = (sa.UniqueConstraint("thread_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_threads.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_notified_floor: so.Mapped[int] = so.mapped_column(default=0)

    thread: so.Mapped[Thread] = so.relationship()
    user: so.Mapped[User] = so.relationship()


def _insert_ignoring_duplicate(thread_id: int, user_id: int, floor: int) -> None:
    """Insert a watch unless it exists, without a race between two requests of the same user."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(ThreadWatch)
        .values(
            thread_id=thread_id, user_id=user_id, created_at=utcnow(), last_notified_floor=floor
        )
        .on_conflict_do_nothing(index_elements=["thread_id", "user_id"])
    )


def watch(user: User, thread: Thread) -> None:
    """Start watching a thread (idempotent): replies after the current last floor are mailed."""
    _insert_ignoring_duplicate(thread.id, user.id, thread.post_count)
    db.session.flush()


def unwatch(user: User, thread: Thread) -> None:
    """Stop watching a thread (nothing happens if the user was not watching it)."""
    db.session.execute(
        sa.delete(ThreadWatch)
        .where(ThreadWatch.thread_id == thread.id, ThreadWatch.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def is_watching(user, thread: Thread) -> bool:
    if not (user and user.is_authenticated):
        return False
    return (
        db.session.scalar(
            sa.select(ThreadWatch.id).where(
                ThreadWatch.thread_id == thread.id, ThreadWatch.user_id == user.id
            )
        )
        is not None
    )


def watcher_ids(thread_id: int) -> list[int]:
    """The ids of the users watching a thread, in the order they started."""
    return list(
        db.session.scalars(
            sa.select(ThreadWatch.user_id)
            .where(ThreadWatch.thread_id == thread_id)
            .order_by(ThreadWatch.id)
        )
    )


def _watch_own_post(post: Post) -> None:
    """Who writes in a thread watches it (as on Discourse), and has read it up to their post."""
    _insert_ignoring_duplicate(post.thread_id, post.author_id, post.floor)
    db.session.execute(
        sa.update(ThreadWatch)
        .where(
            ThreadWatch.thread_id == post.thread_id,
            ThreadWatch.user_id == post.author_id,
            ThreadWatch.last_notified_floor < post.floor,
        )
        .values(last_notified_floor=post.floor)
        .execution_options(synchronize_session=False)
    )


services.post_listeners.append(_watch_own_post)


def notify_later(post: Post) -> None:
    """A held post just approved: its thread's watchers (but its author) get it in their next
    digest, though the digest had passed its floor while it waited (one UPDATE). Replies after it
    that were mailed already are listed again in that digest."""
    db.session.execute(
        sa.update(ThreadWatch)
        .where(
            ThreadWatch.thread_id == post.thread_id,
            ThreadWatch.user_id != post.author_id,
            ThreadWatch.last_notified_floor >= post.floor,
        )
        .values(last_notified_floor=post.floor - 1)
        .execution_options(synchronize_session=False)
    )


# --- unsubscribing from an email, without logging in ------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kaimen.forum-unsubscribe")


def unsubscribe_token(user_id: int, thread_id: int) -> str:
    """A signed token naming one user and one thread; it does not expire (old mails still work)."""
    return _serializer().dumps({"uid": user_id, "tid": thread_id})


def watch_from_token(token: str) -> tuple[User, Thread] | None:
    """The user and thread a token names, or None if it is forged or they are gone."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, thread_id = data.get("uid"), data.get("tid")
    if not (isinstance(user_id, int) and isinstance(thread_id, int)):
        return None
    user = db.session.get(User, user_id)
    thread = db.session.get(Thread, thread_id)
    if user is None or thread is None:
        return None
    return user, thread
