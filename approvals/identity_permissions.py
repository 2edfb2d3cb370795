"""Who may do what with identities: pure predicates of the user."""

from __future__ import annotations

from portal.accounts.models import Role


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_declare(user) -> bool:
    """A signed-in account with a verified email address may declare an identity."""
    return is_signed_in(user) and user.is_verified


def can_confirm_at_counter(user) -> bool:
    """Officers confirm identities at a service counter (and only they see numbers in full)."""
    return is_signed_in(user) and user.has_role(Role.OFFICER)
