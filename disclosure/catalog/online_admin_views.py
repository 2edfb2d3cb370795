"""Administrator pages for an item's online offer (网上申报), on the catalog admin's blueprint:
the offer (who may apply, identity level, time limits), its form fields and its materials."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from disclosure.catalog import online_services as online
from disclosure.catalog.admin_forms import ConfirmForm
from disclosure.catalog.admin_views import bp
from disclosure.catalog.models import ApprovalItem
from disclosure.catalog.online_admin_forms import (
    NO_TEMPLATE,
    FormFieldForm,
    MaterialForm,
    MoveForm,
    OfferForm,
)
from disclosure.catalog.online_models import FormField, MaterialSpec, OnlineSpec
from disclosure.catalog.online_rules import MB
from disclosure.catalog.services import CatalogError
from disclosure.directory.admin_views import page, show_error
from portal.accounts.permissions import is_admin, require
from portal.extensions import db

TEMPLATE = "disclosure/catalog_admin/"


def _load_item(item_id: int) -> ApprovalItem:
    stmt = (
        sa.select(ApprovalItem)
        .where(ApprovalItem.id == item_id)
        .options(
            so.joinedload(ApprovalItem.department),
            so.selectinload(ApprovalItem.forms),
            so.selectinload(ApprovalItem.steps),
            so.selectinload(ApprovalItem.online).options(
                so.selectinload(OnlineSpec.fields), so.selectinload(OnlineSpec.materials)
            ),
        )
    )
    return db.session.scalar(stmt) or abort(404)


def _item_of(entry: FormField | MaterialSpec) -> ApprovalItem:
    spec = db.session.get(OnlineSpec, entry.spec_id) or abort(404)
    return _load_item(spec.item_id)


def _back(item: ApprovalItem, anchor: str = ""):
    return redirect(url_for(".online", item_id=item.id) + anchor)


@bp.route("/items/<int:item_id>/online", methods=["GET", "POST"], endpoint="online")
@require(is_admin)
def online_offer(item_id: int):
    item = _load_item(item_id)
    spec = item.online
    form = OfferForm(obj=spec)
    if form.validate_on_submit():
        try:
            changes = online.save_offer(
                item,
                actor=current_user,
                enabled=form.enabled.data,
                applicant_kind=form.applicant_kind.data,
                identity_level=form.identity_level.data,
                statutory_limit_days=form.statutory_limit_days.data,
                promised_limit_days=form.promised_limit_days.data,
            )
        except CatalogError as error:
            show_error(form, error)
        else:
            if changes:
                flash(_("The online offer was saved (version %(n)d).", n=item.online.version))
            else:
                flash(_("Nothing was changed."), "info")
            return _back(item)
    elif request.method == "GET" and spec is None:
        form.statutory_limit_days.data = 20
        form.applicant_kind.data = "both"
    steps_days = sum(s.time_limit_days for s in item.steps if s.kind.value != "complaint")
    return page(
        TEMPLATE + "online.html",
        form,
        item=item,
        spec=spec,
        steps_days=steps_days,
        forms_by_id={f.id: f for f in item.forms},
        confirm=ConfirmForm(),
        mb=MB,
    )


def _field_values(form: FormFieldForm) -> dict:
    return {
        "key": form.key.data,
        "label_zh": form.label_zh.data,
        "label_en": form.label_en.data,
        "type": form.type.data,
        "required": form.required.data,
        "min_length": form.min_length.data,
        "max_length": form.max_length.data,
        "min_value": form.min_value.data,
        "max_value": form.max_value.data,
        "choices": form.choice_list(),
        "help_zh": form.help_zh.data,
        "help_en": form.help_en.data,
    }


@bp.route("/items/<int:item_id>/online/fields/new", methods=["GET", "POST"])
@require(is_admin)
def create_online_field(item_id: int):
    item = _load_item(item_id)
    form = FormFieldForm()
    if form.validate_on_submit():
        try:
            field = online.add_field(item, actor=current_user, **_field_values(form))
        except CatalogError as error:
            show_error(form, error)
        else:
            flash(_("The field %(label)s was added.", label=field.label_zh), "success")
            return _back(item, "#fields")
    return page(TEMPLATE + "online_field.html", form, item=item, field=None)


@bp.route("/online/fields/<int:field_id>", methods=["GET", "POST"])
@require(is_admin)
def online_field(field_id: int):
    field = db.session.get(FormField, field_id) or abort(404)
    item = _item_of(field)
    form = FormFieldForm(obj=field)
    if form.validate_on_submit():
        try:
            changes = online.update_field(item, field, actor=current_user, **_field_values(form))
        except CatalogError as error:
            show_error(form, error)
        else:
            if changes:
                flash(_("The field %(label)s was saved.", label=field.label_zh), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(item, "#fields")
    return page(TEMPLATE + "online_field.html", form, item=item, field=field)


@bp.route("/online/fields/<int:field_id>/delete", methods=["POST"])
@require(is_admin)
def delete_online_field(field_id: int):
    field = db.session.get(FormField, field_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item = _item_of(field)
    label = field.label_zh
    online.delete_field(item, field, actor=current_user)
    flash(_("The field %(label)s was removed.", label=label), "success")
    return _back(item, "#fields")


def _offset(form: MoveForm) -> int:
    if not form.validate_on_submit():
        abort(400)
    return {"up": -1, "down": 1}.get(form.direction.data) or abort(400)


@bp.route("/online/fields/<int:field_id>/move", methods=["POST"])
@require(is_admin)
def move_online_field(field_id: int):
    field = db.session.get(FormField, field_id) or abort(404)
    offset = _offset(MoveForm())
    item = _item_of(field)
    online.move_field(item, field, offset, actor=current_user)
    return _back(item, "#fields")


# --- materials ----------------------------------------------------------------------------------


def _material_form(item: ApprovalItem, material: MaterialSpec | None) -> MaterialForm:
    form = MaterialForm(obj=material)
    form.template.choices = [(NO_TEMPLATE, _("None"))] + [
        (f.id, f"{f.title} ({f.filename})") for f in item.forms
    ]
    if request.method == "GET" and material is not None:
        form.max_mb.data = material.max_bytes // MB
        form.template.data = material.template_form_id or NO_TEMPLATE
    elif request.method == "GET":
        form.accepted_types.data = ["pdf", "jpg", "png"]
    return form


def _material_values(item: ApprovalItem, form: MaterialForm) -> dict:
    template = None
    if form.template.data and form.template.data != NO_TEMPLATE:
        template = next((f for f in item.forms if f.id == form.template.data), None)
        if template is None:
            raise CatalogError(_("Choose one of this item's application forms."), "template")
    return {
        "name": form.name.data,
        "required": form.required.data,
        "accepted_types": list(form.accepted_types.data or []),
        "max_mb": form.max_mb.data,
        "note": form.note.data,
        "template": template,
    }


@bp.route("/items/<int:item_id>/online/materials/new", methods=["GET", "POST"])
@require(is_admin)
def create_online_material(item_id: int):
    item = _load_item(item_id)
    form = _material_form(item, None)
    if form.validate_on_submit():
        try:
            material = online.add_material(item, actor=current_user, **_material_values(item, form))
        except CatalogError as error:
            show_error(form, error)
        else:
            flash(_("The material %(name)s was added.", name=material.name), "success")
            return _back(item, "#materials")
    return page(TEMPLATE + "online_material.html", form, item=item, material=None)


@bp.route("/online/materials/<int:material_id>", methods=["GET", "POST"])
@require(is_admin)
def online_material(material_id: int):
    material = db.session.get(MaterialSpec, material_id) or abort(404)
    item = _item_of(material)
    form = _material_form(item, material)
    if form.validate_on_submit():
        try:
            changes = online.update_material(
                item, material, actor=current_user, **_material_values(item, form)
            )
        except CatalogError as error:
            show_error(form, error)
        else:
            if changes:
                flash(_("The material %(name)s was saved.", name=material.name), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(item, "#materials")
    return page(TEMPLATE + "online_material.html", form, item=item, material=material)


@bp.route("/online/materials/<int:material_id>/delete", methods=["POST"])
@require(is_admin)
def delete_online_material(material_id: int):
    material = db.session.get(MaterialSpec, material_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    item = _item_of(material)
    name = material.name
    online.delete_material(item, material, actor=current_user)
    flash(_("The material %(name)s was removed.", name=name), "success")
    return _back(item, "#materials")


@bp.route("/online/materials/<int:material_id>/move", methods=["POST"])
@require(is_admin)
def move_online_material(material_id: int):
    material = db.session.get(MaterialSpec, material_id) or abort(404)
    offset = _offset(MoveForm())
    item = _item_of(material)
    online.move_material(item, material, offset, actor=current_user)
    return _back(item, "#materials")
