"""The officers' pages: the queue of tasks at the positions they hold or deputise (by due date,
overdue marked, keyset-paged, the same SQL statements whatever its length) and the actions on an
application's page (accept, correction, refusal, opinion, decision, delivery, suspension,
extension, transfer, note, withdrawal). Each action: load → check permission → service → commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from approvals import lists, materials, officer_services, permissions, procedure, review
from approvals import snapshot as spec
from approvals.application_models import Application
from approvals.errors import ApprovalError
from approvals.views import _application_or_404, bp, is_signed_in, render_application
from disclosure.directory.models import Department, Position
from portal.accounts.permissions import is_admin, require
from portal.extensions import db

QUEUE_PAGE = lists.QUEUE_PAGE
DEPARTMENT_PAGE = lists.DEPARTMENT_PAGE


@bp.route("/queue")
@require(is_signed_in)
def queue():
    """The open tasks of my positions, earliest due first."""
    positions = permissions.held_position_ids(current_user)
    if not positions:
        abort(403)
    after = lists.parse_cursor(request.args.get("after"))
    page = lists.page(lists.queue_query(positions, after, QUEUE_PAGE + 1), QUEUE_PAGE, "due_on")
    return render_template(
        "approvals/queue.html",
        tasks=page.items,
        next_after=page.next_after,
        today=procedure.today(),
    )


# --- actions ------------------------------------------------------------------------------------


def _act(number: str, action, success: str, *, need_task: bool = True):
    """Load the application, refuse those who may not act (404 unseen, 403 seen), run ``action``."""
    application = _application_or_404(number)
    task = procedure.current_task(application)
    if need_task and not permissions.can_act_on(current_user, task):
        abort(403)
    try:
        action(application, task)
    except ApprovalError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_application(_application_or_404(number), status=400)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".show", number=number))


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.route("/applications/<number>/accept", methods=["POST"])
def accept(number: str):
    return _act(
        number,
        lambda a, t: officer_services.accept(a, current_user, t),
        _("Accepted: the acceptance notice is issued and the review has started."),
    )


@bp.route("/applications/<number>/request-correction", methods=["POST"])
def request_correction(number: str):
    def action(application, task):
        items = []
        for field in spec.fields(application.spec_snapshot):
            if request.form.get(f"c_field_{field['key']}"):
                items.append({"field": field["key"], "reason": _form(f"r_field_{field['key']}")})
        for material in spec.materials(application.spec_snapshot):
            if request.form.get(f"c_material_{material['key']}"):
                items.append(
                    {"material": material["key"], "reason": _form(f"r_material_{material['key']}")}
                )
        officer_services.request_correction(application, current_user, items, _form("note"), task)

    return _act(number, action, _("The correction notice is sent, listing everything at once."))


@bp.route("/applications/<number>/refuse-to-accept", methods=["POST"])
def refuse_to_accept(number: str):
    return _act(
        number,
        lambda a, t: officer_services.refuse_to_accept(
            a, current_user, _form("reason"), _form("legal_basis"), _form("apply_instead"), t
        ),
        _("The application is not accepted; the notice is issued."),
    )


@bp.route("/applications/<number>/opinion", methods=["POST"])
def opinion(number: str):
    def action(application, task):
        files = [
            incoming
            for storage in request.files.getlist("files")
            if (incoming := materials.read_storage(storage, materials.TASK_FILE_MAX_BYTES))
        ]
        review.record_opinion(
            application, current_user, _form("opinion"), _form("text"), task=task, files=files
        )

    return _act(number, action, _("Your opinion is recorded; the file goes on."))


@bp.route("/applications/<number>/decide", methods=["POST"])
def decide(number: str):
    return _act(
        number,
        lambda a, t: review.decide(
            a,
            current_user,
            _form("result"),
            _form("reasons"),
            _form("legal_basis"),
            _form("rights"),
            task=t,
        ),
        _("The decision is recorded and the decision letter issued."),
    )


@bp.route("/applications/<number>/deliver", methods=["POST"])
def deliver(number: str):
    return _act(
        number,
        lambda a, t: review.deliver(a, current_user, _form("method"), _form("detail"), task=t),
        _("The delivery is recorded."),
    )


def _can_run_clock(application: Application, task) -> bool:
    return permissions.can_act_on(current_user, task) or permissions.can_supervise(
        current_user, application
    )


def _clock_action(number: str, action, success: str):
    application = _application_or_404(number)
    if not _can_run_clock(application, procedure.current_task(application)):
        abort(403)
    return _act(number, action, success, need_task=False)


@bp.route("/applications/<number>/suspend", methods=["POST"])
def suspend(number: str):
    return _clock_action(
        number,
        lambda a, t: review.suspend(a, current_user, _form("kind"), _form("reason")),
        _("The clock is stopped; the applicant is told in writing."),
    )


@bp.route("/applications/<number>/resume", methods=["POST"])
def resume(number: str):
    return _clock_action(
        number,
        lambda a, t: review.resume(a, current_user),
        _("The clock runs again; the due dates moved by the suspension's working days."),
    )


@bp.route("/applications/<number>/confirm-withdrawal", methods=["POST"])
def confirm_withdrawal(number: str):
    return _clock_action(
        number,
        lambda a, t: review.confirm_withdrawal(a, current_user),
        _("The withdrawal is confirmed."),
    )


@bp.route("/applications/<number>/extend", methods=["POST"])
def extend(number: str):
    application = _application_or_404(number)
    if not permissions.can_supervise(current_user, application):
        abort(403)
    try:
        days = int(_form("days"))
    except ValueError:
        days = 0
    return _act(
        number,
        lambda a, t: review.extend(a, current_user, days, _form("reason")),
        _("The time limit is extended; the applicant is told."),
        need_task=False,
    )


@bp.route("/applications/<number>/transfer", methods=["POST"])
def transfer(number: str):
    application = _application_or_404(number)
    task = procedure.current_task(application)
    if not permissions.can_transfer(current_user, application, task):
        abort(403)
    position = None
    posted = _form("position_id")
    # ASCII digits of an id's size only: "²" passes str.isdigit() but not int(), and a huge
    # number overflows the database's integer.
    if posted.isascii() and posted.isdigit() and len(posted) <= 9:
        position = db.session.get(Position, int(posted))
    return _act(
        number,
        lambda a, t: review.transfer(a, current_user, t, position, _form("reason")),
        _("The task is transferred."),
        need_task=False,
    )


@bp.route("/applications/<number>/note", methods=["POST"])
def note(number: str):
    application = _application_or_404(number)
    if not permissions.can_add_note(current_user, application):
        abort(403)
    return _act(
        number,
        lambda a, t: review.add_note(a, current_user, _form("body")),
        _("The note is added (officers only)."),
        need_task=False,
    )


@bp.route("/department/<code>")
@require(is_signed_in)
def department(code: str):
    """A department's running and suspended applications for its supervisors, by promised due
    date (acceptance due while not accepted yet), keyset-paged; ``?overdue=1`` the late ones."""
    dept = db.session.scalar(sa.select(Department).where(Department.code == code))
    if dept is None:
        abort(404)
    if not (
        dept.id in permissions.supervised_department_ids(current_user) or is_admin(current_user)
    ):
        abort(403)
    today = procedure.today()
    overdue = request.args.get("overdue") == "1"
    stmt = lists.department_query(
        dept.id,
        lists.parse_cursor(request.args.get("after")),
        overdue_on=today if overdue else None,
        limit=DEPARTMENT_PAGE + 1,
    )
    page = lists.page(stmt, DEPARTMENT_PAGE, "next_due")
    return render_template(
        "approvals/department.html",
        department=dept,
        applications=page.items,
        next_after=page.next_after,
        overdue=overdue,
        today=today,
    )
