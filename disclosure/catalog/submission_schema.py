"""The published schema of the submission format and its errors in plain language.

What each field is called, how a value is shown as the person wrote it, and one
``SubmissionError`` (line, field, message) for each thing the schema finds wrong.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator, ValidationError

from disclosure.catalog.models import StepKind
from disclosure.catalog.submission_parse import Located, Path
from portal.resources import resource_dir

FORMAT = "kaimen-submission/1"
SCHEMA_FILE = "submission.schema.json"

DAY_FIELDS = {
    "total_time_limit",
    "time_limit",
    "consultation_time_limit",
    "notification_time_limit",
    "statutory_limit_days",
    "promised_limit_days",
}
COMPLAINT_ONLY = ("channels", "phone", "notification_method", "notification_time_limit")

# What each key means, for messages; the key itself is shown too, as it is written in the file.
LABELS = {
    "format": _l("format version"),
    "department": _l("department"),
    "leaders": _l("leaders"),
    "staff": _l("staff"),
    "positions": _l("positions"),
    "items": _l("approval items"),
    "code": _l("code"),
    "full_name": _l("full name"),
    "short_name": _l("short name"),
    "address": _l("address"),
    "postcode": _l("postcode"),
    "public_phone": _l("public phone"),
    "supervision_phone": _l("supervision phone"),
    "email": _l("email address"),
    "functions": _l("main functions"),
    "default_complaint_position": _l("default complaint position"),
    "sort_order": _l("order in lists"),
    "name": _l("name"),
    "title": _l("title"),
    "portfolio": _l("portfolio"),
    "office_phone": _l("office phone"),
    "duties": _l("duties and authority"),
    "holder": _l("holder"),
    "deputy": _l("deputy"),
    "published": _l("published"),
    "major": _l("major item"),
    "agency": _l("handling agency"),
    "total_time_limit": _l("total time limit"),
    "eligibility": _l("applicant eligibility"),
    "materials": _l("required materials"),
    "fee_standard": _l("fee standard"),
    "fee_basis": _l("fee basis"),
    "legal_basis": _l("legal basis"),
    "result": _l("result"),
    "steps": _l("procedure"),
    "kind": _l("step kind"),
    "position": _l("responsible position"),
    "time_limit": _l("time limit"),
    "consultation_time_limit": _l("time limit for consulting other authorities"),
    "conditions": _l("conditions"),
    "standard": _l("standard"),
    "channels": _l("complaint channels"),
    "phone": _l("phone"),
    "notification_method": _l("notification method"),
    "notification_time_limit": _l("notification time limit"),
    # The online offer (网上申报): submission_online.
    "online": _l("online application"),
    "enabled": _l("applied for online"),
    "applicant": _l("who may apply"),
    "identity_level": _l("identity level"),
    "statutory_limit_days": _l("statutory time limit"),
    "promised_limit_days": _l("promised time limit"),
    "fields": _l("form fields"),
    "key": _l("key"),
    "label_zh": _l("label (Chinese)"),
    "label_en": _l("label (English)"),
    "type": _l("type"),
    "required": _l("required"),
    "min_length": _l("shortest length"),
    "max_length": _l("longest length"),
    "min": _l("smallest value"),
    "max": _l("largest value"),
    "choices": _l("choices"),
    "help_zh": _l("help (Chinese)"),
    "help_en": _l("help (English)"),
    "types": _l("accepted types of file"),
    "max_mb": _l("size limit"),
    "note": _l("note"),
    "template": _l("template form"),
}
# What one entry of a list is.
ENTRY_LABELS = {
    "leaders": _l("leader"),
    "staff": _l("staff member"),
    "positions": _l("position"),
    "items": _l("approval item"),
    "steps": _l("step"),
    "fields": _l("form field"),
    "materials": _l("material"),
    "choices": _l("choice"),
    "types": _l("type of file"),
}


@dataclass(frozen=True)
class SubmissionError:
    """One thing wrong with a submission file, where it is, and what is wrong, in plain language."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    @property
    def sort_key(self) -> tuple:
        return (self.line is None, self.line or 0, self.field, self.message)


