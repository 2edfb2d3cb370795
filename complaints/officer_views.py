"""The officer's pages: the queue, the department's queue, the actions on a complaint, the letter.

Routes live on the complaints blueprint. Every action: signed in (else to the login page) → the
complaint, or 404 for anyone who may not see it → the action's permission, else 403 → the
service → redirect to the complaint. A refusal the officer should read (empty answer, a move the
state machine does not allow) re-renders the complaint's page with the input kept and a message:
400 for input, 409 for a move that does not fit the complaint's status.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from complaints import attachments, officer, permissions
from complaints.errors import ComplaintError
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    Notification,
    NotificationStatus,
)
from complaints.officer_forms import (
    AnswerForm,
    CloseForm,
    NoteForm,
    RecordNotificationForm,
    ReopenForm,
    RouteForm,
    TransferForm,
)
from complaints.states import IllegalTransition, allowed
from complaints.views import _complaint_or_404, _show, bp, is_signed_in
from disclosure.directory.models import Department, Position
from portal.accounts.permissions import require
from portal.db import utcnow
from portal.extensions import db
from portal.workdays import add_working_days, local_date
from portal.workdays.calendar import SHANGHAI

PER_PAGE = 30
DUE_SOON_DAYS = 2
FORMS = {
    "answer": AnswerForm,
    "note": NoteForm,
    "transfer": TransferForm,
    "route": RouteForm,
    "close": CloseForm,
    "reopen": ReopenForm,
}


# --- the panel on a complaint's page -------------------------------------------------------------


def _positions(exclude_id: int | None) -> dict[str, list[tuple[str, str]]]:
    """Positions someone holds, grouped by department (optgroups of the transfer select)."""
    rows = db.session.execute(
        sa.select(Position.id, Position.name, Department.short_name)
        .join(Department, Department.id == Position.department_id)
        .where(sa.or_(Position.holder_id.is_not(None), Position.deputy_id.is_not(None)))
        .order_by(Department.sort_order, Department.id, Position.sort_order, Position.id)
    )
    grouped: dict[str, list[tuple[str, str]]] = {}
    for position_id, name, department in rows:
        if position_id != exclude_id:
            grouped.setdefault(department, []).append((str(position_id), name))
    return grouped


def _form(name: str):
    bound = getattr(g, "officer_forms", {}).get(name)
    return bound if bound is not None else FORMS[name](formdata=None, prefix=name)


def _record_form(notification_id: int):
    bound = getattr(g, "officer_forms", {}).get(f"record-{notification_id}")
    if bound is not None:
        return bound
    form = RecordNotificationForm(formdata=None, prefix=f"record-{notification_id}")
    now = utcnow().astimezone(SHANGHAI)
    form.day.data, form.time.data = now.date(), now.time().replace(second=0, microsecond=0)
    return form


@bp.app_context_processor
def officer_helpers():
    return {"officer_panel": officer_panel, "officer_links": officer_links}


def officer_links() -> list[tuple[str, str]]:
    """Links to the queues the current user may open (the menu has no per-role entries)."""
    user = current_user
    links = []
    if permissions.can_see_queue(user):
        links.append((url_for("complaints.queue"), _("My complaint queue")))
    supervised = permissions.supervised_department_ids(user)
    if supervised:
        for code, name in db.session.execute(
            sa.select(Department.code, Department.short_name)
            .where(Department.id.in_(supervised))
            .order_by(Department.sort_order, Department.id)
        ):
            links.append(
                (
                    url_for("complaints.department", code=code),
                    _("Complaints of %(department)s", department=name),
                )
            )
    return links


def officer_panel(complaint: Complaint) -> dict:
    """What ``_officer_panel.html`` shows for the current user: only the tools they may use."""
    user = current_user
    panel = {
        "answer": None,
        "note": None,
        "transfer": None,
        "route": None,
        "close": None,
        "reopen": None,
        "tasks": [],
        "notifications": [],
    }
    handle = permissions.can_handle(user, complaint)
    if handle and allowed(complaint, "answer"):
        panel["answer"] = _form("answer")
    if permissions.can_add_note(user, complaint):
        panel["note"] = _form("note")
    if permissions.can_transfer(user, complaint) and allowed(complaint, "transfer"):
        form = _form("transfer")
        form.position.choices = _positions(complaint.position_id)
        panel["transfer"] = form
    if permissions.can_route(user, complaint) and allowed(complaint, "assign"):
        form = _form("route")
        form.position.choices = _positions(None)
        panel["route"] = form
    if handle and allowed(complaint, "close"):
        panel["close"] = _form("close")
    if permissions.can_reopen(user, complaint) and allowed(complaint, "reopen"):
        panel["reopen"] = _form("reopen")
    if permissions.can_see_internal(user, complaint):
        panel["notifications"] = list(
            db.session.scalars(
                sa.select(Notification)
                .where(Notification.complaint_id == complaint.id)
                .order_by(Notification.id)
            )
        )
        if handle and complaint.status == ComplaintStatus.ANSWERED:
            panel["tasks"] = [
                (n, _record_form(n.id))
                for n in panel["notifications"]
                if n.status in {NotificationStatus.PENDING, NotificationStatus.FAILED}
            ]
    return panel


# --- actions -----------------------------------------------------------------------------------


def _refused(complaint: Complaint, name: str, form, message: str, status: int):
    flash(message, "error")
    g.officer_forms = {name: form}
    db.session.rollback()
    return _show(complaint, status=status)


def _act(tracking_number: str, name: str, predicate, action, *, done: str):
    """Load → permission → the action's form (see ``_submit``)."""
    complaint = _complaint_or_404(tracking_number)
    if not predicate(current_user, complaint):
        abort(403)
    return _submit(complaint, name, FORMS[name](prefix=name), action, done=done)


