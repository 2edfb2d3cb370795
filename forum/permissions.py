"""Who may do what in the forum: pure predicates of the user (and the post or board)."""

from __future__ import annotations

import sqlalchemy as sa

from forum.models import BoardModerator
from portal.accounts.permissions import is_admin
from portal.extensions import db
from portal.request_cache import per_request


def can_post(user) -> bool:
    """A signed-in, active account whose email address is verified."""
    return bool(user and user.is_authenticated and user.is_active and user.is_verified)


def can_edit(user, post) -> bool:
    """Authors edit their own posts (moderators' powers arrive with moderation)."""
    return can_post(user) and post.author_id == user.id


def moderated_board_ids(user) -> frozenset[int]:
    """The boards this user moderates: one query, kept on the request for the rest of it."""
    if not (user and user.is_authenticated):
        return frozenset()
    return per_request(
        "forum.moderated_board_ids",
        user.id,
        lambda: frozenset(
            db.session.scalars(
                sa.select(BoardModerator.board_id).where(BoardModerator.user_id == user.id)
            )
        ),
    )


def can_moderate(user, board) -> bool:
    """Administrators everywhere; a board's moderators (版主) on their board. Must be active."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or board.id in moderated_board_ids(user)


def can_see_hidden(user, board) -> bool:
    """Who sees the original text of a hidden post and deleted threads: whoever moderates."""
    return can_moderate(user, board)


def can_report(user, post) -> bool:
    """Any verified citizen reports any post but their own (reporting oneself has no point)."""
    return can_post(user) and post.author_id != user.id


def can_manage_moderators(user) -> bool:
    return is_admin(user) and user.is_active


def can_manage_boards(user) -> bool:
    """Opening boards and changing their names, descriptions and order: administrators."""
    return is_admin(user) and user.is_active


def can_ban(user, board) -> bool:
    """Moderators ban (and lift bans) on their boards; on every board (board None) only admins."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_admin(user) if board is None else can_moderate(user, board)
