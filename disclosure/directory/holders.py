"""Which positions an account works at and which departments it supervises: the two questions
every service that routes work to positions (complaints, online approval) asks on each request.

An account works at a position when it is linked to the staff member who holds or deputises it;
it supervises a department when it has the supervisor role and is linked to a staff member of
that department (directory → staff → account). Each answer costs one query per request.
"""

from __future__ import annotations

import sqlalchemy as sa

from disclosure.directory.models import Position, StaffMember
from portal.accounts.models import Role
from portal.extensions import db
from portal.request_cache import per_request


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def held_position_ids(user) -> frozenset[int]:
    """The positions this user holds or deputises."""
    if not signed_in(user):
        return frozenset()
    return per_request(
        "directory.positions",
        user.id,
        lambda: frozenset(
            db.session.scalars(
                sa.select(Position.id)
                .join(
                    StaffMember,
                    sa.or_(
                        Position.holder_id == StaffMember.id, Position.deputy_id == StaffMember.id
                    ),
                )
                .where(StaffMember.user_id == user.id)
            )
        ),
    )


def supervised_department_ids(user) -> frozenset[int]:
    """The departments this user supervises."""
    if not signed_in(user) or not user.has_role(Role.SUPERVISOR):
        return frozenset()
    return per_request(
        "directory.departments",
        user.id,
        lambda: frozenset(
            db.session.scalars(
                sa.select(StaffMember.department_id).where(StaffMember.user_id == user.id)
            )
        ),
    )


def worked_department_ids(user) -> frozenset[int]:
    """The departments in which this user holds or deputises a position."""
    if not signed_in(user):
        return frozenset()
    return per_request(
        "directory.worked_departments",
        user.id,
        lambda: frozenset(
            db.session.scalars(
                sa.select(Position.department_id)
                .join(
                    StaffMember,
                    sa.or_(
                        Position.holder_id == StaffMember.id, Position.deputy_id == StaffMember.id
                    ),
                )
                .where(StaffMember.user_id == user.id)
                .distinct()
            )
        ),
    )
