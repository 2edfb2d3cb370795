"""Use cases of the web editor for an item's online offer (网上申报): the offer itself, its form
fields and its materials. Each validates, changes state, bumps ``OnlineSpec.version`` once,
writes the audit log and flushes; none commits.

The rules are the submission format's (``online_rules``), so whatever the editor saves, the
format carries, and the other way round.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from disclosure.catalog.models import ApplicationForm, ApprovalItem
from disclosure.catalog.online_models import (
    STATUTORY_DEFAULT_DAYS,
    ApplicantKind,
    FieldType,
    FormField,
    IdentityLevel,
    MaterialSpec,
    OnlineSpec,
)
from disclosure.catalog.online_rules import (
    CHOICE_MAX,
    MAX_MB,
    MB,
    field_problems,
    key_problem,
    material_problems,
    offer_problems,
    plain_number,
)
from disclosure.catalog.services import CatalogError
from portal import audit
from portal.editing import MAX_DAYS, assign, stored_text
from portal.extensions import db

FIELD_LABELS = {
    "key": _l("Key"),
    "label_zh": _l("Label (Chinese)"),
    "label_en": _l("Label (English)"),
    "type": _l("Type"),
    "help_zh": _l("Help (Chinese)"),
    "help_en": _l("Help (English)"),
    "name": _l("Name of the material"),
    "note": _l("Note"),
}
TEXT_LIMITS = {"key": 40, "label_zh": 100, "label_en": 100, "name": 200, "choice": 200}


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _text(values: dict[str, Any], name: str, *, required: bool = False) -> str:
    text = stored_text(values.get(name))
    label = FIELD_LABELS[name]
    if required and not text:
        raise CatalogError(_("%(field)s: this is required.", field=label), name)
    limit = TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        raise CatalogError(
            _("%(field)s: at most %(max)d characters.", field=label, max=limit), name
        )
    return text


def _touch(item: ApprovalItem) -> tuple[OnlineSpec, bool]:
    """The item's offer, created (disabled, version 1) if it has none."""
    if item.online is None:
        item.online = OnlineSpec(
            enabled=False,
            applicant_kind=ApplicantKind.BOTH,
            identity_level=IdentityLevel.EMAIL,
            statutory_limit_days=STATUTORY_DEFAULT_DAYS,
            version=1,
        )
        return item.online, True
    return item.online, False


def _record(action: str, item: ApprovalItem, actor, changes: dict, **data: Any) -> None:
    db.session.flush()
    audit.record(
        action,
        "approval_item",
        item.id,
        actor=actor,
        item=item.code,
        version=item.online.version if item.online else None,
        changes=changes,
        **data,
    )


def _bump(spec: OnlineSpec, created: bool, changes: dict) -> None:
    if not created:
        changes["version"] = [spec.version, spec.version + 1]
        spec.version += 1


# --- the offer ----------------------------------------------------------------------------------


def save_offer(
    item: ApprovalItem,
    *,
    actor,
    enabled: bool,
    applicant_kind: ApplicantKind | str,
    identity_level: IdentityLevel | str,
    statutory_limit_days: int | None,
    promised_limit_days: int | None,
) -> dict[str, list]:
    """Create or change the offer; returns the changes ``{field: [old, new]}`` (also audited)."""
    try:
        applicant_kind = ApplicantKind(applicant_kind)
    except ValueError:
        raise CatalogError(
            _("Who may apply: choose one of the options."), "applicant_kind"
        ) from None
    try:
        identity_level = IdentityLevel(identity_level)
    except ValueError:
        raise CatalogError(
            _("Identity level: choose one of the options."), "identity_level"
        ) from None
    for name, value, minimum in (
        ("statutory_limit_days", statutory_limit_days, 1),
        ("promised_limit_days", promised_limit_days, 0),
    ):
        if value is None and name == "statutory_limit_days":
            raise CatalogError(_("Statutory time limit: this is required."), name)
        if value is not None and not minimum <= value <= MAX_DAYS:
            raise CatalogError(
                _(
                    "A whole number of working days from %(min)d to %(max)d, such as 5.",
                    min=minimum,
                    max=MAX_DAYS,
                ),
                name,
            )
    values = {
        "enabled": bool(enabled),
        "applicant_kind": applicant_kind,
        "identity_level": identity_level,
        "statutory_limit_days": statutory_limit_days,
        "promised_limit_days": promised_limit_days,
    }
    for name, message in offer_problems(values):
        raise CatalogError(message, name)
    spec, created = _touch(item)
    changes = assign(spec, values)
    if created:
        changes = {name: [None, _plain(value)] for name, value in values.items()}
    if changes:
        _bump(spec, created, changes)
        _record(f"catalog.online.{'create' if created else 'update'}", item, actor, changes)
    return changes


# --- form fields --------------------------------------------------------------------------------


def _clean_field(spec: OnlineSpec | None, own: FormField | None, values: dict) -> dict[str, Any]:
    key = _text(values, "key", required=True)
    problem = key_problem(key)
    if problem:
        raise CatalogError(problem, "key")
    if spec is not None and any(f.key == key and f is not own for f in spec.fields):
        raise CatalogError(
            _("Another field of this item has the key %(key)s: keys must differ.", key=key),
            "key",
        )
    try:
        kind = FieldType(values.get("type"))
    except ValueError:
        raise CatalogError(_("Type: choose one of the options."), "type") from None
    choices = [stored_text(c) for c in values.get("choices") or [] if stored_text(c)]
    for choice in choices[:CHOICE_MAX]:
        if len(choice) > TEXT_LIMITS["choice"]:
            raise CatalogError(
                _("A choice has at most %(max)d characters.", max=TEXT_LIMITS["choice"]),
                "choices",
            )
    cleaned = {
        "key": key,
        "label_zh": _text(values, "label_zh", required=True),
        "label_en": _text(values, "label_en"),
        "type": kind,
        "required": bool(values.get("required")),
        "min_length": values.get("min_length"),
        "max_length": values.get("max_length"),
        "min_value": None if values.get("min_value") is None else float(values["min_value"]),
        "max_value": None if values.get("max_value") is None else float(values["max_value"]),
        "choices": choices,
        "help_zh": _text(values, "help_zh"),
        "help_en": _text(values, "help_en"),
    }
    for name, message in field_problems(cleaned):
        raise CatalogError(message, name)
    return cleaned


