"""Check a submission file against the published schema and the rules the schema cannot express.

Every error names the line and the field (``items[3].steps[1].time_limit``) and says in plain
language what is wrong; nothing here touches the database.
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

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator, ValidationError

from portal.catalog.models import STEP_LABELS, StepKind
from portal.catalog.submission_parse import Located, Path
from portal.editing import MIN_PHONE
from portal.resources import resource_dir

FORMAT = "kaimen-submission/1"
SCHEMA_FILE = "submission.schema.json"

DAY_FIELDS = {
    "total_time_limit",
    "time_limit",
    "consultation_time_limit",
    "notification_time_limit",
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
}
# What one entry of a list is.
ENTRY_LABELS = {
    "leaders": _l("leader"),
    "staff": _l("staff member"),
    "positions": _l("position"),
    "items": _l("approval item"),
    "steps": _l("step"),
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


def validate(located: Located, file: str) -> list[SubmissionError]:
    """All errors of the file on its own (the database is checked by the importer)."""
    found: list[SubmissionError] = [
        SubmissionError(file, problem.line, field_name(problem.path), problem.message)
        for problem in located.problems
    ]
    schema_errors = list(_validator().iter_errors(located.data))
    # A field that does not belong on a step at all needs no word on its type or length.
    misplaced = {tuple(e.absolute_path) for e in schema_errors if e.validator == "not"}
    for error in schema_errors:
        if error.validator == "not" or tuple(error.absolute_path) not in misplaced:
            found.extend(_from_schema_error(error, located, file))
    found.extend(_rule_errors(located, file))
    return sorted(set(found), key=lambda error: error.sort_key)


# --- schema errors in plain language -----------------------------------------------------------


def _label(path: Path) -> str:
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
    label = _label(path)
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
    elif validator == "enum":
        kinds = ", ".join(f"{kind.value} ({kind.label})" for kind in StepKind)
        yield at(
            _(
                "unknown step kind %(value)s: the kinds are %(kinds)s",
                value=shown(value),
                kinds=kinds,
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
        if key == "total_time_limit":
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
    longest = re.search(r"\{0,(\d+)\}", pattern)
    return _(
        "%(label)s %(value)s is not a valid code: use up to %(limit)d letters, digits, dots, "
        "hyphens and underscores, starting with a letter or digit",
        label=label,
        value=shown(value),
        limit=int(longest.group(1)) + 1 if longest else 0,
    )


# --- rules the schema cannot express ------------------------------------------------------------


def entries(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The well-formed entries of a list field, with their indexes; malformed ones are skipped."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def text_of(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _rule_errors(located: Located, file: str) -> list[SubmissionError]:
    found: list[SubmissionError] = []
    data = located.data

    def error(path: Path, message: str) -> None:
        found.append(SubmissionError(file, located.line(path), field_name(path), message))

    def check_email(path: Path, value: Any) -> None:
        if not isinstance(value, str):
            return  # the schema has said what is wrong
        try:
            validate_email(value.strip(), check_deliverability=False)
        except EmailNotValidError:
            error(path, _("not a valid email address: %(value)s", value=shown(value)))

    def check_phone(path: Path, value: Any) -> None:
        # The schema counts the characters as written; what is kept is trimmed, as in the editor.
        if isinstance(value, str) and len(value) >= MIN_PHONE > len(value.strip()):
            error(
                path,
                _("%(label)s is too short (got %(value)s)", label=_label(path), value=shown(value)),
            )

    def unique(section: str, key: str, normalise, twice) -> set[str]:
        first: dict[str, int] = {}
        for index, entry in entries(data, section):
            value = text_of(entry, key)
            if value is None:
                continue
            if normalise(value) in first:
                error((section, index, key), twice(value, first[normalise(value)]))
            else:
                first[normalise(value)] = located.line((section, index, key)) or 0
        return set(first)

    department = data.get("department") if isinstance(data, dict) else None
    if isinstance(department, dict) and "email" in department:
        check_email(("department", "email"), department["email"])
    for section in ("leaders", "staff"):
        for index, entry in entries(data, section):
            if "email" in entry:
                check_email((section, index, "email"), entry["email"])
            check_phone((section, index, "office_phone"), entry.get("office_phone"))
    if isinstance(department, dict):
        for key in ("public_phone", "supervision_phone"):
            check_phone(("department", key), department.get(key))
    for index, item in entries(data, "items"):
        agency = item.get("agency")
        if isinstance(agency, dict):
            check_phone(("items", index, "agency", "phone"), agency.get("phone"))
        for step_index, step in entries(item, "steps"):
            check_phone(("items", index, "steps", step_index, "phone"), step.get("phone"))

    unique(
        "leaders",
        "name",
        str,
        lambda value, line: _(
            "leader %(value)s is listed twice (first on line %(line)d)", value=value, line=line
        ),
    )
    staff = unique(
        "staff",
        "email",
        str.lower,
        lambda value, line: _(
            "staff member %(value)s is listed twice (first on line %(line)d)",
            value=value,
            line=line,
        ),
    )
    positions = unique(
        "positions",
        "code",
        str,
        lambda value, line: _(
            "position %(value)s is listed twice (first on line %(line)d)", value=value, line=line
        ),
    )
    unique(
        "items",
        "code",
        str,
        lambda value, line: _(
            "item code %(value)s is used twice (first on line %(line)d)", value=value, line=line
        ),
    )

    for index, entry in entries(data, "positions"):
        for role in ("holder", "deputy"):
            email = text_of(entry, role)
            if email is not None and email.lower() not in staff:
                error(
                    ("positions", index, role),
                    _("%(value)s is not among the staff in this file", value=email),
                )
        holder, deputy = text_of(entry, "holder"), text_of(entry, "deputy")
        if deputy and not holder:
            error(
                ("positions", index, "deputy"),
                _("a vacant position cannot have a deputy: name a holder first"),
            )
        if holder and deputy and holder.lower() == deputy.lower():
            error(
                ("positions", index, "deputy"),
                _("the deputy must be someone other than the holder"),
            )

    if isinstance(department, dict):
        code = text_of(department, "default_complaint_position")
        if code is not None and code not in positions:
            error(
                ("department", "default_complaint_position"),
                _(
                    "unknown position %(code)s: it is not among the positions in this file",
                    code=code,
                ),
            )

    for item_index, item in entries(data, "items"):
        found.extend(_step_errors(located, file, item_index, item, positions))
    return found


def _step_errors(
    located: Located, file: str, item_index: int, item: dict[str, Any], positions: set[str]
) -> Iterator[SubmissionError]:
    order = ", ".join(kind.value for kind in StepKind)
    seen: dict[StepKind, int] = {}
    latest: StepKind | None = None
    for index, step in entries(item, "steps"):
        path = ("items", item_index, "steps", index)
        code = text_of(step, "position")
        if code is not None and code not in positions:
            yield SubmissionError(
                file,
                located.line((*path, "position")),
                field_name((*path, "position")),
                _(
                    "unknown position %(code)s: it is not among the positions in this file",
                    code=code,
                ),
            )
        try:
            kind = StepKind(step.get("kind"))
        except ValueError:
            continue  # the schema has said so
        where = (*path, "kind")
        if kind in seen:
            yield SubmissionError(
                file,
                located.line(where),
                field_name(where),
                _(
                    "the procedure has two %(kind)s steps (%(label)s; the first on line %(line)d)",
                    kind=kind.value,
                    label=STEP_LABELS[kind],
                    line=seen[kind],
                ),
            )
            continue
        seen[kind] = located.line(where) or 0
        if latest is not None and kind.order < latest.order:
            yield SubmissionError(
                file,
                located.line(where),
                field_name(where),
                _(
                    "step %(kind)s is out of order: it must come before %(previous)s; the order "
                    "is %(order)s",
                    kind=kind.value,
                    previous=latest.value,
                    order=order,
                ),
            )
        else:
            latest = kind
