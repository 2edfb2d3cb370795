"""Checking an application's form values against the fields of its snapshot, type by type.

``clean_values(snapshot, raw, partial=...)`` returns the cleaned values (strings, numbers as
they were typed but checked, dates as ISO strings) or raises ``ApprovalError`` whose ``errors``
map each wrong field's key to its message. ID-card numbers and unified social credit codes have
their check digits verified (``approvals.identity_numbers``).
"""

from __future__ import annotations

import math
import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import gettext as _

from approvals import identity_numbers as numbers
from approvals import snapshot as spec
from approvals.errors import ApprovalError

TEXT_MAX = 200
LONG_TEXT_MAX = 5_000
ADDRESS_MAX = 300

_MOBILE = re.compile(r"1[3-9]\d{9}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# What no text field keeps: NUL (PostgreSQL refuses it in text), the other control characters
# but tab and newline, and lone surrogates (no UTF-8 for them).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def scrub(value) -> str:
    """User text as it may be stored: line ends as LF, control characters removed."""
    text = "" if value is None else str(value)
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


def label(field: dict) -> str:
    """The field's label in the reader's language (Chinese when there is no English one)."""
    locale = str(get_locale() or "zh")
    if locale.startswith("en") and field.get("label_en"):
        return field["label_en"]
    return field.get("label_zh") or field.get("key", "")


def help_text(field: dict) -> str:
    locale = str(get_locale() or "zh")
    if locale.startswith("en") and field.get("help_en"):
        return field["help_en"]
    return field.get("help_zh") or ""


_ID_REASONS = {
    numbers.REASON_LENGTH: lambda: _("An ID card number has 18 characters."),
    numbers.REASON_CHARACTERS: lambda: _("An ID card number has 17 digits and a last digit or X."),
    numbers.REASON_REGION: lambda: _("This ID card number does not start with a region code."),
    numbers.REASON_BIRTH_DATE: lambda: _("This ID card number does not hold a valid birth date."),
    numbers.REASON_CHECK: lambda: _(
        "This ID card number's check digit is wrong: please check every digit."
    ),
}

_CREDIT_REASONS = {
    numbers.REASON_LENGTH: lambda: _("A unified social credit code has 18 characters."),
    numbers.REASON_CHARACTERS: lambda: _(
        "A unified social credit code has digits and capital letters other than I, O, Z, S, V."
    ),
    numbers.REASON_CHECK: lambda: _(
        "This unified social credit code's check character is wrong: please check every character."
    ),
}


def _length(field: dict, value: str, default_max: int) -> str | None:
    minimum, maximum = field.get("min_length"), field.get("max_length") or default_max
    if minimum and len(value) < minimum:
        return _("At least %(min)d characters.", min=minimum)
    if maximum and len(value) > maximum:
        return _("At most %(max)d characters.", max=maximum)
    return None


def _check(field: dict, value: str) -> tuple[object, str | None]:
    """(the cleaned value, an error message or None) for one non-empty value."""
    kind = field.get("type", "text")
    if kind in {"text", "long_text", "address"}:
        default = {"text": TEXT_MAX, "long_text": LONG_TEXT_MAX, "address": ADDRESS_MAX}[kind]
        return value, _length(field, value, default)
    if kind == "number":
        compact = value.replace(",", "")
        if not _NUMBER.fullmatch(compact):  # float() also takes "1_000", "inf" and "nan"
            return value, _("Enter a number, such as 12 or 3.5.")
        number = float(compact)
        if not math.isfinite(number):
            return value, _("Enter a number, such as 12 or 3.5.")
        low, high = field.get("min_value"), field.get("max_value")
        if low is not None and number < low:
            return value, _("At least %(min)s.", min=f"{low:g}")
        if high is not None and number > high:
            return value, _("At most %(max)s.", max=f"{high:g}")
        return compact, None
    if kind == "date":
        try:
            if not _DATE.fullmatch(value):  # fromisoformat also takes "20261203", "2026-W49-4"
                raise ValueError(value)
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return value, _("Enter a date as YYYY-MM-DD, such as 2026-12-03.")
    if kind == "choice":
        if value not in (field.get("choices") or []):
            return value, _("Choose one of the options.")
        return value, None
    if kind == "id_card":
        try:
            return numbers.validate_id_number(value), None
        except numbers.IdentityNumberError as error:
            return value, _ID_REASONS.get(error.reason, _ID_REASONS[numbers.REASON_CHECK])()
    if kind == "credit_code":
        try:
            return numbers.validate_credit_code(value), None
        except numbers.IdentityNumberError as error:
            return value, _CREDIT_REASONS.get(error.reason, _CREDIT_REASONS[numbers.REASON_CHECK])()
    if kind == "phone":
        compact = re.sub(r"[\s()]", "", value)
        if compact.startswith("+86"):
            compact = compact[3:]
        if not (_MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact)):
            return value, _(
                "Enter a mobile number (11 digits) or a landline such as 0571-87654321."
            )
        return compact, None
    if kind == "email":
        try:
            return validate_email(value, check_deliverability=False).normalized, None
        except EmailNotValidError:
            return value, _("Enter a valid email address, such as name@example.com.")
    return value, _length(field, value, TEXT_MAX)


def clean_values(snapshot: dict, raw: dict, *, partial: bool = False) -> dict:
    """Every field of the snapshot, checked. With ``partial`` (a draft) empty required fields are
    allowed, but what is filled in must still be right. Unknown keys are dropped."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in spec.fields(snapshot):
        key = field["key"]
        value = raw.get(key)
        value = scrub(value).strip()
        if not value:
            if field.get("required") and not partial:
                errors[key] = _("%(label)s: fill this in.", label=label(field))
            cleaned[key] = ""
            continue
        value, problem = _check(field, value)
        cleaned[key] = value
        if problem:
            errors[key] = f"{label(field)}: {problem}"
    if errors:
        raise ApprovalError(
            _("Some fields need your attention: %(count)d.", count=len(errors)), errors
        )
    return cleaned
