"""Keeps the search index of forum posts in step with the posts, whoever changes them.

Each post is one document (``forum_post``): its plain text, and for the opening floor (楼主) the
thread's title too. Every flush notes the posts that changed (a post written or edited, the
opening post of a retitled thread, the posts of a deleted thread); just before the transaction
commits they are indexed again or removed. A rolled-back change is never indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.models import Post, Thread
from portal import search
from portal.text import plain_text

POST_DOC = "forum_post"
_PENDING_POSTS = "kaimen.forum.reindex_posts"
_PENDING_THREADS = "kaimen.forum.reindex_threads"
_PENDING_WHOLE_THREADS = "kaimen.forum.reindex_whole_threads"


def post_text(post: Post) -> str:
    """What a post is found by: the thread's title on floor 1, and the post's text."""
    text = plain_text(post.html)
    return f"{post.thread.title}\n{text}" if post.floor == 1 else text


def _pending(session: so.Session, key: str) -> set[int]:
    return session.info.setdefault(key, set())


def _note_deleted_threads(session: so.Session, _flush_context, _instances) -> None:
    # A thread's posts go with it by ON DELETE CASCADE, unseen by the session: note them first.
    thread_ids = [obj.id for obj in session.deleted if isinstance(obj, Thread) and obj.id]
    if thread_ids:
        _pending(session, _PENDING_POSTS).update(
            session.scalars(sa.select(Post.id).where(Post.thread_id.in_(thread_ids)))
        )


def _note_changes(session: so.Session, _flush_context) -> None:
    # After the flush's SQL ran, new rows have their ids while `session.new` still lists them.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Post) and obj.id is not None:
            _pending(session, _PENDING_POSTS).add(obj.id)
        elif isinstance(obj, Thread) and obj.id is not None and obj not in session.new:
            # A title change concerns floor 1 (a new thread's floor 1 is noted as a new post).
            _pending(session, _PENDING_THREADS).add(obj.id)
            if sa.inspect(obj).attrs.held_at.history.has_changes():
                # Held, or approved: every post of the thread is findable, or not, with it.
                _pending(session, _PENDING_WHOLE_THREADS).add(obj.id)


def _reindex(session: so.Session) -> None:
    session.flush()  # commit flushes only after this hook: changes not yet flushed count too
    post_ids = session.info.pop(_PENDING_POSTS, set())
    thread_ids = session.info.pop(_PENDING_THREADS, set())
    whole_thread_ids = session.info.pop(_PENDING_WHOLE_THREADS, set())
    if not post_ids and not thread_ids and not whole_thread_ids:
        return
    condition = Post.id.in_(post_ids)
    if thread_ids:
        condition = condition | (Post.thread_id.in_(thread_ids) & (Post.floor == 1))
    if whole_thread_ids:
        condition = condition | Post.thread_id.in_(whole_thread_ids)
    posts = {
        post.id: post
        for post in session.scalars(
            sa.select(Post).where(condition).options(so.joinedload(Post.thread))
        )
    }
    for post_id in sorted(post_ids | posts.keys()):
        post = posts.get(post_id)
        # Awaiting approval, or in a thread whose opening post is: not findable yet.
        if post is None or post.held_at is not None or post.thread.held_at is not None:
            search.remove_document(POST_DOC, post_id)
        else:
            search.index_document(POST_DOC, post_id, post_text(post))
    # Indexing flushes; nothing it wrote needs indexing again.
    _forget(session)


def _forget(session: so.Session, *_args) -> None:
    for key in (_PENDING_POSTS, _PENDING_THREADS, _PENDING_WHOLE_THREADS):
        session.info.pop(key, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, listener in (
        ("before_flush", _note_deleted_threads),
        ("after_flush", _note_changes),
        ("before_commit", _reindex),
        ("after_rollback", _forget),
    ):
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
