"""Who may see and act on a complaint: pure predicates of the user and the complaint.

A complaint is seen only by its complainant, the holder and deputy of the position it is
assigned to, the supervisors of its department and administrators. Everyone else gets a 404 for
its pages — its existence is not revealed, not even to someone guessing tracking numbers. Those
who may see it but not do a thing (a complainant trying to answer) get a 403.

A *department supervisor* is an account with the supervisor role that is linked to a staff
member of that department (directory → staff → account).
"""

from __future__ import annotations

from complaints.models import Complaint, ComplaintStatus
from disclosure.directory.holders import held_position_ids, supervised_department_ids
from disclosure.directory.holders import signed_in as _signed_in
from portal.accounts.permissions import is_admin


def is_complainant(user, complaint: Complaint) -> bool:
    return _signed_in(user) and complaint.complainant_id == user.id


def handles(user, complaint: Complaint) -> bool:
    """The holder or deputy of the position the complaint is assigned to."""
    return complaint.position_id is not None and complaint.position_id in held_position_ids(user)


def supervises(user, complaint: Complaint) -> bool:
    return complaint.department_id in supervised_department_ids(user)


def can_view(user, complaint: Complaint) -> bool:
    if not _signed_in(user):
        return False
    return (
        is_complainant(user, complaint)
        or handles(user, complaint)
        or supervises(user, complaint)
        or is_admin(user)
    )


def can_see_internal(user, complaint: Complaint) -> bool:
    """Internal notes and the officer's tools: everyone who may see it but the complainant
    (unless the complainant also handles it, which the officer tools then allow)."""
    return _signed_in(user) and (
        handles(user, complaint) or supervises(user, complaint) or is_admin(user)
    )


def can_handle(user, complaint: Complaint) -> bool:
    """Answer, add notes, record notifications, close: the position's holder or deputy, or admin."""
    return _signed_in(user) and (handles(user, complaint) or is_admin(user))


def can_transfer(user, complaint: Complaint) -> bool:
    """Send it to another position: its handlers, the department's supervisors, administrators."""
    return _signed_in(user) and (
        handles(user, complaint) or supervises(user, complaint) or is_admin(user)
    )


def can_route(user, complaint: Complaint) -> bool:
    """Assign a complaint that found no position: supervisors of its department, administrators."""
    return _signed_in(user) and (supervises(user, complaint) or is_admin(user))


def can_follow_up(user, complaint: Complaint) -> bool:
    return is_complainant(user, complaint) and complaint.status != ComplaintStatus.CLOSED


def can_rate(user, complaint: Complaint) -> bool:
    return is_complainant(user, complaint) and complaint.status in {
        ComplaintStatus.ANSWERED,
        ComplaintStatus.NOTIFIED,
        ComplaintStatus.CLOSED,
    }


def can_file(user) -> bool:
    """Filing needs a verified account: the tracking page and its emails are tied to it."""
    return _signed_in(user) and user.is_verified


def can_see_queue(user) -> bool:
    """The officer's queue: anyone who holds or deputises a position."""
    return bool(held_position_ids(user))


def can_see_department_queue(user, department_id: int) -> bool:
    return _signed_in(user) and (department_id in supervised_department_ids(user) or is_admin(user))


def can_add_note(user, complaint: Complaint) -> bool:
    """Internal notes: everyone who sees the internal timeline (handlers, supervisors, admins)."""
    return can_see_internal(user, complaint)


def can_reopen(user, complaint: Complaint) -> bool:
    """Send a notified or closed complaint back for a new answer: its handlers, the department's
    supervisors, administrators — not the complainant, who follows up or rates instead."""
    return can_transfer(user, complaint)
