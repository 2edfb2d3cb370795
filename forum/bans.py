"""Bans: a board's moderator (版主) bars a user from posting on that board for a period; an
administrator does so on one board or on every board. The banned user is told why and until when.

A ban is active while it is neither lifted nor expired. It refuses new threads, replies, edits and
reports on its board (``board_id`` None: on every board). Nobody bans an administrator or
themselves. Banning and lifting are audited ("forum.ban", "forum.lift_ban"); services flush.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum import posting
from forum.models import Ban, Board, Post, Thread
from forum.permissions import can_ban
from portal import audit
from portal.accounts.models import User
from portal.accounts.permissions import is_admin
from portal.db import utcnow
from portal.extensions import db

REASON_MAX = 500

# The periods a moderator chooses from: (key, length; None = permanent, label).
PERIODS: dict[str, tuple[timedelta | None, object]] = {
    "1d": (timedelta(days=1), _l("1 day")),
    "7d": (timedelta(days=7), _l("7 days")),
    "30d": (timedelta(days=30), _l("30 days")),
    "permanent": (None, _l("Permanently")),
}


class BanDenied(PermissionError):
    """The actor may not ban (or lift) here; views answer 403."""


class Banned(posting.PostingRefused):
    """The user is banned where they try to write; the message names the reason and the end."""


def can_lift(actor, ban: Ban) -> bool:
    return can_ban(actor, ban.board)


def active_ban(user, board: Board | None, *, now: datetime | None = None) -> Ban | None:
    """The ban that keeps ``user`` from posting on ``board`` now (the longest, if several).

    With ``board`` None only a ban on every board counts. One indexed query.
    """
    if not (user and user.is_authenticated):
        return None
    now = now or utcnow()
    where_board = Ban.board_id.is_(None)
    if board is not None:
        where_board = sa.or_(Ban.board_id == board.id, where_board)
    return db.session.scalar(
        sa.select(Ban)
        .where(
            Ban.user_id == user.id,
            where_board,
            Ban.lifted_at.is_(None),
            sa.or_(Ban.expires_at.is_(None), Ban.expires_at > now),
        )
        # Permanent first, then the one that ends last.
        .order_by(Ban.expires_at.is_(None).desc(), Ban.expires_at.desc(), Ban.id.desc())
        .limit(1)
    )


def ban_message(ban: Ban) -> str:
    """What the banned user reads: where, until when, and why."""
    if ban.board_id is None:
        if ban.expires_at is None:
            return _(
                "You are banned from posting on every board, permanently. Reason: %(reason)s",
                reason=ban.reason,
            )
        return _(
            "You are banned from posting on every board until %(until)s. Reason: %(reason)s",
            until=format_datetime(ban.expires_at, "medium"),
            reason=ban.reason,
        )
    if ban.expires_at is None:
        return _(
            "You are banned from posting on this board, permanently. Reason: %(reason)s",
            reason=ban.reason,
        )
    return _(
        "You are banned from posting on this board until %(until)s. Reason: %(reason)s",
        until=format_datetime(ban.expires_at, "medium"),
        reason=ban.reason,
    )


def check_not_banned(board: Board, user: User) -> None:
    """Raise ``Banned`` with the user's message if a ban keeps them from writing on ``board``."""
    ban = active_ban(user, board)
    if ban is not None:
        raise Banned(ban_message(ban))


def _check_posting(board: Board, _thread: Thread | None, author: User) -> None:
    check_not_banned(board, author)


def _check_editing(post: Post, editor: User) -> None:
    check_not_banned(post.thread.board, editor)


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").replace("\x00", "").split())
    if not reason:
        raise posting.ForumError(_("Give a reason."))
    if len(reason) > REASON_MAX:
        raise posting.ForumError(_("A reason has at most %(max)d characters.", max=REASON_MAX))
    return reason


def ban(user: User, board: Board | None, actor: User, period: str, reason: str) -> Ban:
    """Ban ``user`` from ``board`` (None: every board) for one of ``PERIODS``, with a reason."""
    if not can_ban(actor, board):
        raise BanDenied
    if user.id == actor.id:
        raise posting.ForumError(_("You cannot ban yourself."))
    if is_admin(user):
        raise posting.ForumError(_("An administrator cannot be banned."))
    if period not in PERIODS:
        raise posting.ForumError(_("Choose how long the ban lasts."))
    reason = _clean_reason(reason)
    now = utcnow()
    length = PERIODS[period][0]
    record = Ban(
        user_id=user.id,
        board_id=board.id if board is not None else None,
        reason=reason,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + length if length is not None else None,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "forum.ban",
        "forum_ban",
        record.id,
        actor=actor,
        reason=reason,
        user_id=user.id,
        email=user.email,
        board_id=record.board_id,
        period=period,
        expires_at=record.expires_at.isoformat() if record.expires_at else None,
    )
    db.session.flush()
    return record


def lift(record: Ban, actor: User, reason: str = "") -> Ban:
    """End a ban before its time; the reason is optional."""
    if not can_lift(actor, record):
        raise BanDenied
    if not record.is_active_at(utcnow()):
        raise posting.ForumError(_("This ban is no longer in force."))
    reason = " ".join((reason or "").split())[:REASON_MAX]
    record.lifted_at = utcnow()
    record.lifted_by_id = actor.id
    audit.record(
        "forum.lift_ban",
        "forum_ban",
        record.id,
        actor=actor,
        reason=reason or None,
        user_id=record.user_id,
        board_id=record.board_id,
    )
    db.session.flush()
    return record


def install() -> None:
    """Register the ban checks with the posting services (idempotent)."""
    if _check_posting not in posting.posting_checks:
        posting.posting_checks.append(_check_posting)
    if _check_editing not in posting.edit_checks:
        posting.edit_checks.append(_check_editing)


install()
