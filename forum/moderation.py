"""Moderation use cases: board moderators, reports, hiding posts, and thread tools.

Each function checks who acts, changes state, writes an audit entry ("forum.<verb>") with the
actor, the reason and the data, and flushes; the request commits.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from forum import bans, services
from forum.models import Board, BoardModerator, Post, Report, Thread
from forum.permissions import can_manage_moderators, can_moderate, can_report
from forum.posting import ForumError, adjust_board, refresh_board_last_post
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db

REASON_MAX = 500

# Checks run before a thread moves to another board (a consultation's thread stays on its own):
# each raises ForumError to refuse. Arguments: the thread, the target board, the actor.
move_checks: list[Callable[[Thread, Board, User], None]] = []


class ModerationDenied(PermissionError):
    """The actor may not do this; views answer 403."""


def _clean_reason(reason: str | None, *, required: bool = True) -> str:
    reason = " ".join((reason or "").replace("\x00", "").split())
    if required and not reason:
        raise ForumError(_("Give a reason."))
    if len(reason) > REASON_MAX:
        raise ForumError(_("A reason has at most %(max)d characters.", max=REASON_MAX))
    return reason


def audit_post(action: str, post: Post, actor: User, reason: str, **details) -> None:
    """The audit entry of a moderator's action on a post: which thread and floor, and why."""
    audit.record(
        action,
        "forum_post",
        post.id,
        actor=actor,
        reason=reason or None,
        thread_id=post.thread_id,
        floor=post.floor,
        **details,
    )


def _audit_grant(action: str, board: Board, user: User, actor: User, reason: str) -> None:
    audit.record(
        action,
        "forum_board",
        board.id,
        actor=actor,
        reason=reason or None,
        user_id=user.id,
        email=user.email,
    )


def _check_moderator(actor: User, board: Board) -> None:
    if not can_moderate(actor, board):
        raise ModerationDenied


# --- board moderators (版主) ---------------------------------------------------------------


def _grant_of(board: Board, user: User) -> BoardModerator | None:
    return db.session.scalar(
        sa.select(BoardModerator).where(
            BoardModerator.board_id == board.id, BoardModerator.user_id == user.id
        )
    )


def grant_moderator(board: Board, user: User, actor: User, reason: str = "") -> BoardModerator:
    if not can_manage_moderators(actor):
        raise ModerationDenied
    reason = _clean_reason(reason, required=False)
    existing = _grant_of(board, user)
    if existing is not None:
        raise ForumError(_("%(name)s moderates this board already.", name=user.display_name))
    grant = BoardModerator(board_id=board.id, user_id=user.id, granted_by_id=actor.id)
    db.session.add(grant)
    db.session.flush()
    _audit_grant("forum.grant_moderator", board, user, actor, reason)
    db.session.flush()
    return grant


def revoke_moderator(board: Board, user: User, actor: User, reason: str = "") -> None:
    if not can_manage_moderators(actor):
        raise ModerationDenied
    reason = _clean_reason(reason, required=False)
    grant = _grant_of(board, user)
    if grant is None:
        raise ForumError(_("%(name)s does not moderate this board.", name=user.display_name))
    db.session.delete(grant)
    _audit_grant("forum.revoke_moderator", board, user, actor, reason)
    db.session.flush()


# --- reports -------------------------------------------------------------------------------


def report_post(post: Post, reporter: User, reason: str) -> Report:
    """One open report per reader and post; the reason is required."""
    if not can_report(reporter, post):
        raise ModerationDenied
    bans.check_not_banned(post.thread.board, reporter)
    reason = _clean_reason(reason)
    open_report = db.session.scalar(
        sa.select(Report.id).where(
            Report.post_id == post.id,
            Report.reporter_id == reporter.id,
            Report.resolved_at.is_(None),
        )
    )
    if open_report is not None:
        raise ForumError(_("You have reported this post already; a moderator will look at it."))
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(report)
    db.session.flush()
    audit.record(
        "forum.report", "forum_post", post.id, actor=reporter, reason=reason, report_id=report.id
    )
    db.session.flush()
    return report


