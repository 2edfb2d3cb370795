"""The applicant's pages (``/approvals/``): the items offered online, the application form generated
from the item's spec (draft, summary, submit), my applications, one application (timeline,
materials, documents, correction, withdrawal, rating).

Views load, check permission, call a service and render; the request commits once. Every response
is ``Cache-Control: no-store, private``: these pages carry personal data. An application the
viewer may not see is a 404; a visitor is sent to log in first.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from approvals import materials, permissions, services
from approvals import snapshot as spec
from approvals.application_models import Application, ApplicationStatus
from approvals.errors import ApprovalError
from approvals.identity_permissions import can_confirm_at_counter
from approvals.timeline import page_context
from approvals.validation import help_text, label
from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.catalog.online_models import OnlineSpec
from disclosure.directory.models import Department
from portal.accounts.permissions import require
from portal.extensions import db, limiter, login_manager
from portal.pagination import before_arg, newest_first

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

PER_PAGE = 20
MAX_UPLOAD = 20 * 1024 * 1024
CODE_KEY = "approvals.query_code"
# A row id in a URL: a larger number is no id (a 404, not a database error on the bind).
ID = "int(max=2147483647)"


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store, private"
    return response


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def _applicant_key() -> str:
    if current_user.is_authenticated:
        return f"approvals-user:{current_user.id}"
    return request.remote_addr or "unknown"


@bp.app_template_global("approval_step_label")
def approval_step_label(kind):
    return spec.step_label(kind)


@bp.route("/")
def index():
    items = db.session.scalars(
        sa.select(ApprovalItem)
        .join(OnlineSpec, OnlineSpec.item_id == ApprovalItem.id)
        .where(OnlineSpec.enabled.is_(True), ApprovalItem.status == ItemStatus.PUBLISHED)
        .options(so.joinedload(ApprovalItem.department), so.contains_eager(ApprovalItem.online))
        .order_by(ApprovalItem.department_id, ApprovalItem.code)
    ).all()
    departments = []
    if current_user.is_authenticated:
        supervised = permissions.supervised_department_ids(current_user)
        if supervised:
            departments = db.session.scalars(
                sa.select(Department).where(Department.id.in_(supervised)).order_by(Department.id)
            ).all()
    return render_template(
        "approvals/index.html",
        items=items,
        can_queue=permissions.can_see_queue(current_user),
        can_counter=current_user.is_authenticated and can_confirm_at_counter(current_user),
        departments=departments,
    )


# --- the application form -----------------------------------------------------------------------


def _online_item(code: str) -> ApprovalItem:
    item = db.session.scalar(
        sa.select(ApprovalItem)
        .where(ApprovalItem.code == code)
        .options(
            so.selectinload(ApprovalItem.steps),
            so.joinedload(ApprovalItem.department),
            so.joinedload(ApprovalItem.online).selectinload(OnlineSpec.fields),
            so.joinedload(ApprovalItem.online).selectinload(OnlineSpec.materials),
        )
    )
    if not services.offered_online(item):
        abort(404)
    return item


def _posted_values(snapshot: dict) -> dict:
    return {f["key"]: request.form.get(f"f_{f['key']}", "") for f in spec.fields(snapshot)}


def _posted_files(snapshot: dict, keys=None) -> dict[str, materials.Incoming]:
    files = {}
    for material in spec.materials(snapshot):
        if keys is not None and material["key"] not in keys:
            continue
        incoming = materials.read_storage(
            request.files.get(f"m_{material['key']}"), int(material.get("max_bytes") or MAX_UPLOAD)
        )
        if incoming is not None:
            files[material["key"]] = incoming
    return files


def _form_page(item, snapshot, values, application, errors=None, status=200):
    present = materials.current_materials(application) if application is not None else {}
    return render_template(
        "approvals/apply.html",
        item=item,
        fields=spec.fields(snapshot),
        material_specs=spec.materials(snapshot),
        values=values,
        errors=errors or {},
        present=present,
        application=application,
        label=label,
        help_text=help_text,
        can_apply=permissions.can_apply(current_user),
    ), status


@bp.route("/apply/<code>", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config.get("RATELIMIT_APPROVALS_APPLY", "60 per hour"),
    methods=["POST"],
    key_func=_applicant_key,
)
@require(is_signed_in)
def apply(code: str):
    item = _online_item(code)
    draft = services.find_draft(current_user, item)
    snapshot = spec.snapshot_of(item)
    if request.method == "GET":
        values = dict(draft.form_values) if draft else {}
        status = 200 if permissions.can_apply(current_user) else 403
        return _form_page(item, snapshot, values, draft, status=status)
    if not permissions.can_apply(current_user):
        abort(403)
    values = _posted_values(snapshot)
    try:
        application = services.save_draft(
            current_user, item, values, _posted_files(snapshot), application=draft
        )
    except ApprovalError as error:
        db.session.rollback()
        flash(str(error), "error")
        draft = services.find_draft(current_user, item)
        return _form_page(item, snapshot, values, draft, errors=error.errors, status=400)
    db.session.commit()
    if request.form.get("action") == "review":
        return redirect(url_for(".summary", application_id=application.id))
    flash(_("Your draft is saved. You can come back to it at any time."), "success")
    return redirect(url_for(".apply", code=code))


def _own_draft(application_id: int) -> Application:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    application = db.session.get(Application, application_id)
    if application is None or application.applicant_id != current_user.id:
        abort(404)
    if application.status != ApplicationStatus.DRAFT:
        if application.number:
            return redirect(url_for(".show", number=application.number))
        abort(404)
    return application


@bp.route(f"/drafts/<{ID}:application_id>", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config.get("RATELIMIT_APPROVALS_APPLY", "60 per hour"),
    methods=["POST"],
    key_func=_applicant_key,
)
def summary(application_id: int):
    application = _own_draft(application_id)
    if not isinstance(application, Application):
        return application  # already submitted: its page
    status = 200
    if request.method == "POST":
        try:
            code = services.submit(application, current_user)
        except ApprovalError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
            application = db.session.get(Application, application_id)
            if application.status != ApplicationStatus.DRAFT:
                return redirect(url_for(".show", number=application.number)), 303
            errors = error.errors
        else:
            number = application.number
            db.session.commit()
            session[CODE_KEY] = {"number": number, "code": code}
            return redirect(url_for(".submitted", number=number))
    else:
        errors = {}
    snapshot = application.spec_snapshot
    return render_template(
        "approvals/summary.html",
        application=application,
        fields=spec.fields(snapshot),
        material_specs=spec.materials(snapshot),
        present=materials.current_materials(application),
        errors=errors,
        label=label,
    ), status


@bp.route("/submitted/<number>")
@require(is_signed_in)
def submitted(number: str):
    application = _application_or_404(number)
    if not permissions.is_applicant(current_user, application):
        abort(404)
    shown = session.pop(CODE_KEY, None)
    code = shown["code"] if shown and shown.get("number") == number else None
    return render_template("approvals/submitted.html", application=application, code=code)


# --- my applications ----------------------------------------------------------------------------


@bp.route("/mine")
@require(is_signed_in)
def mine():
    stmt = (
        sa.select(Application)
        .where(Application.applicant_id == current_user.id)
        .options(so.joinedload(Application.department))
    )
    page = newest_first(stmt, Application.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template("approvals/mine.html", page=page)


# --- one application ----------------------------------------------------------------------------


def _application_or_404(number: str) -> Application:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.number == number)
        .options(so.joinedload(Application.department), so.joinedload(Application.applicant))
    )
    if application is None or not permissions.can_view(current_user, application):
        abort(404)
    return application


def render_application(application: Application, *, status: int = 200, **extra):
    return render_template(
        "approvals/show.html", **page_context(application, current_user), **extra
    ), status


@bp.route("/applications/<number>")
def show(number: str):
    return render_application(_application_or_404(number))


@bp.route("/applications/<number>/correction", methods=["GET", "POST"])
def correct(number: str):
    application = _application_or_404(number)
    if not permissions.can_correct(current_user, application):
        abort(403)
    correction = services.open_correction(application)
    snapshot = application.spec_snapshot
    fields = [f for f in spec.fields(snapshot) if f["key"] in correction.field_keys]
    asked = [m for m in spec.materials(snapshot) if m["key"] in correction.material_keys]
    values = dict(application.form_values or {})
    errors, status = {}, 200
    if request.method == "POST":
        posted = {key[2:]: value for key, value in request.form.items() if key.startswith("f_")}
        try:
            services.resubmit(application, current_user, posted, _posted_files(snapshot))
        except ApprovalError as error:
            db.session.rollback()
            flash(str(error), "error")
            errors, status = error.errors, 400
            values.update(posted)
            application = _application_or_404(number)
        else:
            db.session.commit()
            flash(_("Your correction is submitted: the department checks it again."), "success")
            return redirect(url_for(".show", number=number))
    return render_template(
        "approvals/correct.html",
        application=application,
        correction=correction,
        fields=fields,
        asked=asked,
        values=values,
        errors=errors,
        label=label,
        help_text=help_text,
    ), status


@bp.route("/applications/<number>/withdraw", methods=["POST"])
def withdraw(number: str):
    application = _application_or_404(number)
    if not permissions.can_withdraw(current_user, application):
        abort(403)
    try:
        at_once = services.withdraw(application, current_user, request.form.get("reason", ""))
    except ApprovalError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_application(_application_or_404(number), status=400)
    db.session.commit()
    flash(
        _("Your application is withdrawn.")
        if at_once
        else _("Your request to withdraw is sent: the department confirms it."),
        "success",
    )
    return redirect(url_for(".show", number=number))


@bp.route("/applications/<number>/rate", methods=["POST"])
def rate(number: str):
    application = _application_or_404(number)
    if not permissions.can_rate(current_user, application):
        abort(403)
    try:
        rating = int(request.form.get("rating", "0"))
    except ValueError:
        rating = 0
    try:
        services.rate(application, current_user, rating, request.form.get("comment", ""))
    except ApprovalError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_application(_application_or_404(number), status=400)
    db.session.commit()
    flash(_("Thank you for rating the service."), "success")
    return redirect(url_for(".show", number=number))
