"""The reply digest: one email per watcher and run listing the new replies of a watched thread.

``send_digests`` is a job (``kaimen forum digest``), not a request: like the mail dispatcher it
commits, one batch of watches at a time. It may run on several hosts at once: on PostgreSQL a
batch's watches are taken with ``FOR UPDATE SKIP LOCKED``, so two runs never take the same watch;
on SQLite a batch starts with a write, which holds the database's write lock until it commits.
Each watch's ``last_notified_floor`` moves to the last floor looked at in the same transaction
that queues its email, so a second run sends nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.models import Post, Thread
from forum.services import page_of_floor
from forum.watching import ThreadWatch, unsubscribe_token
from portal.extensions import db
from portal.i18n import supported_locale
from portal.mail.outbox import queue_templated
from portal.text import plain_text
from portal.urls import external_url

BATCH_SIZE = 100
MAX_LISTED = 20
EXCERPT = 200


@dataclass
class DigestReport:
    emails: int = 0
    watches: int = 0


def _claim_batch(after_id: int, limit: int) -> list[tuple[int, int]]:
    """(watch id, thread's last floor) of up to ``limit`` watches with floors they were not told of."""
    if db.engine.dialect.name == "sqlite":
        # Take SQLite's write lock before reading, so a second run waits for this batch.
        db.session.execute(sa.update(ThreadWatch).where(sa.false()).values(last_notified_floor=0))
    stmt = (
        sa.select(ThreadWatch.id, Thread.post_count)
        .join(Thread, Thread.id == ThreadWatch.thread_id)
        .where(
            ThreadWatch.id > after_id,
            Thread.post_count > ThreadWatch.last_notified_floor,
            Thread.deleted_at.is_(None),
        )
        .order_by(ThreadWatch.id)
        .limit(limit)
    )
    thread_held_at = getattr(Thread, "held_at", None)
    if thread_held_at is not None:  # a thread held for approval is not public yet
        stmt = stmt.where(thread_held_at.is_(None))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=ThreadWatch, skip_locked=True)
    return [(watch_id, last_floor) for watch_id, last_floor in db.session.execute(stmt)]


def _mailable(stmt: sa.Select) -> sa.Select:
    """Only posts every reader may see: not hidden by a moderator, not held for approval."""
    stmt = stmt.where(Post.hidden_at.is_(None))
    held_at = getattr(Post, "held_at", None)
    if held_at is not None:
        stmt = stmt.where(held_at.is_(None))
    return stmt


def _new_posts(watches: list[ThreadWatch], last_floors: dict[int, int]) -> dict[int, list[Post]]:
    """The mailable posts after the lowest floor any of the batch's watchers was told of, by thread."""
    ranges: dict[int, int] = {}
    for watch in watches:
        low = ranges.get(watch.thread_id)
        if low is None or watch.last_notified_floor < low:
            ranges[watch.thread_id] = watch.last_notified_floor
    if not ranges:
        return {}
    window = sa.or_(
        *(
            sa.and_(
                Post.thread_id == thread_id,
                Post.floor > low,
                Post.floor <= last_floors[thread_id],
            )
            for thread_id, low in ranges.items()
        )
    )
    stmt = (
        _mailable(sa.select(Post).where(window))
        .options(so.joinedload(Post.author))
        .order_by(Post.thread_id, Post.floor)
    )
    by_thread: dict[int, list[Post]] = {}
    for post in db.session.scalars(stmt):
        by_thread.setdefault(post.thread_id, []).append(post)
    return by_thread


def _floor_url(thread_id: int, floor: int) -> str:
    page = page_of_floor(floor)
    return external_url("forum.thread", thread_id=thread_id, page=page) + f"#floor-{floor}"


def _queue_digest(watch: ThreadWatch, posts: list[Post]) -> None:
    user, thread = watch.user, watch.thread
    items = [
        {
            "floor": post.floor,
            "author": post.author.display_name,
            "excerpt": plain_text(post.html, EXCERPT),
            "link": _floor_url(thread.id, post.floor),
            "created_at": post.created_at,
        }
        for post in posts[:MAX_LISTED]
    ]
    unsubscribe = external_url("forum.unsubscribe", token=unsubscribe_token(user.id, thread.id))
    queue_templated(
        "forum_digest",
        to=[user.email],
        locale=supported_locale(user.locale),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        user=user,
        thread=thread,
        items=items,
        more=max(len(posts) - MAX_LISTED, 0),
        thread_link=_floor_url(thread.id, posts[0].floor),
        unsubscribe_link=unsubscribe,
    )


def send_digests(batch_size: int = BATCH_SIZE) -> DigestReport:
    """Queue one email per watch with new replies by others, and commit batch by batch."""
    report = DigestReport()
    after_id = 0
    while True:
        claimed = _claim_batch(after_id, batch_size)
        if not claimed:
            db.session.commit()
            return report
        after_id = claimed[-1][0]
        last_floor_of_watch = dict(claimed)
        watches = list(
            db.session.scalars(
                sa.select(ThreadWatch)
                .where(ThreadWatch.id.in_(last_floor_of_watch))
                .options(so.joinedload(ThreadWatch.user), so.joinedload(ThreadWatch.thread))
                .order_by(ThreadWatch.id)
            )
        )
        last_floors = {w.thread_id: last_floor_of_watch[w.id] for w in watches}
        posts_by_thread = _new_posts(watches, last_floors)
        for watch in watches:
            report.watches += 1
            posts = [
                post
                for post in posts_by_thread.get(watch.thread_id, [])
                if post.floor > watch.last_notified_floor and post.author_id != watch.user_id
            ]
            user = watch.user
            if posts and user.is_active and user.is_verified:
                _queue_digest(watch, posts)
                report.emails += 1
            watch.last_notified_floor = last_floors[watch.thread_id]
        db.session.commit()
        if len(claimed) < batch_size:
            return report
