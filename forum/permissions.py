"""Who may do what in the forum: pure predicates of the user (and the post)."""

from __future__ import annotations


def can_post(user) -> bool:
    """A signed-in, active account whose email address is verified."""
    return bool(user and user.is_authenticated and user.is_active and user.is_verified)


def can_edit(user, post) -> bool:
    """Authors edit their own posts (moderators' powers arrive with moderation)."""
    return can_post(user) and post.author_id == user.id
