"""Who may open, edit, mark, publish and export a consultation.

Administrators may, on every major item. An officer may on the items of their own department:
a user with the officer role who holds or deputises a position (岗位) of the item's department,
through the staff record linked to their account (``StaffMember.user_id`` = the user, and
``Position.holder_id`` or ``Position.deputy_id`` = that staff record). Nobody else: citizens give
opinions, visitors read.
"""

from __future__ import annotations

from disclosure.directory.holders import signed_in as _active
from disclosure.directory.holders import worked_department_ids
from forum.permissions import can_post
from portal.accounts.models import Role
from portal.accounts.permissions import is_admin


def officer_department_ids(user) -> frozenset[int]:
    """The departments in which this officer holds or deputises a position."""
    if not (_active(user) and user.has_role(Role.OFFICER)):
        return frozenset()
    return worked_department_ids(user)


def can_open_any(user) -> bool:
    """Whether to show the "open a consultation" form at all."""
    return _active(user) and (is_admin(user) or bool(officer_department_ids(user)))


def can_manage(user, item) -> bool:
    """Open a consultation on this item, edit it, mark opinions, publish and revise the report."""
    if not _active(user):
        return False
    return is_admin(user) or item.department_id in officer_department_ids(user)


def can_export(user, item) -> bool:
    return can_manage(user, item)


def can_give_opinion(user) -> bool:
    return can_post(user)
