"""The ``online`` section of an item in the submission format (网上申报): check, load, write out.

An item's ``online`` section says who may apply, the identity level, the statutory and promised
time limits, the application's form fields and its materials. Absent from the file, the item's
online offer (if any) is left as it is; present, the offer becomes exactly what it says. Every
import that changes anything in it bumps ``OnlineSpec.version`` by one, so that an application
can keep the version it was filed under.

Records here are keyed as the file names things (``min``, ``types``, ``max_mb``); the model's
names are in ``FIELD_COLUMNS`` and ``MATERIAL_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

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
    DEFAULT_MB,
    FILE_TYPES,
    LENGTH_MAX,
    MB,
    field_problems,
    material_problems,
    offer_problems,
    plain_number,
    template_form,
    template_name,
)
from disclosure.catalog.submission_parse import Located, Path
from disclosure.catalog.submission_schema import SubmissionError, field_name, shown
from portal.editing import stored_text

# file key → model attribute
FIELD_COLUMNS = {
    "key": "key",
    "label_zh": "label_zh",
    "label_en": "label_en",
    "type": "type",
    "required": "required",
    "min_length": "min_length",
    "max_length": "max_length",
    "min": "min_value",
    "max": "max_value",
    "choices": "choices",
    "help_zh": "help_zh",
    "help_en": "help_en",
}
FIELD_KEYS = {column: key for key, column in FIELD_COLUMNS.items()}
MATERIAL_KEYS = {"accepted_types": "types", "max_mb": "max_mb"}
OFFER_KEYS = (
    "enabled",
    "applicant",
    "identity_level",
    "statutory_limit_days",
    "promised_limit_days",
)
# Optional text written out only when it is not empty; limits only when they are set.
_OPTIONAL = ("label_en", "help_zh", "help_en", "note")


# --- checking -----------------------------------------------------------------------------------


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _items(data: Any) -> list[tuple[int, dict[str, Any]]]:
    return _entries(data.get("items")) if isinstance(data, dict) else []


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _length(value: Any) -> int | None:
    value = _whole(value)
    return value if value is not None and 0 <= value <= LENGTH_MAX else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def online_rule_errors(located: Located, file: str) -> list[SubmissionError]:
    """What the schema cannot say about each ``online`` section (the database is not needed)."""
    found: list[SubmissionError] = []

    def error(path: Path, message: str) -> None:
        found.append(SubmissionError(file, located.line(path), field_name(path), message))

    for index, item in _items(located.data):
        online = item.get("online")
        if not isinstance(online, dict):
            continue
        base: Path = ("items", index, "online")
        statutory = _whole(online.get("statutory_limit_days", STATUTORY_DEFAULT_DAYS))
        for attribute, message in offer_problems(
            {
                "statutory_limit_days": statutory,
                "promised_limit_days": _whole(online.get("promised_limit_days")),
            }
        ):
            error((*base, attribute), message)
        first: dict[str, int] = {}
        for field_index, entry in _entries(online.get("fields")):
            path = (*base, "fields", field_index)
            key = entry.get("key")
            if isinstance(key, str):
                if key in first:
                    error(
                        (*path, "key"),
                        _(
                            "the field key %(key)s is used twice (first on line %(line)d)",
                            key=key,
                            line=first[key],
                        ),
                    )
                else:
                    first[key] = located.line((*path, "key")) or 0
            try:
                kind = FieldType(entry.get("type"))
            except ValueError:
                continue  # the schema has said so
            choices = entry.get("choices")
            values = {
                "type": kind,
                # Out of range: the schema has said so.
                "min_length": _length(entry.get("min_length")),
                "max_length": _length(entry.get("max_length")),
                "min_value": _number(entry.get("min")),
                "max_value": _number(entry.get("max")),
                "choices": [c.strip() for c in choices if isinstance(c, str)]
                if isinstance(choices, list)
                else [],
            }
            for attribute, message in field_problems(values):
                error((*path, FIELD_KEYS[attribute]), message)
        names: dict[str, int] = {}
        for material_index, entry in _entries(online.get("materials")):
            path = (*base, "materials", material_index)
            name = entry.get("name")
            if isinstance(name, str) and name.strip():
                if name.strip() in names:
                    error(
                        (*path, "name"),
                        _(
                            "the material %(name)s is listed twice (first on line %(line)d)",
                            name=shown(name.strip()),
                            line=names[name.strip()],
                        ),
                    )
                else:
                    names[name.strip()] = located.line((*path, "name")) or 0
            types = entry.get("types")
            if not isinstance(types, list):
                continue
            known = [kind for kind in types if kind in FILE_TYPES]  # the schema names the others
            if len(known) != len(types):
                continue
            for attribute, message in material_problems({"accepted_types": known}):
                error((*path, MATERIAL_KEYS[attribute]), message)
    return found


def template_errors(located: Located, file: str, items: dict[str, Any]) -> list[SubmissionError]:
    """A material's template must name one of the item's application forms (held by the portal)."""
    found: list[SubmissionError] = []
    for index, entry in _items(located.data):
        online = entry.get("online")
        if not isinstance(online, dict):
            continue
        code = entry.get("code")
        item = items.get(code) if isinstance(code, str) else None
        forms = list(item.forms) if item is not None else []
        for material_index, material in _entries(online.get("materials")):
            name = material.get("template")
            if not isinstance(name, str) or not name.strip():
                continue
            if template_form(forms, name.strip()) is not None:
                continue
            path = ("items", index, "online", "materials", material_index, "template")
            if forms:
                known = ", ".join(sorted({shown(form.title) for form in forms}))
                message = _(
                    "the item has no application form called %(name)s: its forms are %(forms)s",
                    name=shown(name.strip()),
                    forms=known,
                )
            else:
                message = _(
                    "the item has no application form called %(name)s: it has no forms yet; "
                    "publish the form on the web first (forms are not part of the file)",
                    name=shown(name.strip()),
                )
            found.append(SubmissionError(file, located.line(path), field_name(path), message))
    return found


# --- records ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return stored_text(value) if isinstance(value, str) else ""


def wanted_online(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The item's ``online`` section of a checked file as a record; None when it is absent."""
    online = entry.get("online")
    if online is None:
        return None
    promised = online.get("promised_limit_days")
    return {
        "enabled": bool(online["enabled"]),
        "applicant": online["applicant"],
        "identity_level": online.get("identity_level", IdentityLevel.EMAIL.value),
        "statutory_limit_days": int(online.get("statutory_limit_days", STATUTORY_DEFAULT_DAYS)),
        "promised_limit_days": None if promised is None else int(promised),
        "fields": [_wanted_field(field) for field in online.get("fields", [])],
        "materials": [_wanted_material(material) for material in online.get("materials", [])],
    }


