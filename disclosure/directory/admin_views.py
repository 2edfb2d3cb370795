"""Administrator pages for the directory: departments, their leaders, staff and positions."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from disclosure.catalog.admin_forms import (
    NONE_CHOICE,
    ConfirmForm,
    DepartmentForm,
    HandOverForm,
    LeaderForm,
    PhotoForm,
    PositionForm,
    StaffForm,
)
from disclosure.directory import services as directory
from disclosure.directory.models import Department, Leader, Position, StaffMember
from disclosure.directory.services import (
    DEPARTMENT_FIELDS,
    LEADER_FIELDS,
    POSITION_FIELDS,
    STAFF_FIELDS,
    DirectoryError,
)
from portal.accounts.permissions import is_admin, require
from portal.editing import EditError
from portal.extensions import db

bp = Blueprint("directory_admin", __name__, url_prefix="/admin/catalog")


def form_values(form: FlaskForm, fields) -> dict:
    """The submitted values of the fields a service knows, by the service's names."""
    return {name: form[name].data for name in fields if name in form}


def show_error(form: FlaskForm, error: EditError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal beside the field it is about (``aliases``: service → form name)."""
    name = (aliases or {}).get(error.field, error.field)
    field = form._fields.get(name) if name else None
    if field is None:
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]


def page(template: str, form: FlaskForm | None = None, **context):
    """Render; a form sent back with errors answers 422 (and the request's transaction rolls back)."""
    failed = form is not None and request.method == "POST" and bool(form.errors)
    return render_template(template, form=form, **context), 422 if failed else 200


# --- departments --------------------------------------------------------------------------------


def _load_department(department_id: int) -> Department:
    stmt = (
        sa.select(Department)
        .where(Department.id == department_id)
        .options(
            so.selectinload(Department.leaders),
            so.selectinload(Department.staff).joinedload(StaffMember.user),
            so.selectinload(Department.positions).options(
                so.joinedload(Position.holder), so.joinedload(Position.deputy)
            ),
        )
    )
    return db.session.scalar(stmt) or abort(404)


@bp.route("/departments")
@require(is_admin)
def departments():
    rows = db.session.scalars(
        sa.select(Department).order_by(Department.sort_order, Department.id)
    ).all()
    return render_template("disclosure/catalog_admin/departments.html", departments=rows)


@bp.route("/departments/new", methods=["GET", "POST"])
@require(is_admin)
def create_department():
    form = DepartmentForm()
    del form.default_complaint_position
    if form.validate_on_submit():
        try:
            created = directory.create_department(
                actor=current_user, **form_values(form, DEPARTMENT_FIELDS)
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("Department %(name)s added.", name=created.full_name), "success")
            return redirect(url_for(".department", department_id=created.id))
    return page("disclosure/catalog_admin/department_new.html", form)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@require(is_admin)
def department(department_id: int):
    found = _load_department(department_id)
    form = DepartmentForm(obj=found)
    form.default_complaint_position.choices = [
        (NONE_CHOICE, _("No default complaint position"))
    ] + [(p.id, f"{p.name} ({p.code})") for p in found.positions]
    if request.method == "GET":
        form.default_complaint_position.data = found.default_complaint_position_id or NONE_CHOICE
    if form.validate_on_submit():
        chosen = form.default_complaint_position.data
        try:
            changes = directory.update_department(
                found,
                actor=current_user,
                default_complaint_position=next(
                    (p for p in found.positions if p.id == chosen), None
                ),
                **form_values(form, DEPARTMENT_FIELDS),
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            if changes:
                flash(_("Department %(name)s saved.", name=found.full_name), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".department", department_id=found.id))
    return page("disclosure/catalog_admin/department.html", form, department=found)


@bp.route("/departments/<int:department_id>/delete", methods=["POST"])
@require(is_admin)
def delete_department(department_id: int):
    found = _load_department(department_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        directory.delete_department(found, actor=current_user)
    except DirectoryError as error:
        flash(str(error), "error")
        return redirect(url_for(".department", department_id=found.id))
    flash(_("Department %(name)s deleted.", name=found.full_name), "success")
    return redirect(url_for(".departments"))


# --- leaders ------------------------------------------------------------------------------------


@bp.route("/departments/<int:department_id>/leaders/new", methods=["GET", "POST"])
@require(is_admin)
def create_leader(department_id: int):
    found = db.session.get(Department, department_id) or abort(404)
    form = LeaderForm()
    if form.validate_on_submit():
        try:
            leader = directory.create_leader(
                found, actor=current_user, **form_values(form, LEADER_FIELDS)
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s added. You can upload a photo now.", name=leader.name), "success")
            return redirect(url_for(".leader", leader_id=leader.id))
    return page("disclosure/catalog_admin/leader.html", form, department=found, leader=None)


def _leader_page(leader: Leader, form=None, photo_form=None):
    return page(
        "disclosure/catalog_admin/leader.html",
        form or LeaderForm(formdata=None, obj=leader),
        department=leader.department,
        leader=leader,
        photo_form=photo_form or PhotoForm(formdata=None),
    )


@bp.route("/leaders/<int:leader_id>", methods=["GET", "POST"])
@require(is_admin)
def leader(leader_id: int):
    found = db.session.get(Leader, leader_id) or abort(404)
    form = LeaderForm(obj=found)
    if form.validate_on_submit():
        try:
            directory.update_leader(found, actor=current_user, **form_values(form, LEADER_FIELDS))
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s saved.", name=found.name), "success")
            return redirect(url_for(".leader", leader_id=found.id))
    return _leader_page(found, form=form)


@bp.route("/leaders/<int:leader_id>/photo", methods=["POST"])
@require(is_admin)
def leader_photo(leader_id: int):
    found = db.session.get(Leader, leader_id) or abort(404)
    photo_form = PhotoForm()
    if photo_form.validate_on_submit():
        try:
            directory.set_leader_photo(found, photo_form.photo.data.read(), current_user)
        except DirectoryError as error:
            show_error(photo_form, error)
        else:
            flash(_("The photo of %(name)s was saved.", name=found.name), "success")
            return redirect(url_for(".leader", leader_id=found.id))
    response, _status = _leader_page(found, photo_form=photo_form)
    return response, 422


@bp.route("/leaders/<int:leader_id>/photo/remove", methods=["POST"])
@require(is_admin)
def remove_leader_photo(leader_id: int):
    found = db.session.get(Leader, leader_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    directory.remove_leader_photo(found, current_user)
    flash(_("The photo of %(name)s was removed.", name=found.name), "success")
    return redirect(url_for(".leader", leader_id=found.id))


@bp.route("/leaders/<int:leader_id>/delete", methods=["POST"])
@require(is_admin)
def delete_leader(leader_id: int):
    found = db.session.get(Leader, leader_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    department_id = found.department_id
    directory.delete_leader(found, actor=current_user)
    flash(_("%(name)s was removed from the leaders.", name=found.name), "success")
    return redirect(url_for(".department", department_id=department_id))


# --- staff --------------------------------------------------------------------------------------


@bp.route("/departments/<int:department_id>/staff/new", methods=["GET", "POST"])
@require(is_admin)
def create_staff(department_id: int):
    found = db.session.get(Department, department_id) or abort(404)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            member = directory.create_staff(
                found,
                actor=current_user,
                user_email=form.user_email.data,
                **form_values(form, STAFF_FIELDS),
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s added to the staff.", name=member.name), "success")
            return redirect(url_for(".department", department_id=found.id))
    return page("disclosure/catalog_admin/staff.html", form, department=found, member=None)


@bp.route("/staff/<int:member_id>", methods=["GET", "POST"])
@require(is_admin)
def staff(member_id: int):
    member = db.session.get(StaffMember, member_id) or abort(404)
    form = StaffForm(obj=member)
    if request.method == "GET" and member.user is not None:
        form.user_email.data = member.user.email
    if form.validate_on_submit():
        try:
            directory.update_staff(
                member,
                actor=current_user,
                user_email=form.user_email.data,
                **form_values(form, STAFF_FIELDS),
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("%(name)s saved.", name=member.name), "success")
            return redirect(url_for(".department", department_id=member.department_id))
    return page(
        "disclosure/catalog_admin/staff.html",
        form,
        department=member.department,
        member=member,
    )


@bp.route("/staff/<int:member_id>/delete", methods=["POST"])
@require(is_admin)
def delete_staff(member_id: int):
    member = db.session.get(StaffMember, member_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        directory.delete_staff(member, actor=current_user)
    except DirectoryError as error:
        flash(str(error), "error")
        return redirect(url_for(".staff", member_id=member.id))
    flash(_("%(name)s was removed from the staff.", name=member.name), "success")
    return redirect(url_for(".department", department_id=member.department_id))


# --- positions ----------------------------------------------------------------------------------


@bp.route("/departments/<int:department_id>/positions/new", methods=["GET", "POST"])
@require(is_admin)
def create_position(department_id: int):
    found = db.session.get(Department, department_id) or abort(404)
    form = PositionForm()
    if form.validate_on_submit():
        try:
            position = directory.create_position(
                found, actor=current_user, **form_values(form, POSITION_FIELDS)
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("Position %(name)s added. Name its holder now.", name=position.name), "success")
            return redirect(url_for(".position", position_id=position.id))
    return page("disclosure/catalog_admin/position.html", form, department=found, position=None)


def _load_position(position_id: int) -> Position:
    stmt = (
        sa.select(Position)
        .where(Position.id == position_id)
        .options(
            so.joinedload(Position.department).selectinload(Department.staff),
            so.joinedload(Position.holder),
            so.joinedload(Position.deputy),
        )
    )
    return db.session.scalar(stmt) or abort(404)


def _hand_over_form(position: Position, *, submitted: bool = False) -> HandOverForm:
    """Holder and deputy are chosen among the department's staff; shown as they are now."""
    form = HandOverForm() if submitted else HandOverForm(formdata=None)
    people = [(m.id, f"{m.name} — {m.title}") for m in position.department.staff]
    form.holder.choices = [(NONE_CHOICE, _("Nobody (vacant)")), *people]
    form.deputy.choices = [(NONE_CHOICE, _("No deputy")), *people]
    if not submitted:
        form.holder.data = position.holder_id or NONE_CHOICE
        form.deputy.data = position.deputy_id or NONE_CHOICE
    return form


def _position_page(position: Position, form=None, hand_over_form=None):
    return page(
        "disclosure/catalog_admin/position.html",
        form or PositionForm(formdata=None, obj=position),
        department=position.department,
        position=position,
        hand_over_form=hand_over_form or _hand_over_form(position),
    )


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@require(is_admin)
def position(position_id: int):
    found = _load_position(position_id)
    form = PositionForm(obj=found)
    if form.validate_on_submit():
        try:
            directory.update_position(
                found, actor=current_user, **form_values(form, POSITION_FIELDS)
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            flash(_("Position %(name)s saved.", name=found.name), "success")
            return redirect(url_for(".position", position_id=found.id))
    return _position_page(found, form=form)


@bp.route("/positions/<int:position_id>/hand-over", methods=["POST"])
@require(is_admin)
def hand_over(position_id: int):
    found = _load_position(position_id)
    form = _hand_over_form(found, submitted=True)
    if form.validate_on_submit():
        staff_by_id = {m.id: m for m in found.department.staff}
        try:
            changed = directory.hand_over_position(
                found,
                staff_by_id.get(form.holder.data),
                staff_by_id.get(form.deputy.data),
                current_user,
                form.reason.data,
            )
        except DirectoryError as error:
            show_error(form, error)
        else:
            if changed:
                holder = found.holder.name if found.holder else _("nobody (vacant)")
                flash(
                    _(
                        "%(position)s is now held by %(holder)s.",
                        position=found.name,
                        holder=holder,
                    ),
                    "success",
                )
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".position", position_id=found.id))
    response, _status = _position_page(found, hand_over_form=form)
    return response, 422


@bp.route("/positions/<int:position_id>/delete", methods=["POST"])
@require(is_admin)
def delete_position(position_id: int):
    found = _load_position(position_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        directory.delete_position(found, actor=current_user)
    except DirectoryError as error:
        flash(str(error), "error")
        return redirect(url_for(".position", position_id=found.id))
    flash(_("Position %(name)s deleted.", name=found.name), "success")
    return redirect(url_for(".department", department_id=found.department_id))
