"""Administrator pages for the catalog: approval items, their steps and forms, submission import."""

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
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from disclosure.catalog import services as catalog
from disclosure.catalog.admin_forms import (
    ConfirmForm,
    FormUploadForm,
    ImportForm,
    ItemForm,
    StepForm,
)
from disclosure.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from disclosure.catalog.services import (
    ITEM_FIELDS,
    ONLY_ON,
    PUBLISHED_NEEDS,
    STEP_FIELDS,
    CatalogError,
)
from disclosure.catalog.submission import import_submission
from disclosure.directory.admin_views import form_values, page, show_error
from disclosure.directory.models import Department, Position
from portal import uploads
from portal.accounts.permissions import is_admin, require
from portal.extensions import db
from portal.pagination import before_arg, newest_first

bp = Blueprint("catalog_admin", __name__, url_prefix="/admin/catalog")

PER_PAGE = 50


def _departments() -> list[Department]:
    return list(
        db.session.scalars(sa.select(Department).order_by(Department.sort_order, Department.id))
    )


def _load_item(item_id: int) -> ApprovalItem:
    stmt = (
        sa.select(ApprovalItem)
        .where(ApprovalItem.id == item_id)
        .options(
            so.joinedload(ApprovalItem.department).selectinload(Department.positions),
            so.selectinload(ApprovalItem.steps).joinedload(ProcedureStep.position),
            so.selectinload(ApprovalItem.forms),
        )
    )
    return db.session.scalar(stmt) or abort(404)


@bp.route("/")
@require(is_admin)
def index():
    return redirect(url_for(".items"))


# --- items --------------------------------------------------------------------------------------


@bp.route("/items")
@require(is_admin)
def items():
    departments = _departments()
    department_id = request.args.get("department", type=int)
    status = request.args.get("status", "")
    query = request.args.get("q", "").strip()[:100]
    stmt = sa.select(ApprovalItem).options(so.joinedload(ApprovalItem.department))
    if department_id:
        stmt = stmt.where(ApprovalItem.department_id == department_id)
    if status in {s.value for s in ItemStatus}:
        stmt = stmt.where(ApprovalItem.status == ItemStatus(status))
    else:
        status = ""
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                ApprovalItem.code.ilike(pattern, escape="\\"),
                ApprovalItem.name.ilike(pattern, escape="\\"),
            )
        )
    found = newest_first(stmt, ApprovalItem.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template(
        "disclosure/catalog_admin/items.html",
        page=found,
        departments=departments,
        department_id=department_id,
        status=status,
        query=query,
        statuses=list(ItemStatus),
    )


def _item_form(item: ApprovalItem | None) -> ItemForm:
    form = ItemForm(obj=item)
    form.department.choices = [(d.id, f"{d.short_name} ({d.code})") for d in _departments()]
    if item is not None and request.method == "GET":
        form.department.data = item.department_id
        form.published.data = item.is_published
    return form


def _item_values(form: ItemForm) -> dict:
    values = form_values(form, ITEM_FIELDS)
    if "published" in form:  # a new item is a draft: it has no steps yet
        values["status"] = ItemStatus.PUBLISHED if form.published.data else ItemStatus.DRAFT
    return values


ITEM_ERROR_FIELDS = {"status": "published"}


@bp.route("/items/new", methods=["GET", "POST"])
@require(is_admin)
def create_item():
    form = _item_form(None)
    del form.published
    if request.method == "GET" and request.args.get("department", type=int):
        form.department.data = request.args.get("department", type=int)
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data) or abort(400)
        try:
            item = catalog.create_item(department, actor=current_user, **_item_values(form))
        except CatalogError as error:
            show_error(form, error, ITEM_ERROR_FIELDS)
        else:
            flash(_("Item %(code)s added. Now add its procedure steps.", code=item.code), "success")
            return redirect(url_for(".steps", item_id=item.id))
    return page("disclosure/catalog_admin/item.html", form, item=None)


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require(is_admin)
def item(item_id: int):
    found = _load_item(item_id)
    form = _item_form(found)
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data) or abort(400)
        try:
            changes = catalog.update_item(
                found,
                actor=current_user,
                department=department,
                reason=form.reason.data or None,
                **_item_values(form),
            )
        except CatalogError as error:
            show_error(form, error, ITEM_ERROR_FIELDS)
        else:
            if changes:
                flash(_("Item %(code)s saved.", code=found.code), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".item", item_id=found.id))
    return page("disclosure/catalog_admin/item.html", form, item=found)


# --- procedure steps ----------------------------------------------------------------------------


@bp.route("/items/<int:item_id>/steps")
@require(is_admin)
def steps(item_id: int):
    found = _load_item(item_id)
    missing = [kind for kind in StepKind if found.step(kind) is None]
    return render_template(
        "disclosure/catalog_admin/steps.html",
        item=found,
        missing=missing,
        required=PUBLISHED_NEEDS if found.is_published else (),
        unpublishable=catalog.missing_for_publication(found),
    )


