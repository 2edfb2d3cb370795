"""Check a submission file against the published schema and the rules the schema cannot express.

Every error names the line and the field (``items[3].steps[1].time_limit``) and says in plain
language what is wrong; nothing here touches the database. The schema and the wording of its
errors are in ``submission_schema``; the names other modules import from here stay here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from disclosure.catalog.models import STEP_LABELS, StepKind
from disclosure.catalog.submission_online import online_rule_errors
from disclosure.catalog.submission_parse import Located, Path
from disclosure.catalog.submission_schema import (
    FORMAT,
    SubmissionError,
    field_name,
    label_of,
    schema_errors,
    shown,
)
from portal.editing import MIN_PHONE

__all__ = [
    "FORMAT",
    "SubmissionError",
    "entries",
    "field_name",
    "shown",
    "text_of",
    "validate",
]


def validate(located: Located, file: str) -> list[SubmissionError]:
    """All errors of the file on its own (the database is checked by the importer)."""
    found: list[SubmissionError] = [
        SubmissionError(file, problem.line, field_name(problem.path), problem.message)
        for problem in located.problems
    ]
    found.extend(schema_errors(located, file))
    found.extend(_rule_errors(located, file))
    found.extend(online_rule_errors(located, file))
    return sorted(set(found), key=lambda error: error.sort_key)


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
                _(
                    "%(label)s is too short (got %(value)s)",
                    label=label_of(path),
                    value=shown(value),
                ),
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