def _wanted_field(field: dict[str, Any]) -> dict[str, Any]:
    kind = field["type"]
    return {
        "key": field["key"],
        "label_zh": _text(field["label_zh"]),
        "label_en": _text(field.get("label_en")),
        "type": kind,
        "required": bool(field.get("required", False)),
        "min_length": field.get("min_length"),
        "max_length": field.get("max_length"),
        "min": plain_number(field.get("min")),
        "max": plain_number(field.get("max")),
        "choices": [_text(choice) for choice in field.get("choices", [])],
        "help_zh": _text(field.get("help_zh")),
        "help_en": _text(field.get("help_en")),
    }


def _wanted_material(material: dict[str, Any]) -> dict[str, Any]:
    template = material.get("template")
    return {
        "name": _text(material["name"]),
        "required": bool(material.get("required", True)),
        "types": list(material["types"]),
        "max_mb": int(material.get("max_mb", DEFAULT_MB)),
        "note": _text(material.get("note")),
        "template": _text(template) or None,
    }


def canonical(wanted: dict[str, Any] | None, forms: Iterable[Any]) -> dict[str, Any] | None:
    """``wanted`` with each template named as the export names it (a title or a file name)."""
    if wanted is None:
        return None
    forms = list(forms)
    materials = [
        {**m, "template": template_name(forms, template_form(forms, m["template"]))}
        for m in wanted["materials"]
    ]
    return {**wanted, "materials": materials}


def field_record(field: FormField) -> dict[str, Any]:
    record = {key: getattr(field, column) for key, column in FIELD_COLUMNS.items()}
    record["type"] = field.type.value
    record["min"], record["max"] = plain_number(field.min_value), plain_number(field.max_value)
    record["choices"] = list(field.choices or [])
    return record