def _step_form(item: ApprovalItem, step: ProcedureStep | None) -> StepForm:
    form = StepForm(obj=step)
    form.position.choices = [(p.id, f"{p.name} ({p.code})") for p in item.department.positions]
    if step is None:
        form.kind.choices = [
            (kind.value, kind.label) for kind in StepKind if item.step(kind) is None
        ]
    else:
        del form.kind
        if request.method == "GET":
            form.position.data = step.position_id
    return form


def _step_values(form: StepForm, kind: StepKind | None) -> dict:
    """The fields the step's kind has (all of them while the kind is being chosen)."""
    return {
        name: value
        for name, value in form_values(form, STEP_FIELDS).items()
        if kind is None or ONLY_ON.get(name, kind) == kind
    }


def _item_position(item: ApprovalItem, position_id: int | None) -> Position | None:
    return next((p for p in item.department.positions if p.id == position_id), None)


@bp.route("/items/<int:item_id>/steps/new", methods=["GET", "POST"])
@require(is_admin)
def create_step(item_id: int):
    found = _load_item(item_id)
    form = _step_form(found, None)
    if not form.kind.choices:
        flash(_("This item has a step of every kind already."), "info")
        return redirect(url_for(".steps", item_id=found.id))
    if request.method == "GET" and request.args.get("kind"):
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        try:
            step = catalog.add_step(
                found,
                kind=form.kind.data,
                position=_item_position(found, form.position.data),
                actor=current_user,
                **_step_values(form, None),
            )
        except CatalogError as error:
            show_error(form, error)
        else:
            flash(_("The %(kind)s step was added.", kind=step.kind.label), "success")
            return redirect(url_for(".steps", item_id=found.id))
    return page("disclosure/catalog_admin/step.html", form, item=found, step=None)


@bp.route("/steps/<int:step_id>", methods=["GET", "POST"])
@require(is_admin)
def step(step_id: int):
    found = db.session.get(ProcedureStep, step_id) or abort(404)
    item = _load_item(found.item_id)
    form = _step_form(item, found)
    if form.validate_on_submit():
        try:
            catalog.update_step(
                found,
                actor=current_user,
                position=_item_position(item, form.position.data),
                **_step_values(form, found.kind),
            )
        except CatalogError as error:
            show_error(form, error)
        else:
            flash(_("The %(kind)s step was saved.", kind=found.kind.label), "success")
            return redirect(url_for(".steps", item_id=item.id))
    return page("disclosure/catalog_admin/step.html", form, item=item, step=found)


@bp.route("/steps/<int:step_id>/delete", methods=["POST"])
@require(is_admin)
def delete_step(step_id: int):
    found = db.session.get(ProcedureStep, step_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item_id, label = found.item_id, found.kind.label
    try:
        catalog.delete_step(found, actor=current_user)
    except CatalogError as error:
        flash(str(error), "error")
    else:
        flash(_("The %(kind)s step was removed.", kind=label), "success")
    return redirect(url_for(".steps", item_id=item_id))


# --- application forms --------------------------------------------------------------------------


@bp.route("/items/<int:item_id>/forms", methods=["GET", "POST"])
@require(is_admin)
def forms(item_id: int):
    found = _load_item(item_id)
    form = FormUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            added = catalog.add_form(
                found,
                title=form.title.data,
                filename=upload.filename or "",
                data=upload.read(),
                actor=current_user,
            )
        except CatalogError as error:
            show_error(form, error)
        else:
            flash(_("The form %(title)s was published.", title=added.title), "success")
            return redirect(url_for(".forms", item_id=found.id))
    return page(
        "disclosure/catalog_admin/forms.html",
        form,
        item=found,
        max_size=uploads.human_size(current_app.config["KAIMEN_FORM_MAX_BYTES"]),
    )


@bp.route("/forms/<int:form_id>/delete", methods=["POST"])
@require(is_admin)
def delete_form(form_id: int):
    found = db.session.get(ApplicationForm, form_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item_id, title = found.item_id, found.title
    catalog.remove_form(found, current_user)
    flash(_("The form %(title)s was removed.", title=title), "success")
    return redirect(url_for(".forms", item_id=item_id))


# --- submission import --------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@require(is_admin)
def import_file():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        report = import_submission(
            upload.read(),
            upload.filename or "",
            actor=current_user,
            dry_run=form.dry_run.data,
        )
    response = render_template(
        "disclosure/catalog_admin/import.html", form=form, report=report, dry_run=form.dry_run.data
    )
    # A refused file answers 422, so that nothing it may have touched is committed.
    failed = (report is not None and not report.ok) or (request.method == "POST" and form.errors)
    return response, 422 if failed else 200
