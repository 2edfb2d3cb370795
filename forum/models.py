"""Boards, threads, posts and post revisions: the BBS's tables, with counters kept on parent rows."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import Base, UTCDateTime, utcnow

__all__ = ["Board", "BoardModerator", "Post", "PostRevision", "Report", "Thread"]


class Board(Base):
    """版块 — a board where threads are started. Counters are kept here, never counted on read."""

    __tablename__ = "forum_boards"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    thread_count: so.Mapped[int] = so.mapped_column(default=0)
    post_count: so.Mapped[int] = so.mapped_column(default=0)
    # No foreign key: posts reference threads which reference boards, and a cycle would
    # complicate deletes for a field that is only shown.
    last_post_id: so.Mapped[int | None] = so.mapped_column()
    last_post_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"


class Thread(Base):
    """主题 — a thread; ``post_count`` is its highest floor, handed out atomically."""

    __tablename__ = "forum_threads"
    __table_args__ = (
        # The board page: pinned first, then by latest reply, keyset on (last_post_at, id).
        sa.Index("ix_forum_threads_board_listing", "board_id", "is_pinned", "last_post_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_boards.id", ondelete="CASCADE")
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    is_pinned: so.Mapped[bool] = so.mapped_column(default=False)
    is_featured: so.Mapped[bool] = so.mapped_column(default=False)
    is_locked: so.Mapped[bool] = so.mapped_column(default=False)
    post_count: so.Mapped[int] = so.mapped_column(default=0)
    reply_count: so.Mapped[int] = so.mapped_column(default=0)
    view_count: so.Mapped[int] = so.mapped_column(default=0)
    last_post_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_post_author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # Soft delete by a moderator: gone from lists, 404 for everyone but moderators.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    board: so.Mapped[Board] = so.relationship()
    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])
    last_post_author: so.Mapped[User | None] = so.relationship(foreign_keys=[last_post_author_id])

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(Base):
    """帖子 — one floor of a thread; floor 1 is the opening post (楼主)."""

    __tablename__ = "forum_posts"
    __table_args__ = (sa.UniqueConstraint("thread_id", "floor"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_threads.id", ondelete="CASCADE")
    )
    floor: so.Mapped[int] = so.mapped_column()
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    source: so.Mapped[str] = so.mapped_column(sa.Text)
    html: so.Mapped[str] = so.mapped_column(sa.Text)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    edit_count: so.Mapped[int] = so.mapped_column(default=0)
    # Hidden by a moderator: stays on its floor; others see the public reason instead of the text.
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    thread: so.Mapped[Thread] = so.relationship()
    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])

    def __repr__(self) -> str:
        return f"<Post {self.thread_id}#{self.floor}>"


class PostRevision(Base):
    """A post's text before an edit, kept for moderators."""

    __tablename__ = "forum_post_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    editor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    source: so.Mapped[str] = so.mapped_column(sa.Text)
    html: so.Mapped[str] = so.mapped_column(sa.Text)

    post: so.Mapped[Post] = so.relationship()
    editor: so.Mapped[User] = so.relationship()


class BoardModerator(Base):
    """版主 — a moderator of one board, granted by an administrator."""

    __tablename__ = "forum_board_moderators"
    __table_args__ = (sa.UniqueConstraint("board_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    board_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_boards.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    granted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    board: so.Mapped[Board] = so.relationship()
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])


class Report(Base):
    """A reader's report of a post; open until a moderator resolves it."""

    __tablename__ = "forum_reports"
    __table_args__ = (
        # The open queue: unresolved reports, oldest first.
        sa.Index("ix_forum_reports_open", "resolved_at", "post_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    reporter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    resolution: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    post: so.Mapped[Post] = so.relationship()
    reporter: so.Mapped[User] = so.relationship(foreign_keys=[reporter_id])
