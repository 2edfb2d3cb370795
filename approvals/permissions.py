"""Who may see and act on an application: pure predicates of the user and the application.

An application is seen by its applicant, the holders and deputies of the positions its tasks were
at (``Application.position_ids``), the supervisors of its department and administrators. Everyone
else gets a 404 for its pages. Those who may see it but not do a thing get a 403.

A *department supervisor* is an account with the supervisor role linked to a staff member of that
department (directory → staff → account).
"""

from __future__ import annotations

from approvals.application_models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    TaskStatus,
)
from disclosure.directory.holders import held_position_ids, signed_in, supervised_department_ids
from portal.accounts.permissions import is_admin

S = ApplicationStatus


def can_apply(user) -> bool:
    """Applying needs a verified account (the identity is checked at submission)."""
    return signed_in(user) and user.is_verified


def is_applicant(user, application: Application) -> bool:
    return signed_in(user) and application.applicant_id == user.id


def handles(user, application: Application) -> bool:
    """Holder or deputy of a position the application's tasks were at."""
    return bool(set(application.position_ids or []) & held_position_ids(user))


def supervises(user, application: Application) -> bool:
    return application.department_id in supervised_department_ids(user)


def can_view(user, application: Application) -> bool:
    if not signed_in(user):
        return False
    if application.status == S.DRAFT:
        return is_applicant(user, application)
    return (
        is_applicant(user, application)
        or handles(user, application)
        or supervises(user, application)
        or is_admin(user)
    )


def can_see_internal(user, application: Application) -> bool:
    """Internal notes, the tasks and the officer's tools."""
    return signed_in(user) and (
        handles(user, application) or supervises(user, application) or is_admin(user)
    )


def can_act_on(user, task: ApplicationTask | None) -> bool:
    """Only an open task's own position (holder or deputy) — or an administrator — acts on it."""
    if task is None or task.status != TaskStatus.OPEN or not signed_in(user):
        return False
    return task.position_id in held_position_ids(user) or is_admin(user)


def can_transfer(user, application: Application, task: ApplicationTask | None) -> bool:
    return task is not None and (
        can_act_on(user, task) or (supervises(user, application) and task.status == TaskStatus.OPEN)
    )


def can_supervise(user, application: Application) -> bool:
    """Extend the limit: the department's supervisors and administrators."""
    return signed_in(user) and (supervises(user, application) or is_admin(user))


def can_add_note(user, application: Application) -> bool:
    return can_see_internal(user, application)


def can_withdraw(user, application: Application) -> bool:
    return is_applicant(user, application) and (
        application.status in {S.SUBMITTED, S.CORRECTION_REQUESTED}
        or (
            application.status in {S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED}
            and application.withdrawal_requested_at is None
        )
    )


def can_correct(user, application: Application) -> bool:
    return is_applicant(user, application) and application.status == S.CORRECTION_REQUESTED


def can_rate(user, application: Application) -> bool:
    return is_applicant(user, application) and application.status in {S.DELIVERED, S.CLOSED}


def can_see_queue(user) -> bool:
    return bool(held_position_ids(user))
