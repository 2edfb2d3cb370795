"""Where a complaint goes and when its answer is due.

Routing targets a *position*, never a person (holders change, the position stays):

1. the responsible position of the complaint step of the item the complaint is about;
2. else the department's default complaint position;
3. else nobody: the complaint stays RECEIVED until a supervisor or administrator routes it, and
   the intake mails the department's supervisors (the administrators if it has none) to do so.

A *vacant* position — neither a holder nor a deputy — is skipped at steps 1 and 2: a complaint
assigned there would reach nobody.

Handling deadline (办理时限): the complaint step's ``time_limit_days`` in working days, counted
from the working day after the day of receipt (Asia/Shanghai). A complaint about a department
(no item) — or about an item that has no complaint step, or whose step has no limit — has
``DEFAULT_HANDLING_DAYS`` (15 working days), the usual limit of the catalog's complaint steps.
The notification deadline (告知时限) starts with the answer and belongs to the officer side;
``notification_days`` gives its length in the same way (default ``DEFAULT_NOTIFICATION_DAYS``).
"""

from __future__ import annotations

from datetime import date

from disclosure.catalog.models import ApprovalItem, ProcedureStep, StepKind
from disclosure.directory.models import Department, Position
from portal.workdays import Deadline, add_working_days

DEFAULT_HANDLING_DAYS = 15
DEFAULT_NOTIFICATION_DAYS = 5


def complaint_step_of(item: ApprovalItem | None) -> ProcedureStep | None:
    """The item's complaint step (投诉环节), if it has one."""
    if item is None:
        return None
    return next((step for step in item.steps if step.kind == StepKind.COMPLAINT), None)


def route(
    item: ApprovalItem | None, step: ProcedureStep | None, department: Department | None
) -> Position | None:
    """The position that handles a complaint about ``item`` (and its ``step``) or ``department``.

    ``step`` is the step the complaint is *about* (e.g. acceptance); the complaint is handled by
    the position of the item's *complaint* step, not by the position complained about.
    """
    complaint_step = complaint_step_of(item)
    if complaint_step is not None and staffed(complaint_step.position):
        return complaint_step.position
    if department is None and item is not None:
        department = item.department
    if department is not None and staffed(department.default_complaint_position):
        return department.default_complaint_position
    return None


def staffed(position: Position | None) -> bool:
    """A position someone holds or deputises (a vacant one is skipped by ``route``)."""
    return position is not None and (position.holder is not None or position.deputy is not None)


def handling_days(complaint_step: ProcedureStep | None) -> int:
    if complaint_step is not None and complaint_step.time_limit_days:
        return complaint_step.time_limit_days
    return DEFAULT_HANDLING_DAYS


def notification_days(complaint_step: ProcedureStep | None) -> int:
    if complaint_step is not None and complaint_step.notification_time_limit_days:
        return complaint_step.notification_time_limit_days
    return DEFAULT_NOTIFICATION_DAYS


def handling_deadline(received_on: date, complaint_step: ProcedureStep | None) -> Deadline:
    """The day the answer is due: ``handling_days`` working days after ``received_on``."""
    return add_working_days(received_on, handling_days(complaint_step))