def _submit(complaint: Complaint, name: str, form, action, *, done: str):
    """Validate → service → redirect to the complaint, or re-render it with the message."""
    if name in {"transfer", "route"}:
        form.position.choices = _positions(complaint.position_id if name == "transfer" else None)
    if not form.validate_on_submit():
        return _refused(complaint, name, form, _("Please correct the form."), 400)
    try:
        action(complaint, form)
    except IllegalTransition as error:
        return _refused(complaint, name, form, str(error), 409)
    except ComplaintError as error:
        return _refused(complaint, name, form, str(error), 400)
    flash(done, "success")
    return redirect(url_for(".show", tracking_number=complaint.tracking_number))


def _position(form) -> Position | None:
    value = form.position.data
    return db.session.get(Position, int(value)) if value and str(value).isdigit() else None


def _answer(complaint, form) -> None:
    files = attachments.from_storage(request.files.getlist(form.attachments.name))
    officer.answer(complaint, current_user, form.source.data, files)


# The officer's actions on a complaint: POST /complaints/<tracking_number>/<name>, endpoint
# ``complaints.<name>``: name → (who may, what it does with the validated form, what is flashed).
OFFICER_ACTIONS = {
    "answer": (
        permissions.can_handle,
        _answer,
        _l("The answer is recorded and the complainant is being told."),
    ),
    "note": (
        permissions.can_add_note,
        lambda complaint, form: officer.add_note(complaint, current_user, form.source.data),
        _l("The note is added."),
    ),
    "transfer": (
        permissions.can_transfer,
        lambda complaint, form: officer.transfer(
            complaint, current_user, _position(form), form.reason.data
        ),
        _l("The complaint is transferred."),
    ),
    "route": (
        permissions.can_route,
        lambda complaint, form: officer.route(complaint, current_user, _position(form)),
        _l("The complaint is assigned."),
    ),
    "close": (
        permissions.can_handle,
        lambda complaint, form: officer.close(complaint, current_user, form.reason.data),
        _l("The complaint is closed."),
    ),
    "reopen": (
        permissions.can_reopen,
        lambda complaint, form: officer.reopen(complaint, current_user, form.reason.data),
        _l("The complaint is reopened."),
    ),
}


def _action_view(name: str):
    predicate, action, done = OFFICER_ACTIONS[name]

    def view(tracking_number: str):
        return _act(tracking_number, name, predicate, action, done=str(done))

    view.__name__ = name
    return require(is_signed_in)(view)


for _name in OFFICER_ACTIONS:
    bp.add_url_rule(f"/<tracking_number>/{_name}", view_func=_action_view(_name), methods=["POST"])


@bp.route("/<tracking_number>/notifications/<int:notification_id>", methods=["POST"])
@require(is_signed_in)
def record_notification(tracking_number: str, notification_id: int):
    complaint = _complaint_or_404(tracking_number)
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.complaint_id != complaint.id:
        abort(404)
    if not permissions.can_handle(current_user, complaint):
        abort(403)

    def act(complaint, form):
        local = datetime.combine(form.day.data, form.time.data or time(12, 0), tzinfo=SHANGHAI)
        officer.record_notification(notification, current_user, local, form.how.data)

    name = f"record-{notification_id}"
    return _submit(
        complaint,
        name,
        RecordNotificationForm(prefix=name),
        act,
        done=_("The notification is recorded."),
    )


