"""Field-by-field edits for the directory and catalog services: checks, and the audit diff.

A service describes its fields once (label, kind, required); ``clean`` checks values against
that and against the model's column lengths (SQLite does not enforce ``VARCHAR(n)``), and
``assign`` applies them and returns ``{field: [old, new]}`` for the audit log.

The rules are the submission format's (docs/submission.schema.json), so that whatever the
editor saves, ``kaimen catalog export`` writes and the importer reads back unchanged: text is
trimmed and its line breaks are ``\n``; phones have 3 to 60 characters; codes, postcodes,
email addresses, whole numbers of working days and their limits are checked alike.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.services import AccountError, normalise_email

CODE_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")
POSTCODE_PATTERN = re.compile(r"\A[0-9]{6}\Z")
MAX_DAYS = 3650  # ten years of working days: anything above is a typing mistake
MAX_NUMBER = 1_000_000  # "order in lists"
MIN_PHONE = 3  # "110" is the shortest phone number there is

CODE_HINT = _l("Letters, digits, dots, hyphens and underscores; it starts with a letter or digit.")


class EditError(ValueError):
    """Input a service refused; ``field`` names the field it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Field:
    """How one field is checked: ``kind`` is text, code, email, phone, postcode, days, number
    or flag; ``minimum`` is the smallest whole number a days or number field takes."""

    label: Any
    kind: str = "text"
    required: bool = True
    enum: type[enum.Enum] | None = None
    minimum: int = 0


def stored_text(value: Any) -> str:
    """Text as it is stored: trimmed, with ``\n`` line breaks (browsers send ``\r\n``)."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def clean(
    model: type,
    fields: Mapping[str, Field],
    values: Mapping[str, Any],
    error: type[EditError],
    *,
    creating: bool = False,
) -> dict[str, Any]:
    """Check ``values`` (a subset of ``fields``, or all required ones when ``creating``)."""
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields for {model.__name__}: {sorted(unknown)}")
    if creating:
        for name, spec in fields.items():
            if spec.required and name not in values:
                raise error(_("%(field)s: this is required.", field=spec.label), name)
    columns = model.__table__.c
    return {
        name: _clean_one(
            name, fields[name], value, getattr(columns[name].type, "length", None), error
        )
        for name, value in values.items()
    }


def _clean_one(name: str, spec: Field, value: Any, length: int | None, error: type[EditError]):
    label = spec.label
    if spec.kind == "flag":
        return bool(value)
    if spec.enum is not None:
        try:
            return spec.enum(value)
        except ValueError:
            raise error(_("%(field)s: choose one of the options.", field=label), name) from None
    if spec.kind in ("days", "number"):
        return _whole_number(name, spec, value, error)
    text = stored_text(value)
    if not text:
        if spec.required:
            raise error(_("%(field)s: this is required.", field=label), name)
        return ""
    if spec.kind == "email":
        try:
            text = normalise_email(text)
        except AccountError:
            raise error(
                _("%(field)s: enter a valid email address, such as name@example.com.", field=label),
                name,
            ) from None
    if length is not None and len(text) > length:
        raise error(_("%(field)s: at most %(max)d characters.", field=label, max=length), name)
    if spec.kind == "phone" and len(text) < MIN_PHONE:
        raise error(_("%(field)s: at least %(min)d characters.", field=label, min=MIN_PHONE), name)
    if spec.kind == "code" and not CODE_PATTERN.match(text):
        raise error(
            _(
                "%(field)s: use letters, digits, dots, hyphens and underscores only, "
                "starting with a letter or digit.",
                field=label,
            ),
            name,
        )
    if spec.kind == "postcode" and not POSTCODE_PATTERN.match(text):
        raise error(_("%(field)s: six digits, such as 310000.", field=label), name)
    return text


def _whole_number(name: str, spec: Field, value: Any, error: type[EditError]) -> int | None:
    if value is None or value == "":
        if spec.required:
            raise error(_("%(field)s: this is required.", field=spec.label), name)
        return None if spec.kind == "days" else 0
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    limit = MAX_DAYS if spec.kind == "days" else MAX_NUMBER
    if isinstance(value, bool) or not isinstance(value, int) or not spec.minimum <= value <= limit:
        raise error(str(number_message(spec)), name)
    return value


def number_message(spec: Field):
    """What a days or number field accepts, as its refusal says it (lazy: forms use it too)."""
    if spec.kind != "days":
        return _l("%(field)s: a whole number, 0 or more.", field=spec.label)
    if spec.minimum:
        return _l(
            "%(field)s: a whole number of working days from %(min)d to %(max)d, such as 5.",
            field=spec.label,
            min=spec.minimum,
            max=MAX_DAYS,
        )
    return _l(
        "%(field)s: a whole number of working days from 0 to %(max)d, such as 5.",
        field=spec.label,
        max=MAX_DAYS,
    )


def assign(obj: object, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the attributes and return what changed as ``{field: [old, new]}`` (JSON-safe)."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(obj, name, new)
    return changes


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value
