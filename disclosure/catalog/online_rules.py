"""The rules of an item's online offer (网上申报) that both the submission format and the web
editor apply: which limits belong to which type of field, what a material may accept.

Each check takes plain values (as the model names them) and returns ``(attribute, message)``
pairs, so that the importer can put a message on its line and the editor beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext as _

from disclosure.catalog.online_models import FieldType

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_MAX = 40
# Free text: the only types that take limits on their length.
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.ADDRESS})
NUMBER_TYPES = frozenset({FieldType.NUMBER})
# Kinds of file a material may accept, by content (as portal.uploads sniffs them).
FILE_TYPES = ("pdf", "doc", "docx", "jpg", "png")
MB = 1024 * 1024
MAX_MB = 100
DEFAULT_MB = 5
LENGTH_MAX = 100_000
CHOICE_MAX = 100


def key_problem(key: str) -> str | None:
    if not KEY_PATTERN.match(key) or len(key) > KEY_MAX:
        return _(
            "the key %(key)s is not valid: use up to %(limit)d lower-case letters, digits and "
            "underscores, starting with a letter (such as applicant_name)",
            key=key,
            limit=KEY_MAX,
        )
    return None


def field_problems(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """What is wrong with one form field: limits or choices that do not fit its type.

    ``values`` has ``type`` (a FieldType), ``min_length``, ``max_length``, ``min_value``,
    ``max_value`` (None when absent) and ``choices`` (a list of text).
    """
    kind = values["type"]
    for name in ("min_length", "max_length"):
        if values.get(name) is not None and kind not in TEXT_TYPES:
            yield (
                name,
                _(
                    "a limit on the length belongs only on a text field (text, long_text, "
                    "address), not on a %(type)s field",
                    type=kind.value,
                ),
            )
    for name in ("min_value", "max_value"):
        if values.get(name) is not None and kind not in NUMBER_TYPES:
            yield (
                name,
                _(
                    "a smallest or largest value belongs only on a number field, not on a "
                    "%(type)s field",
                    type=kind.value,
                ),
            )
    for name in ("min_length", "max_length"):
        value = values.get(name)
        if value is not None and not 0 <= value <= LENGTH_MAX:
            yield (
                name,
                _(
                    "a length must be a whole number from 0 to %(max)d (got %(value)s)",
                    max=LENGTH_MAX,
                    value=value,
                ),
            )
    low, high = values.get("min_length"), values.get("max_length")
    if low is not None and high is not None and low > high:
        yield (
            "max_length",
            _(
                "the longest length (%(max)s) is smaller than the shortest (%(min)s)",
                max=high,
                min=low,
            ),
        )
    if high == 0:
        yield ("max_length", _("the longest length must be at least 1"))
    low, high = values.get("min_value"), values.get("max_value")
    if low is not None and high is not None and low > high:
        yield (
            "max_value",
            _(
                "the largest value (%(max)s) is smaller than the smallest (%(min)s)",
                max=_number(high),
                min=_number(low),
            ),
        )
    choices = values.get("choices") or []
    if kind == FieldType.CHOICE:
        if not choices:
            yield ("choices", _("a choice field needs its choices: list at least one"))
        seen: set[str] = set()
        for choice in choices:
            if choice in seen:
                yield ("choices", _("the choice %(choice)s is listed twice", choice=choice))
            seen.add(choice)
        if len(choices) > CHOICE_MAX:
            yield ("choices", _("at most %(max)d choices", max=CHOICE_MAX))
    elif choices:
        yield (
            "choices",
            _("choices belong only on a choice field, not on a %(type)s field", type=kind.value),
        )


def material_problems(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """What is wrong with one material: its accepted types and its size limit (in MB)."""
    types = values.get("accepted_types") or []
    if not types:
        yield ("accepted_types", _("choose at least one accepted type of file"))
    for kind in types:
        if kind not in FILE_TYPES:
            yield (
                "accepted_types",
                _(
                    "unknown type of file %(type)s: the types are %(types)s",
                    type=kind,
                    types=", ".join(FILE_TYPES),
                ),
            )
    if len(set(types)) != len(types):
        yield ("accepted_types", _("a type of file is listed twice"))
    size = values.get("max_mb")
    if size is not None and not 1 <= size <= MAX_MB:
        yield (
            "max_mb",
            _(
                "the size limit must be a whole number of MB from 1 to %(max)d (got %(value)s)",
                max=MAX_MB,
                value=size,
            ),
        )


def offer_problems(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The limits of the offer itself: the promised limit may not exceed the statutory one."""
    statutory, promised = values.get("statutory_limit_days"), values.get("promised_limit_days")
    if statutory is not None and promised is not None and promised > statutory:
        yield (
            "promised_limit_days",
            _(
                "the promised time limit (%(promised)d working days) is longer than the "
                "statutory one (%(statutory)d)",
                promised=promised,
                statutory=statutory,
            ),
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def plain_number(value: float | None) -> int | float | None:
    """A stored limit as it is written: 5 rather than 5.0."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def template_form(forms, name: str | None):
    """The item's form that ``name`` names: by file name first, then by title (the first)."""
    if not name:
        return None
    ordered = sorted(forms, key=lambda form: (form.sort_order, form.id or 0))
    for form in ordered:
        if form.filename == name:
            return form
    return next((form for form in ordered if form.title == name), None)


def template_name(forms, form) -> str | None:
    """How the file names a template: its title when the title finds it, else its file name."""
    if form is None:
        return None
    return form.title if template_form(forms, form.title) is form else form.filename
