"""What the approvals service reads of an item's online offer (网上申报).

- ``load_spec(item)``: the offer with its fields, materials and template forms, in one go;
- ``spec_snapshot(item)``: a JSON-serialisable copy of the offer *and* the procedure, to keep with
  an application, so that later edits of the item never change a running application;
- ``online_items(query)``: the published items that can be applied for online.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from disclosure.catalog.models import ApprovalItem, ItemStatus, ProcedureStep
from disclosure.catalog.online_models import MaterialSpec, OnlineSpec
from disclosure.catalog.online_rules import plain_number
from portal.extensions import db

SNAPSHOT_FORMAT = 1


def spec_options() -> list:
    """Loader options that bring an item's online offer with it (for the item's own query)."""
    return [
        so.selectinload(ApprovalItem.online).options(
            so.selectinload(OnlineSpec.fields),
            so.selectinload(OnlineSpec.materials).joinedload(MaterialSpec.template_form),
        )
    ]


def load_spec(item: ApprovalItem | int) -> OnlineSpec | None:
    """The item's online offer with its fields, materials and their template forms; or None."""
    item_id = item if isinstance(item, int) else item.id
    return db.session.scalar(
        sa.select(OnlineSpec)
        .where(OnlineSpec.item_id == item_id)
        .options(
            so.selectinload(OnlineSpec.fields),
            so.selectinload(OnlineSpec.materials).joinedload(MaterialSpec.template_form),
        )
    )


def spec_snapshot(item: ApprovalItem) -> dict[str, Any]:
    """The item's online offer and procedure as plain data (JSON-serialisable), with its version.

    ``online`` is None when the item has no offer. Steps are in procedure order.
    """
    spec = load_spec(item)
    steps = db.session.scalars(
        sa.select(ProcedureStep)
        .where(ProcedureStep.item_id == item.id)
        .order_by(ProcedureStep.sequence)
    ).all()
    return {
        "format": SNAPSHOT_FORMAT,
        "item": {
            "id": item.id,
            "code": item.code,
            "name": item.name,
            "department_id": item.department_id,
            "total_time_limit_days": item.total_time_limit_days,
        },
        "version": spec.version if spec is not None else None,
        "online": _spec_data(spec, steps) if spec is not None else None,
        "steps": [
            {
                "kind": step.kind.value,
                "sequence": step.sequence,
                "position_id": step.position_id,
                "time_limit_days": step.time_limit_days,
                "standard": step.standard,
                "notification_method": step.notification_method,
                "notification_time_limit_days": step.notification_time_limit_days,
                "consultation_time_limit_days": step.consultation_time_limit_days,
            }
            for step in steps
        ],
    }


def promised_days(spec: OnlineSpec, steps) -> int:
    """承诺时限: the offer's own, else the sum of the steps' limits (the complaint step aside)."""
    if spec.promised_limit_days is not None:
        return spec.promised_limit_days
    return sum(step.time_limit_days for step in steps if step.kind.value != "complaint")


def _spec_data(spec: OnlineSpec, steps) -> dict[str, Any]:
    return {
        "enabled": spec.enabled,
        "applicant_kind": spec.applicant_kind.value,
        "identity_level": spec.identity_level.value,
        "statutory_limit_days": spec.statutory_limit_days,
        "promised_limit_days": spec.promised_limit_days,
        "promised_days": promised_days(spec, steps),
        "version": spec.version,
        "fields": [
            {
                "id": field.id,
                "key": field.key,
                "label_zh": field.label_zh,
                "label_en": field.label_en,
                "type": field.type.value,
                "required": field.required,
                "min_length": field.min_length,
                "max_length": field.max_length,
                "min_value": plain_number(field.min_value),
                "max_value": plain_number(field.max_value),
                "choices": list(field.choices or []),
                "help_zh": field.help_zh,
                "help_en": field.help_en,
            }
            for field in spec.fields
        ],
        "materials": [
            {
                "id": material.id,
                "name": material.name,
                "required": material.required,
                "accepted_types": list(material.accepted_types or []),
                "max_bytes": material.max_bytes,
                "note": material.note,
                "template_form_id": material.template_form_id,
                "template_title": material.template_form.title if material.template_form else None,
            }
            for material in spec.materials
        ],
    }


def online_items(query: sa.Select | None = None) -> list[ApprovalItem]:
    """Published items with an enabled online offer, by code, in one statement.

    ``query`` is a ``select(ApprovalItem)`` narrowed as the caller likes (a department, a
    search, a limit). Each item's offer (``item.online``) and department come with it; its
    fields and materials do not (``load_spec`` brings them for one item).
    """
    stmt = query if query is not None else sa.select(ApprovalItem)
    stmt = (
        stmt.join(OnlineSpec, OnlineSpec.item_id == ApprovalItem.id)
        .where(ApprovalItem.status == ItemStatus.PUBLISHED, OnlineSpec.enabled.is_(True))
        .options(
            so.contains_eager(ApprovalItem.online),
            so.joinedload(ApprovalItem.department),
        )
        .order_by(ApprovalItem.code)
    )
    return list(db.session.scalars(stmt).unique())