def material_record(material: MaterialSpec, forms: Iterable[Any]) -> dict[str, Any]:
    forms = list(forms)
    form = next((f for f in forms if f.id == material.template_form_id), None)
    size = material.max_bytes
    return {
        "name": material.name,
        "required": material.required,
        "types": list(material.accepted_types or []),
        "max_mb": size // MB if size % MB == 0 else round(size / MB, 2),
        "note": material.note,
        "template": template_name(forms, form),
    }


def online_record(item) -> dict[str, Any] | None:
    """The item's online offer as a record of the file's shape; None when it has none."""
    spec: OnlineSpec | None = item.online
    if spec is None:
        return None
    return {
        "enabled": spec.enabled,
        "applicant": spec.applicant_kind.value,
        "identity_level": spec.identity_level.value,
        "statutory_limit_days": spec.statutory_limit_days,
        "promised_limit_days": spec.promised_limit_days,
        "fields": [field_record(field) for field in spec.fields],
        "materials": [material_record(material, item.forms) for material in spec.materials],
    }


def export_online(item) -> dict[str, Any] | None:
    """The ``online`` section as ``export`` writes it: what is empty or unset is left out."""
    record = online_record(item)
    if record is None:
        return None
    if record["promised_limit_days"] is None:
        del record["promised_limit_days"]
    record["fields"] = [_compact(field) for field in record["fields"]]
    record["materials"] = [_compact(material) for material in record["materials"]]
    return record


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if value is None or (key in _OPTIONAL and value == ""):
            continue
        if key == "choices" and record.get("type") != FieldType.CHOICE.value and not value:
            continue
        out[key] = value
    return out


# --- changes ------------------------------------------------------------------------------------


def online_changes(old: dict | None, new: dict | None) -> dict[str, list[Any]]:
    """``{"online.…": [old, new]}`` for what the file changes; nothing when the file is silent."""
    if new is None or old == new:
        return {}
    if old is None:
        return {"online": [None, new]}
    changes = {f"online.{key}": [old[key], new[key]] for key in OFFER_KEYS if old[key] != new[key]}
    for section, key in (("fields", "key"), ("materials", "name")):
        before = {entry[key]: entry for entry in old[section]}
        after = {entry[key]: entry for entry in new[section]}
        for name in [*before, *(n for n in after if n not in before)]:
            if before.get(name) != after.get(name):
                changes[f"online.{section}.{name}"] = [before.get(name), after.get(name)]
        order_before = [entry[key] for entry in old[section]]
        order_after = [entry[key] for entry in new[section]]
        if order_before != order_after and set(order_before) == set(order_after):
            changes[f"online.{section}"] = [order_before, order_after]
    return changes


def apply_online(item, wanted: dict[str, Any]) -> int:
    """Make the item's online offer what ``wanted`` says (which differs); returns its version."""
    spec = item.online
    if spec is None:
        spec = OnlineSpec(version=1)
        item.online = spec
    else:
        spec.version += 1
    _set(spec, "enabled", wanted["enabled"])
    _set(spec, "applicant_kind", ApplicantKind(wanted["applicant"]))
    _set(spec, "identity_level", IdentityLevel(wanted["identity_level"]))
    _set(spec, "statutory_limit_days", wanted["statutory_limit_days"])
    _set(spec, "promised_limit_days", wanted["promised_limit_days"])

    existing = {field.key: field for field in spec.fields}
    fields = []
    for order, record in enumerate(wanted["fields"]):
        field = existing.pop(record["key"], None) or FormField(key=record["key"])
        for key, column in FIELD_COLUMNS.items():
            value = record[key]
            if key == "type":
                value = FieldType(value)
            elif key in ("min", "max"):
                value = None if value is None else float(value)
            _set(field, column, value)
        _set(field, "sort_order", order)
        fields.append(field)
    spec.fields = fields

    forms = list(item.forms)
    by_name = {material.name: material for material in spec.materials}
    materials = []
    for order, record in enumerate(wanted["materials"]):
        material = by_name.pop(record["name"], None) or MaterialSpec(name=record["name"])
        form = template_form(forms, record["template"])
        _set(material, "required", record["required"])
        _set(material, "accepted_types", list(record["types"]))
        _set(material, "max_bytes", record["max_mb"] * MB)
        _set(material, "note", record["note"])
        _set(material, "template_form_id", form.id if form is not None else None)
        _set(material, "sort_order", order)
        materials.append(material)
    spec.materials = materials
    return spec.version


def _set(obj: Any, name: str, value: Any) -> None:
    if getattr(obj, name) != value:
        setattr(obj, name, value)
