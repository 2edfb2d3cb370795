"""Who may change the working-day calendar."""

from __future__ import annotations

from portal.accounts.permissions import is_admin


def can_manage_calendar(user) -> bool:
    return is_admin(user)
