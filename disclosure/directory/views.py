"""The public directory: departments with their leaders, staff and positions."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, render_template, send_file

from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.directory.models import Department, Leader, Position
from portal import uploads
from portal.extensions import db

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.route("/")
def index():
    departments = db.session.scalars(
        sa.select(Department).order_by(Department.sort_order, Department.id)
    ).all()
    return render_template("disclosure/directory/index.html", departments=departments)


@bp.route("/<code>")
def department(code: str):
    stmt = (
        sa.select(Department)
        .where(Department.code == code)
        .options(
            so.selectinload(Department.leaders),
            so.selectinload(Department.staff),
            so.selectinload(Department.positions).options(
                so.joinedload(Position.holder), so.joinedload(Position.deputy)
            ),
        )
    )
    found = db.session.scalar(stmt) or abort(404)
    items = db.session.scalars(
        sa.select(ApprovalItem)
        .where(ApprovalItem.department_id == found.id, ApprovalItem.status == ItemStatus.PUBLISHED)
        .order_by(ApprovalItem.code)
    ).all()
    return render_template("disclosure/directory/department.html", department=found, items=items)


@bp.route("/leaders/<int:leader_id>/photo")
def leader_photo(leader_id: int):
    leader = db.session.get(Leader, leader_id) or abort(404)
    if not leader.photo:
        abort(404)
    path = uploads.path_for("photos", leader.photo)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400)