# --- the letter --------------------------------------------------------------------------------


@bp.route("/<tracking_number>/letter")
@require(is_signed_in)
def letter(tracking_number: str):
    """The answer as a printable letter to the complainant's postal address."""
    complaint = _complaint_or_404(tracking_number)
    if not permissions.can_handle(current_user, complaint):
        abort(403)
    answer_event = db.session.scalar(
        sa.select(ComplaintEvent)
        .where(
            ComplaintEvent.complaint_id == complaint.id,
            ComplaintEvent.kind == EventKind.ANSWERED,
        )
        .order_by(ComplaintEvent.id.desc())
        .limit(1)
    )
    if answer_event is None:
        abort(404)
    return render_template(
        "complaints/letter.html",
        complaint=complaint,
        answer=answer_event,
        department=complaint.department,
        today=local_date(utcnow()),
    )


# --- queues ------------------------------------------------------------------------------------


def _after_arg(name: str = "after") -> tuple[date, int] | None:
    """``?after=2026-12-01.42``: the keyset of the last row of the previous page."""
    value = request.args.get(name, "")
    day, _sep, ident = value.partition(".")
    try:
        return date.fromisoformat(day), int(ident)
    except ValueError:
        return None


def _by_day(
    stmt: sa.Select, due: sa.ColumnElement[date], arg: str, *options
) -> tuple[list[Complaint], str | None]:
    """Rows of ``stmt`` by the day ``due``, then id; keyset paged with ``?<arg>=<day>.<id>``,
    never OFFSET."""
    after = _after_arg(arg)
    if after is not None:
        stmt = stmt.where(sa.tuple_(due, Complaint.id) > sa.tuple_(*after))
    rows = list(
        db.session.scalars(stmt.order_by(due, Complaint.id).limit(PER_PAGE + 1).options(*options))
    )
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    next_after = f"{getattr(rows[-1], due.key).isoformat()}.{rows[-1].id}" if more else None
    return rows, next_after


def _by_deadline(stmt: sa.Select) -> tuple[list[Complaint], str | None]:
    """Rows of ``stmt`` by handling deadline, then id (``?after=``)."""
    return _by_day(
        stmt,
        Complaint.handling_due,
        "after",
        so.joinedload(Complaint.position),
        so.joinedload(Complaint.department),
    )


def _marks() -> dict:
    today = local_date(utcnow())
    return {"today": today, "soon": add_working_days(today, DUE_SOON_DAYS).date}


@bp.route("/queue")
@require(is_signed_in)
def queue():
    """The complaints waiting for an answer from the positions I hold or deputise."""
    positions = permissions.held_position_ids(current_user)
    if not positions:
        abort(403)
    rows, next_after = _by_deadline(
        sa.select(Complaint).where(
            Complaint.position_id.in_(positions),
            Complaint.status == ComplaintStatus.ASSIGNED,
            Complaint.handling_due.is_not(None),
        )
    )
    tasks, tasks_after = _notification_tasks(positions)
    return render_template(
        "complaints/queue.html",
        complaints=rows,
        next_after=next_after,
        tasks=tasks,
        tasks_after=tasks_after,
        **_marks(),
    )


def _notification_tasks(positions) -> tuple[list[Complaint], str | None]:
    """Answered complaints whose complainant is still to be told, by notification deadline then
    id; keyset paged with ``?tasks_after=<notification_due>.<id>`` (an answered complaint always
    has a notification deadline)."""
    stmt = sa.select(Complaint).where(
        Complaint.position_id.in_(positions),
        Complaint.status == ComplaintStatus.ANSWERED,
        Complaint.notification_due.is_not(None),
    )
    return _by_day(stmt, Complaint.notification_due, "tasks_after")


@bp.route("/department/<code>")
@require(is_signed_in)
def department(code: str):
    """A department's unanswered complaints for its supervisors; ``?overdue=1`` the late ones."""
    dept = db.session.scalar(sa.select(Department).where(Department.code == code))
    if dept is None:
        abort(404)
    if not permissions.can_see_department_queue(current_user, dept.id):
        abort(403)
    overdue = request.args.get("overdue") == "1"
    marks = _marks()
    stmt = sa.select(Complaint).where(
        Complaint.department_id == dept.id,
        Complaint.status.in_([ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED]),
        Complaint.handling_due.is_not(None),
    )
    if overdue:
        stmt = stmt.where(Complaint.handling_due < marks["today"])
    rows, next_after = _by_deadline(stmt)
    return render_template(
        "complaints/department.html",
        department=dept,
        complaints=rows,
        next_after=next_after,
        overdue=overdue,
        **marks,
    )