def _resolve_open_reports(post: Post, actor: User, resolution: str) -> list[int]:
    reports = list(
        db.session.scalars(
            sa.select(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
        )
    )
    now = utcnow()
    for report in reports:
        report.resolved_at = now
        report.resolved_by_id = actor.id
        report.resolution = resolution
    return [report.id for report in reports]


def dismiss_reports(post: Post, actor: User, reason: str = "") -> list[int]:
    """Close a post's open reports without acting on the post."""
    _check_moderator(actor, post.thread.board)
    reason = _clean_reason(reason, required=False)
    ids = _resolve_open_reports(post, actor, "dismissed")
    audit.record(
        "forum.dismiss_reports",
        "forum_post",
        post.id,
        actor=actor,
        reason=reason or None,
        report_ids=ids,
    )
    db.session.flush()
    return ids


# --- hiding posts --------------------------------------------------------------------------


def hide_post(post: Post, actor: User, reason: str) -> Post:
    """Hide a post in place with a public reason; its open reports are resolved as "hidden"."""
    _check_moderator(actor, post.thread.board)
    reason = _clean_reason(reason)
    if post.hidden_at is not None:
        raise ForumError(_("This post is hidden already."))
    post.hidden_at = utcnow()
    post.hidden_by_id = actor.id
    post.hidden_reason = reason
    ids = _resolve_open_reports(post, actor, "hidden")
    services.notify_visibility(post, False)
    audit_post("forum.hide_post", post, actor, reason, report_ids=ids)
    services.rerender_quotes_of(post)
    return post


def restore_post(post: Post, actor: User, reason: str = "") -> Post:
    _check_moderator(actor, post.thread.board)
    reason = _clean_reason(reason, required=False)
    if post.hidden_at is None:
        raise ForumError(_("This post is not hidden."))
    audit_post("forum.restore_post", post, actor, reason, hidden_reason=post.hidden_reason)
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    services.notify_visibility(post, True)
    services.rerender_quotes_of(post)
    return post


# --- thread tools --------------------------------------------------------------------------

_FLAGS = {
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "feature": ("is_featured", True),
    "unfeature": ("is_featured", False),
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
}
THREAD_FLAG_VERBS = tuple(_FLAGS)


def set_thread_flag(thread: Thread, actor: User, verb: str, reason: str = "") -> Thread:
    """Pin/unpin (置顶), feature/unfeature (精华), lock/unlock."""
    if verb not in _FLAGS:
        raise ValueError(verb)
    _check_moderator(actor, thread.board)
    reason = _clean_reason(reason, required=False)
    attribute, value = _FLAGS[verb]
    setattr(thread, attribute, value)
    audit.record(
        f"forum.{verb}",
        "forum_thread",
        thread.id,
        actor=actor,
        reason=reason or None,
        board_id=thread.board_id,
    )
    db.session.flush()
    return thread


def move_thread(thread: Thread, target: Board, actor: User, reason: str) -> Thread:
    """Move a thread to another board; both boards' counters and latest posts follow."""
    source = thread.board
    _check_moderator(actor, source)
    _check_moderator(actor, target)
    reason = _clean_reason(reason)
    if target.id == source.id:
        raise ForumError(_("The thread is on this board already."))
    for check in move_checks:
        check(thread, target, actor)
    thread.board_id = target.id
    thread.board = target
    db.session.flush()
    if thread.deleted_at is None:
        adjust_board(source.id, -1, -thread.post_count)
        adjust_board(target.id, 1, thread.post_count)
        refresh_board_last_post(source.id)
        refresh_board_last_post(target.id)
    audit.record(
        "forum.move_thread",
        "forum_thread",
        thread.id,
        actor=actor,
        reason=reason,
        from_board_id=source.id,
        to_board_id=target.id,
    )
    db.session.flush()
    for board in (source, target):
        db.session.expire(board, ["thread_count", "post_count", "last_post_id", "last_post_at"])
    return thread


def delete_thread(thread: Thread, actor: User, reason: str) -> Thread:
    """Soft delete: the thread leaves the lists and answers 404 to all but moderators."""
    _check_moderator(actor, thread.board)
    reason = _clean_reason(reason)
    if thread.deleted_at is not None:
        raise ForumError(_("This thread is deleted already."))
    thread.deleted_at = utcnow()
    db.session.flush()
    adjust_board(thread.board_id, -1, -thread.post_count)
    refresh_board_last_post(thread.board_id)
    audit.record(
        "forum.delete_thread",
        "forum_thread",
        thread.id,
        actor=actor,
        reason=reason,
        board_id=thread.board_id,
        title=thread.title,
    )
    db.session.flush()
    db.session.expire(thread.board, ["thread_count", "post_count", "last_post_id", "last_post_at"])
    return thread
