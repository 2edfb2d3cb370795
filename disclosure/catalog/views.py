"""The public catalog: find an approval item, read its eight elements, download its forms."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user

from disclosure.catalog.indexing import ITEM_DOC
from disclosure.catalog.models import ApplicationForm, ApprovalItem, ItemStatus, ProcedureStep
from disclosure.catalog.online import promised_days, spec_options
from disclosure.directory.models import Department, Position
from portal import search, uploads
from portal.accounts.permissions import is_admin
from portal.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

PER_PAGE = 30


def _visible(stmt: sa.Select) -> sa.Select:
    """Drafts are invisible to the public; administrators see them (marked as drafts)."""
    if is_admin(current_user):
        return stmt
    return stmt.where(ApprovalItem.status == ItemStatus.PUBLISHED)


def _departments() -> list[Department]:
    return list(
        db.session.scalars(sa.select(Department).order_by(Department.sort_order, Department.id))
    )


@bp.route("/")
def index():
    query = request.args.get("q", "").strip()[:100]
    department_code = request.args.get("department", "").strip()
    after = request.args.get("after", "").strip()
    departments = _departments()
    department = next((d for d in departments if d.code == department_code), None)

    stmt = _visible(sa.select(ApprovalItem)).options(so.joinedload(ApprovalItem.department))
    if department is not None:
        stmt = stmt.where(ApprovalItem.department_id == department.id)

    next_after = None
    if query:
        # An exact item code comes first; then every item whose text contains the words.
        ids = search.search_ids(ITEM_DOC, query, limit=500)
        by_code = sa.func.lower(ApprovalItem.code) == query.lower()
        stmt = stmt.where(sa.or_(ApprovalItem.id.in_(ids), by_code)) if ids else stmt.where(by_code)
        items = list(db.session.scalars(stmt.order_by(ApprovalItem.code)))
        items.sort(key=lambda item: (item.code.lower() != query.lower(), item.code))
    else:
        # Keyset pages by item code: page 100 costs what page 1 costs.
        if after:
            stmt = stmt.where(ApprovalItem.code > after)
        items = list(db.session.scalars(stmt.order_by(ApprovalItem.code).limit(PER_PAGE + 1)))
        if len(items) > PER_PAGE:
            items = items[:PER_PAGE]
            next_after = items[-1].code
    return render_template(
        "disclosure/catalog/index.html",
        items=items,
        query=query,
        departments=departments,
        department=department,
        next_after=next_after,
        first_page=not after,
    )


def _load_item(code: str) -> ApprovalItem:
    stmt = _visible(sa.select(ApprovalItem).where(ApprovalItem.code == code)).options(
        so.joinedload(ApprovalItem.department),
        so.selectinload(ApprovalItem.steps)
        .joinedload(ProcedureStep.position)
        .options(so.joinedload(Position.holder), so.joinedload(Position.deputy)),
        so.selectinload(ApprovalItem.forms),
        *spec_options(),
    )
    return db.session.scalar(stmt) or abort(404)


@bp.route("/items/<code>")
def item(code: str):
    approval_item = _load_item(code)
    actions = [
        action
        for provider in current_app.extensions["kaimen"].item_actions
        if (action := provider(approval_item)) is not None
    ]
    offer = approval_item.online if approval_item.online and approval_item.online.enabled else None
    return render_template(
        "disclosure/catalog/item.html",
        item=approval_item,
        actions=actions,
        offer=offer,
        promised=promised_days(offer, approval_item.steps) if offer else None,
    )


@bp.route("/forms/<int:form_id>")
def download_form(form_id: int):
    form = db.session.get(ApplicationForm, form_id) or abort(404)
    if not form.item.is_published and not is_admin(current_user):
        abort(404)
    path = uploads.path_for("forms", form.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=form.content_type,
        as_attachment=True,
        download_name=form.filename,
        max_age=3600,
    )
