"""Boards, threads, posts and post revisions: the BBS's tables, with counters kept on parent rows."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import Base, UTCDateTime, utcnow

__all__ = ["Ban", "Board", "BoardModerator", "Post", "PostRevision", "Report", "Thread"]


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
    # Its opening post is held for approval (forum.trust): unlisted, 404 but to author and moderators.
    held_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    board: so.Mapped[Board] = so.relationship()
    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])
    last_post_author: so.Mapped[User | None] = so.relationship(foreign_keys=[last_post_author_id])

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(Base):
    """帖子 — one floor of a thread; floor 1 is the opening post (楼主)."""

    __tablename__ = "forum_posts"
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "floor"),
        # An author's recent posts (the posting rate limit, forum.trust).
        sa.Index("ix_forum_posts_author_created", "author_id", "created_at"),
    )

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
    # The post this one quotes (its excerpt is in the source): re-rendered when that one is hidden.
    quoted_post_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True
    )
    # Held for a moderator's approval (forum.trust): keeps its floor, shown to others as waiting.
    held_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    approved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

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
        # The queue's pages: keyset on (created_at, id) among the unresolved.
        sa.Index("ix_forum_reports_queue", "resolved_at", "created_at", "id"),
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


class Ban(Base):
    """A user banned from posting on one board, or on every board (``board_id`` None).

    Active while not lifted and not expired (``expires_at`` None: permanent).
    """

    __tablename__ = "forum_bans"
    __table_args__ = (
        # "Is user X banned on board Y now?": the user's few bans, then board and lifted_at.
        sa.Index("ix_forum_bans_user", "user_id", "board_id", "lifted_at"),
        # A board's bans, newest first (keyset on id).
        sa.Index("ix_forum_bans_board", "board_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    board_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("forum_boards.id", ondelete="CASCADE")
    )
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lifted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lifted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    board: so.Mapped[Board | None] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    lifted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[lifted_by_id])

    def is_active_at(self, moment: datetime) -> bool:
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > moment)
