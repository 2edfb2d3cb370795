"""Trust levels: a new account earns the right to post freely, so that a spammer cannot flood a board.

The rule, as users are told it:

* An account is **trusted** once it is at least ``TRUSTED_AGE`` old (24 hours) *and* has at least
  ``TRUSTED_POSTS`` (3) approved posts that no moderator hid. Administrators and moderators (the
  role, or a grant on any board) are always trusted.
* A post by an account not yet trusted is **held for approval** when the account has no approved
  post yet (its first post) or when the post contains a link (an http/https address, a ``www.``
  address or a Markdown link to another site; links within the site, such as a quote's, do not
  count).
* A held post takes its floor (floors stay gapless) and counts in the thread's and the board's
  post counters, but it does not bump its thread, is not the board's latest post, is not indexed
  for search, is left out of feeds and notifications (its watchers get it once approved), and
  others see "awaiting moderator approval" in its place; its author sees the text with a note.
  A thread whose opening post is held is unlisted, unsearchable (replies included) and answers
  404 to everyone but its author and moderators. A moderator approves (shown, indexed, notified) or
  rejects (hidden with a public reason; a rejected opening post deletes its thread).
* Posting is rate-limited: at most ``UNTRUSTED_RATE`` (3) posts per ``RATE_WINDOW`` (10 minutes)
  for an account not yet trusted, ``TRUSTED_RATE`` (20) for a trusted one; the message says when
  the next post is possible. Moderators and administrators are not limited.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from forum import services
from forum.models import Board, Post, Thread
from forum.permissions import moderated_board_ids
from portal.accounts.models import Role, User
from portal.accounts.permissions import is_admin
from portal.db import utcnow
from portal.extensions import db

TRUSTED_AGE = timedelta(hours=24)
TRUSTED_POSTS = 3
RATE_WINDOW = timedelta(minutes=10)
UNTRUSTED_RATE = 3
TRUSTED_RATE = 20

_SITE_LINK = re.compile(r"""href=["'](?!/(?!/)|#)""", re.IGNORECASE)
_SOURCE_LINK = re.compile(r"https?://|\bwww\.|\]\(\s*(?!/(?!/)|#)", re.IGNORECASE)

# Seeding demo data is not people posting: the loader writes under this waiver.
_waived: ContextVar[bool] = ContextVar("forum_trust_waived", default=False)


@contextmanager
def waived():
    """Write posts without holding or rate-limiting them (demo data); never for a request."""
    token = _waived.set(True)
    try:
        yield
    finally:
        _waived.reset(token)


def is_staff(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.MODERATOR) or bool(moderated_board_ids(user))


def approved_post_count(user: User, limit: int = TRUSTED_POSTS) -> int:
    """The user's shown posts (neither held nor hidden), counted up to ``limit`` only."""
    shown = (
        sa.select(Post.id)
        .where(Post.author_id == user.id, Post.held_at.is_(None), Post.hidden_at.is_(None))
        .limit(limit)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(shown)) or 0


def is_trusted(user: User, *, now: datetime | None = None) -> bool:
    if is_staff(user):
        return True
    now = now or utcnow()
    if user.created_at is None or now - user.created_at < TRUSTED_AGE:
        return False
    return approved_post_count(user) >= TRUSTED_POSTS


def has_link(post: Post) -> bool:
    """A link to another site in the text: in the source, or in the rendered HTML."""
    return bool(_SOURCE_LINK.search(post.source) or _SITE_LINK.search(post.html))


def should_hold(_thread: Thread, author: User, post: Post) -> bool:
    """Hold the first post of an account not yet trusted, and its posts with links."""
    if _waived.get() or is_trusted(author):
        return False
    return has_link(post) or approved_post_count(author, limit=1) == 0


def check_rate(_board: Board, _thread: Thread | None, author: User) -> None:
    """At most UNTRUSTED_RATE (or TRUSTED_RATE) posts in RATE_WINDOW; say when the next is due."""
    if _waived.get() or is_staff(author):
        return
    now = utcnow()
    limit = TRUSTED_RATE if is_trusted(author, now=now) else UNTRUSTED_RATE
    recent = list(
        db.session.scalars(
            sa.select(Post.created_at)
            .where(Post.author_id == author.id, Post.created_at > now - RATE_WINDOW)
            .order_by(Post.created_at.desc())
            .limit(limit)
        )
    )
    if len(recent) < limit:
        return
    again = recent[-1] + RATE_WINDOW
    raise services.PostingRefused(
        _(
            "You are posting too often: at most %(count)d posts in %(minutes)d minutes. "
            "You can post again at %(when)s.",
            count=limit,
            minutes=int(RATE_WINDOW.total_seconds() // 60),
            when=format_datetime(again, "medium"),
        )
    )


def install() -> None:
    """Register the hold rule and the rate limit with the posting services (idempotent)."""
    if should_hold not in services.hold_checks:
        services.hold_checks.append(should_hold)
    if check_rate not in services.posting_checks:
        services.posting_checks.append(check_rate)


install()