def field_name(path: Path) -> str:
    """``("items", 3, "steps", 1, "time_limit")`` → ``items[3].steps[1].time_limit``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema (docs/submission.schema.json): the contract of the format."""
    with (resource_dir("docs") / SCHEMA_FILE).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


# --- schema errors in plain language -----------------------------------------------------------


def schema_errors(located: Located, file: str) -> list[SubmissionError]:
    """What the schema finds wrong with the file, each error in plain language."""
    found: list[SubmissionError] = []
    errors = list(_validator().iter_errors(located.data))
    # A field that does not belong on a step at all needs no word on its type or length.
    misplaced = {tuple(e.absolute_path) for e in errors if e.validator == "not"}
    for error in errors:
        if error.validator == "not" or tuple(error.absolute_path) not in misplaced:
            found.extend(_from_schema_error(error, located, file))
    return found


def label_of(path: Path) -> str:
    """What the field at ``path`` is called, for messages: "time limit", "step", "the file"."""
    if not path:
        return _("the file")
    last = path[-1]
    if isinstance(last, int):
        parent = path[-2] if len(path) > 1 else ""
        return str(ENTRY_LABELS.get(parent, _("entry")))
    return str(LABELS.get(last, last))


def shown(value: Any) -> str:
    """A value as the person wrote it, shortened: "2.5", "\"abc\"", "nothing"."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _("a group of fields")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, date):
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _from_schema_error(
    error: ValidationError, located: Located, file: str
) -> Iterator[SubmissionError]:
    path = tuple(error.absolute_path)
    key = path[-1] if path and isinstance(path[-1], str) else ""
    value = error.instance
    line = located.line(path)
    label = label_of(path)
    validator = error.validator

    def at(message: str, where: Path = path, line: int | None = line) -> SubmissionError:
        return SubmissionError(file, line, field_name(where), message)

    if validator == "required":
        in_item = (len(path) == 2 and path[0] == "items") or (path[-1:] == ("agency",))
        is_step = len(path) >= 2 and path[-2] == "steps"
        for missing in error.validator_value:
            if not isinstance(value, dict) or missing in value:
                continue
            wanted = str(LABELS.get(missing, missing))
            if is_step and missing in COMPLAINT_ONLY:
                message = _(
                    "the complaint step needs %(key)s (%(label)s)", key=missing, label=wanted
                )
            elif in_item:
                message = _("missing element: %(key)s (%(label)s)", key=missing, label=wanted)
            else:
                message = _("missing field: %(key)s (%(label)s)", key=missing, label=wanted)
            yield at(message, (*path, missing))
    elif validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for extra in value:
            if extra in known:
                continue
            close = difflib.get_close_matches(extra, known, n=1, cutoff=0.6)
            message = (
                _(
                    "unknown field %(key)s: did you mean %(suggestion)s?",
                    key=extra,
                    suggestion=close[0],
                )
                if close
                else _("unknown field %(key)s", key=extra)
            )
            yield at(message, (*path, extra), located.key_line((*path, extra)))
    elif validator == "not":
        if key in COMPLAINT_ONLY:
            message = _("%(key)s belongs only on the complaint step", key=key)
        else:
            message = _("%(key)s belongs only on the acceptance step", key=key)
        yield at(message, line=located.key_line(path))
    elif validator == "type":
        yield at(_type_message(error.validator_value, key, label, value, path))
    elif validator == "const":
        yield at(
            _(
                "format must be %(expected)s (got %(value)s): this is not a Kaimen submission "
                "file, or one of another version",
                expected=error.validator_value,
                value=shown(value),
            )
        )
    elif validator == "enum" and key == "kind":
        kinds = ", ".join(f"{kind.value} ({kind.label})" for kind in StepKind)
        yield at(
            _(
                "unknown step kind %(value)s: the kinds are %(kinds)s",
                value=shown(value),
                kinds=kinds,
            )
        )
    elif validator == "enum":
        yield at(
            _(
                "unknown %(label)s %(value)s: use one of %(options)s",
                label=label,
                value=shown(value),
                options=", ".join(str(option) for option in error.validator_value),
            )
        )
    elif validator == "pattern":
        yield at(_pattern_message(error.validator_value, key, label, value))
    elif validator == "minLength":
        yield at(_("%(label)s is too short (got %(value)s)", label=label, value=shown(value)))
    elif validator == "maxLength":
        yield at(
            _(
                "%(label)s is too long: %(length)d characters, at most %(limit)d",
                label=label,
                length=len(value),
                limit=error.validator_value,
            )
        )
    elif validator in ("minimum", "maximum") and key not in DAY_FIELDS:
        yield at(
            _(
                "%(label)s must be a whole number from %(min)d to %(max)d (got %(value)s)",
                label=label,
                min=error.schema.get("minimum", 0),
                max=error.schema.get("maximum", 0),
                value=shown(value),
            )
        )
    elif validator == "minimum":
        if key == "statutory_limit_days":
            message = _(
                "the statutory time limit must be at least 1 working day (got %(value)s)",
                value=shown(value),
            )
        elif key == "total_time_limit":
            message = _(
                "the total time limit must be at least 1 working day (got %(value)s)",
                value=shown(value),
            )
        else:
            message = _("a time limit cannot be negative (got %(value)s)", value=shown(value))
        yield at(message)
    elif validator == "maximum":
        yield at(
            _(
                "%(label)s is too long a time: at most %(limit)d working days (got %(value)s)",
                label=label,
                limit=error.validator_value,
                value=shown(value),
            )
        )
    elif validator == "contains":
        kind = StepKind(error.validator_value["properties"]["kind"]["const"])
        yield at(
            _(
                "the procedure has no %(kind)s step (%(label)s): a published item needs the "
                "acceptance and complaint steps; add it, or make the item a draft "
                "(published: false)",
                kind=kind.value,
                label=kind.label,
            ),
            line=located.key_line(path),
        )
    else:  # a rule added to the schema without a message of its own yet
        yield at(_("invalid value: %(detail)s", detail=error.message))


def _type_message(expected: str | list[str], key: str, label: str, value: Any, path: Path) -> str:
    got = shown(value)
    if expected == "integer":
        if key in DAY_FIELDS:
            return _(
                "a time limit must be a whole number of working days (got %(value)s)", value=got
            )
        return _("%(label)s must be a whole number (got %(value)s)", label=label, value=got)
    if expected == "string":
        if isinstance(value, bool | int | float):
            return _(
                "%(label)s must be text (got %(value)s): put it in quotes", label=label, value=got
            )
        return _("%(label)s must be text (got %(value)s)", label=label, value=got)
    if expected == ["string", "null"]:
        return _("%(label)s must be an email address (got %(value)s)", label=label, value=got)
    if expected == "number":
        return _("%(label)s must be a number (got %(value)s)", label=label, value=got)
    if expected == "boolean":
        return _("%(label)s must be true or false (got %(value)s)", label=label, value=got)
    if expected == "array":
        return _("%(label)s must be a list (got %(value)s)", label=label, value=got)
    if not path:
        return _(
            "The file must describe one department: a mapping with format, department, "
            "leaders, staff, positions and items."
        )
    return _("%(label)s must be a group of fields (got %(value)s)", label=label, value=got)


def _pattern_message(pattern: str, key: str, label: str, value: str) -> str:
    if pattern == r"\S":
        return _("%(label)s must not be empty", label=label)
    if key == "postcode":
        return _("a postcode has six digits (got %(value)s)", value=shown(value))
    if key == "key":  # a form field's key (the online section)
        return _(
            "the key %(value)s is not valid: use up to 40 lower-case letters, digits and "
            "underscores, starting with a letter (such as applicant_name)",
            value=shown(value),
        )
    longest = re.search(r"\{0,(\d+)\}", pattern)
    return _(
        "%(label)s %(value)s is not a valid code: use up to %(limit)d letters, digits, dots, "
        "hyphens and underscores, starting with a letter or digit",
        label=label,
        value=shown(value),
        limit=int(longest.group(1)) + 1 if longest else 0,
    )