def _field_changes(changes: dict) -> dict:
    return {
        name: [plain_number(old), plain_number(new)] if name.endswith("_value") else [old, new]
        for name, (old, new) in changes.items()
    }


def add_field(item: ApprovalItem, *, actor, **values: Any) -> FormField:
    cleaned = _clean_field(item.online, None, values)
    spec, created = _touch(item)
    field = FormField(sort_order=len(spec.fields))
    changes = assign(field, cleaned)
    changes = {name: [None, new] for name, (_old, new) in _field_changes(changes).items()}
    spec.fields.append(field)
    _bump(spec, created, changes)
    _record("catalog.online_field.create", item, actor, changes, key=field.key)
    return field


def update_field(item: ApprovalItem, field: FormField, *, actor, **values: Any) -> dict:
    cleaned = _clean_field(item.online, field, values)
    changes = _field_changes(assign(field, cleaned))
    if changes:
        _bump(item.online, False, changes)
        _record("catalog.online_field.update", item, actor, changes, key=field.key)
    return changes


def delete_field(item: ApprovalItem, field: FormField, *, actor) -> None:
    spec = item.online
    spec.fields.remove(field)
    _renumber(spec.fields)
    changes = {"fields": [field.key, None]}
    _bump(spec, False, changes)
    _record("catalog.online_field.delete", item, actor, changes, key=field.key)


def move_field(item: ApprovalItem, field: FormField, offset: int, *, actor) -> bool:
    return _move(item, item.online.fields, field, offset, actor, "field", field.key)


# --- materials ----------------------------------------------------------------------------------


def _clean_material(item: ApprovalItem, own: MaterialSpec | None, values: dict) -> dict[str, Any]:
    name = _text(values, "name", required=True)
    spec = item.online
    if spec is not None and any(m.name == name and m is not own for m in spec.materials):
        raise CatalogError(
            _("This item already asks for a material called %(name)s.", name=name), "name"
        )
    types = list(values.get("accepted_types") or [])
    size = values.get("max_mb")
    if size is None:
        raise CatalogError(
            _("Size limit: a whole number of MB from 1 to %(max)d.", max=MAX_MB), "max_mb"
        )
    for field, message in material_problems({"accepted_types": types, "max_mb": size}):
        raise CatalogError(message, field)
    template = values.get("template")
    if template is not None and (
        not isinstance(template, ApplicationForm) or template.item_id != item.id
    ):
        raise CatalogError(_("Choose one of this item's application forms."), "template")
    return {
        "name": name,
        "required": bool(values.get("required")),
        "accepted_types": types,
        "max_bytes": size * MB,
        "note": _text(values, "note"),
        "template_form_id": template.id if template is not None else None,
    }


def add_material(item: ApprovalItem, *, actor, **values: Any) -> MaterialSpec:
    cleaned = _clean_material(item, None, values)
    spec, created = _touch(item)
    material = MaterialSpec(sort_order=len(spec.materials))
    changes = {name: [None, new] for name, (_old, new) in assign(material, cleaned).items()}
    spec.materials.append(material)
    _bump(spec, created, changes)
    _record("catalog.online_material.create", item, actor, changes, name=material.name)
    return material


def update_material(item: ApprovalItem, material: MaterialSpec, *, actor, **values: Any) -> dict:
    cleaned = _clean_material(item, material, values)
    changes = assign(material, cleaned)
    if changes:
        _bump(item.online, False, changes)
        _record("catalog.online_material.update", item, actor, changes, name=material.name)
    return changes


def delete_material(item: ApprovalItem, material: MaterialSpec, *, actor) -> None:
    spec = item.online
    spec.materials.remove(material)
    _renumber(spec.materials)
    changes = {"materials": [material.name, None]}
    _bump(spec, False, changes)
    _record("catalog.online_material.delete", item, actor, changes, name=material.name)


def move_material(item: ApprovalItem, material: MaterialSpec, offset: int, *, actor) -> bool:
    return _move(item, item.online.materials, material, offset, actor, "material", material.name)


# --- order --------------------------------------------------------------------------------------


def _renumber(entries: list) -> None:
    for order, entry in enumerate(entries):
        if entry.sort_order != order:
            entry.sort_order = order


def _move(item, entries: list, entry, offset: int, actor, noun: str, name: str) -> bool:
    """Move ``entry`` up (-1) or down (+1); False when it is already first or last."""
    index = entries.index(entry)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(entries):
        return False
    before = [_name(e) for e in entries]
    ordered = list(entries)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    entries.sort(key=lambda e: e.sort_order)  # the same objects: no collection events
    section = "fields" if noun == "field" else "materials"
    changes = {section: [before, [_name(e) for e in entries]]}
    _bump(item.online, False, changes)
    _record(f"catalog.online_{noun}.move", item, actor, changes, **{_key(noun): name})
    return True


def _name(entry) -> str:
    return entry.key if isinstance(entry, FormField) else entry.name


def _key(noun: str) -> str:
    return "key" if noun == "field" else "name"
