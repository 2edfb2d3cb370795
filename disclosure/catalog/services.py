"""Catalog use cases: approval items, their procedure steps and application forms.

Each validates, changes state, writes the audit log and flushes; none commits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from types import EllipsisType
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from disclosure.catalog.models import (
    ApplicationForm,
    ApprovalItem,
    FormFormat,
    ItemStatus,
    ProcedureStep,
    StepKind,
)
from disclosure.directory.models import Department, Position
from portal import audit, uploads
from portal.db import utcnow
from portal.editing import EditError, Field, assign, clean
from portal.extensions import db


class CatalogError(EditError):
    """A catalog change was refused; the message says why, for the administrator."""


ITEM_FIELDS = {
    "code": Field(_l("Item code"), "code"),
    "name": Field(_l("Name of the item")),
    "status": Field(_l("Status"), required=False, enum=ItemStatus),
    "is_major": Field(_l("Major item"), "flag", required=False),
    "agency_name": Field(_l("Handling agency: full name")),
    "agency_address": Field(_l("Handling agency: address")),
    "agency_phone": Field(_l("Handling agency: phone"), "phone"),
    "total_time_limit_days": Field(_l("Total time limit"), "days", minimum=1),
    "eligibility": Field(_l("Applicant eligibility")),
    "materials": Field(_l("Required materials")),
    "fee_standard": Field(_l("Fee standard")),
    "fee_basis": Field(_l("Fee basis")),
    "legal_basis": Field(_l("Legal basis")),
    "result": Field(_l("Result")),
}

STEP_FIELDS = {
    "standard": Field(_l("Standard"), required=False),
    "conditions": Field(_l("Conditions"), required=False),
    "duties": Field(_l("Duties and authority in this step"), required=False),
    "time_limit_days": Field(_l("Time limit"), "days"),
    "consultation_time_limit_days": Field(
        _l("Time limit when other authorities are consulted"), "days", required=False
    ),
    "complaint_channels": Field(_l("Complaint channels"), required=False),
    "complaint_phone": Field(_l("Complaint phone"), "phone", required=False),
    "notification_method": Field(_l("How the complainant is told"), required=False),
    "notification_time_limit_days": Field(
        _l("Time limit for telling the complainant"), "days", required=False
    ),
}
# Fields that belong to one kind of step only; on other steps they stay empty. ``conditions``
# belongs to every step (on acceptance: the materials the applicant submits).
ONLY_ON = {
    "consultation_time_limit_days": StepKind.ACCEPTANCE,
    "complaint_channels": StepKind.COMPLAINT,
    "complaint_phone": StepKind.COMPLAINT,
    "notification_method": StepKind.COMPLAINT,
    "notification_time_limit_days": StepKind.COMPLAINT,
}
# The complaint step cannot do without these: complaints are routed and answered by them.
COMPLAINT_REQUIRED = (
    "complaint_channels",
    "complaint_phone",
    "notification_method",
    "notification_time_limit_days",
)
# A published item shows the public where to apply and where to complain: these steps at least.
PUBLISHED_NEEDS = (StepKind.ACCEPTANCE, StepKind.COMPLAINT)

FORMATS = {"docx": FormFormat.WORD, "doc": FormFormat.WORD, "pdf": FormFormat.PDF}


# --- items --------------------------------------------------------------------------------------


def create_item(department: Department, *, actor, **values: Any) -> ApprovalItem:
    """Add an approval item accepted by ``department``; it is a draft unless ``status`` says not."""
    cleaned = clean(ApprovalItem, ITEM_FIELDS, values, CatalogError, creating=True)
    _check_item_code(cleaned["code"], None)
    item = ApprovalItem(department=department)
    changes = assign(item, {"status": ItemStatus.DRAFT, "is_major": False, **cleaned})
    _check_publishable(item)
    _stamp_publication(item)
    db.session.add(item)
    db.session.flush()
    changes["department"] = [None, department.code]
    audit.record("catalog.item.create", "approval_item", item.id, actor=actor, changes=changes)
    return item


def update_item(
    item: ApprovalItem,
    *,
    actor,
    department: Department | EllipsisType = ...,
    reason: str | None = None,
    **values: Any,
) -> dict[str, list]:
    """Change some fields; returns the changes ``{field: [old, new]}``, also kept in the audit log."""
    cleaned = clean(ApprovalItem, ITEM_FIELDS, values, CatalogError)
    if "code" in cleaned:
        _check_item_code(cleaned["code"], item.id)
    moving = department is not ... and department.id != item.department_id
    if moving and any(
        step.position and step.position.department_id != department.id for step in item.steps
    ):
        raise CatalogError(
            _(
                "The steps of this item name positions of its current department. "
                "Change or remove those steps before moving the item."
            ),
            "department",
        )
    _check_publishable(item, cleaned.get("status", item.status))
    changes = assign(item, cleaned)
    if moving:
        changes["department"] = [item.department.code, department.code]
        item.department = department
    if changes:
        _stamp_publication(item)
        db.session.flush()
        audit.record(
            "catalog.item.update",
            "approval_item",
            item.id,
            actor=actor,
            reason=reason,
            changes=changes,
        )
    return changes


def missing_for_publication(item: ApprovalItem) -> list[StepKind]:
    """The steps a published item must have and this one lacks."""
    return [kind for kind in PUBLISHED_NEEDS if item.step(kind) is None]


def _check_publishable(item: ApprovalItem, status: ItemStatus | None = None) -> None:
    """A published item has its acceptance and complaint steps; a draft may lack them."""
    if (status or item.status) != ItemStatus.PUBLISHED:
        return
    missing = missing_for_publication(item)
    if len(missing) == len(PUBLISHED_NEEDS):
        message = _(
            "The item cannot be published yet: its procedure has no acceptance step and no "
            "complaint step. A published item needs both; add them first."
        )
    elif missing:
        message = _(
            "The item cannot be published yet: its procedure has no %(kind)s step. A published "
            "item needs the acceptance and complaint steps; add it first.",
            kind=missing[0].label,
        )
    else:
        return
    raise CatalogError(message, "status")


def _stamp_publication(item: ApprovalItem) -> None:
    """The first publication is dated; later drafts and republications keep that date."""
    if item.status == ItemStatus.PUBLISHED and item.published_at is None:
        item.published_at = utcnow()


def _check_item_code(code: str, own_id: int | None) -> None:
    found = db.session.scalar(sa.select(ApprovalItem.id).where(ApprovalItem.code == code))
    if found not in (None, own_id):
        raise CatalogError(_("Another item already has the code %(code)s.", code=code), "code")


# --- procedure steps ----------------------------------------------------------------------------


def add_step(
    item: ApprovalItem,
    *,
    kind: StepKind | str,
    position: Position | None,
    actor,
    **values: Any,
) -> ProcedureStep:
    """Add the step of ``kind`` (one of each kind per item, kept in the notice's order)."""
    try:
        kind = StepKind(kind)
    except ValueError:
        raise CatalogError(_("Choose the kind of step."), "kind") from None
    if item.step(kind) is not None:
        raise CatalogError(
            _("This item already has a %(kind)s step: edit that one.", kind=kind.label), "kind"
        )
    cleaned = _clean_step(kind, values, creating=True)
    position = _step_position(item, position)
    step = ProcedureStep(kind=kind, sequence=kind.order, position=position)
    defaults = {name: None if name.endswith("_days") else "" for name in STEP_FIELDS}
    changes = {
        name: change
        for name, change in assign(step, {**defaults, **cleaned}).items()
        if change[1] not in (None, "")
    }
    changes["position"] = [None, position.code]
    item.steps.append(step)
    item.steps.sort(key=lambda s: s.sequence)
    db.session.flush()
    audit.record(
        "catalog.step.create",
        "procedure_step",
        step.id,
        actor=actor,
        item=item.code,
        kind=kind.value,
        changes=changes,
    )
    return step


def update_step(
    step: ProcedureStep,
    *,
    actor,
    position: Position | EllipsisType | None = ...,
    **values: Any,
) -> dict[str, list]:
    cleaned = _clean_step(step.kind, values)
    changes = assign(step, cleaned)
    if position is not ...:
        position = _step_position(step.item, position)
        if position is not step.position:
            changes["position"] = [
                step.position.code if step.position else None,
                position.code if position else None,
            ]
            step.position = position
    if changes:
        db.session.flush()
        audit.record(
            "catalog.step.update",
            "procedure_step",
            step.id,
            actor=actor,
            item=step.item.code,
            kind=step.kind.value,
            changes=changes,
        )
    return changes


def _clean_step(kind: StepKind, values: dict[str, Any], *, creating: bool = False) -> dict:
    cleaned = clean(ProcedureStep, STEP_FIELDS, values, CatalogError, creating=creating)
    if kind == StepKind.COMPLAINT:
        for name in COMPLAINT_REQUIRED:
            if (creating or name in cleaned) and cleaned.get(name) in (None, ""):
                raise CatalogError(
                    _(
                        "%(field)s: the complaint step needs this.",
                        field=STEP_FIELDS[name].label,
                    ),
                    name,
                )
    for name, value in cleaned.items():
        owner = ONLY_ON.get(name)
        if owner is not None and owner != kind and value not in (None, ""):
            raise CatalogError(
                _(
                    "%(field)s belongs to the %(kind)s step only.",
                    field=STEP_FIELDS[name].label,
                    kind=owner.label,
                ),
                name,
            )
    return cleaned


def _step_position(item: ApprovalItem, position: Position | None) -> Position:
    if position is None:
        raise CatalogError(_("Choose the position responsible for this step."), "position")
    if position.department_id != item.department_id:
        raise CatalogError(
            _("The responsible position must belong to the item's department."), "position"
        )
    return position


def delete_step(step: ProcedureStep, *, actor) -> None:
    """Remove a step; a published item keeps its acceptance and complaint steps."""
    item = step.item
    if item.is_published and step.kind in PUBLISHED_NEEDS:
        raise CatalogError(
            _(
                "The %(kind)s step cannot be removed while the item is published: a published "
                "item needs the acceptance and complaint steps. Make the item a draft first.",
                kind=step.kind.label,
            )
        )
    audit.record(
        "catalog.step.delete",
        "procedure_step",
        step.id,
        actor=actor,
        item=item.code,
        kind=step.kind.value,
    )
    item.steps.remove(step)
    db.session.flush()


# --- application forms --------------------------------------------------------------------------


def add_form(
    item: ApprovalItem, *, title: str, filename: str, data: bytes, actor
) -> ApplicationForm:
    """Publish an application form: a WORD or PDF file, recognised by its content, not its name."""
    title = (title or "").strip()
    if not title:
        raise CatalogError(_("Give the form a title."), "title")
    if len(title) > 200:
        raise CatalogError(_("The title has at most %(max)d characters.", max=200), "title")
    try:
        uploads.check_size(data, current_app.config["KAIMEN_FORM_MAX_BYTES"])
    except uploads.UploadError as error:
        raise CatalogError(str(error), "file") from error
    kind = uploads.sniff(data)
    if kind not in FORMATS:
        raise CatalogError(
            _(
                "Only WORD (.doc, .docx) and PDF files can be published as forms, "
                "and this file is neither, whatever its name says."
            ),
            "file",
        )
    ext = uploads.EXTENSION_FOR[kind]
    form = ApplicationForm(
        title=title,
        format=FORMATS[kind],
        filename=download_name(filename, title, ext),
        stored_name=uploads.store("forms", data, ext),
        content_type=uploads.CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        sort_order=max((f.sort_order for f in item.forms), default=-1) + 1,
    )
    item.forms.append(form)
    db.session.flush()
    audit.record(
        "catalog.form.add",
        "application_form",
        form.id,
        actor=actor,
        item=item.code,
        title=form.title,
        format=form.format.value,
        size=form.size,
        sha256=form.sha256,
    )
    return form


def download_name(filename: str, title: str, ext: str) -> str:
    """The name offered to downloaders: the uploader's, without folders or control characters,
    ending in the extension of what the file really is."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .") or title.strip(" .") or "form"
    return f"{stem[: 200 - len(ext) - 1]}.{ext}"


def remove_form(form: ApplicationForm, actor) -> None:
    """Withdraw a form; its file is deleted once the removal is committed."""
    audit.record(
        "catalog.form.remove",
        "application_form",
        form.id,
        actor=actor,
        item=form.item.code,
        title=form.title,
        sha256=form.sha256,
    )
    uploads.delete_after_commit("forms", form.stored_name)
    form.item.forms.remove(form)
    db.session.flush()
