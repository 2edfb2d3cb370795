"""Identity numbers: the resident ID number (GB 11643-1999) and the unified social credit code
(GB 32100-2015) — normalising, validating and masking. Pure functions, no Flask.

* Resident ID number (公民身份号码), 18 characters: a 6-digit region code (the first two digits a
  province code), the birth date ``YYYYMMDD``, a 3-digit sequence and a check character computed
  with ISO 7064 MOD 11-2 (``X`` stands for 10).
* Unified social credit code (统一社会信用代码), 18 characters from ``0-9A-Z`` without
  ``I O Z S V``: the registration department, the organisation type, a 6-digit region code, a
  9-character organisation code and a check character (GB 32100 weights, mod 31).

Input is normalised first (:func:`normalise`): NFKC turns full-width digits and letters into
ASCII, spaces anywhere are dropped, letters are upper-cased. Validation raises
:class:`IdentityNumberError` whose ``reason`` is one of the ``REASON_*`` constants, so that the
caller can say what is wrong in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

LENGTH = 18

REASON_EMPTY = "empty"
REASON_LENGTH = "length"
REASON_CHARACTERS = "characters"
REASON_REGION = "region"
REASON_BIRTH_DATE = "birth_date"
REASON_CHECK = "check"

# The province-level codes of GB/T 2260 (the first two digits of a region code), plus 71 台湾,
# 81 香港, 82 澳门 and 83 (residence permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)
_ID_SHAPE = re.compile(r"\d{17}[\dX]")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_CREDIT_VALUES = {char: value for value, char in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_SPACES = re.compile(r"\s+")


class IdentityNumberError(ValueError):
    """The number is not valid; ``reason`` says why (one of the ``REASON_*`` constants)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(value: str | None) -> str:
    """Full-width to ASCII (NFKC), spaces removed, upper case: ``'３３０１ ０６x'`` → ``'330106X'``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or "")).upper()


# --- resident ID number (GB 11643-1999) -----------------------------------------------------


def id_check_character(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdentityNumberError(REASON_CHARACTERS)
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def birth_date(number: str) -> date:
    """The birth date in a (normalised) ID number; IdentityNumberError if it is no real date."""
    try:
        return datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError as error:
        raise IdentityNumberError(REASON_BIRTH_DATE) from error


def validate_id_number(value: str | None, *, today: date | None = None) -> str:
    """The normalised ID number, or IdentityNumberError (length, characters, region, birth date,
    check digit — in that order). ``today`` (Asia/Shanghai by default) bounds the birth date."""
    number = normalise(value)
    if not number:
        raise IdentityNumberError(REASON_EMPTY)
    if len(number) != LENGTH:
        raise IdentityNumberError(REASON_LENGTH)
    if not number.isascii() or not _ID_SHAPE.fullmatch(number):
        raise IdentityNumberError(REASON_CHARACTERS)
    if number[:2] not in PROVINCE_CODES:
        raise IdentityNumberError(REASON_REGION)
    born = birth_date(number)
    if born > (today or datetime.now(_SHANGHAI).date()):
        raise IdentityNumberError(REASON_BIRTH_DATE)
    if id_check_character(number[:17]) != number[17]:
        raise IdentityNumberError(REASON_CHECK)
    return number


def is_valid_id_number(value: str | None, *, today: date | None = None) -> bool:
    try:
        validate_id_number(value, today=today)
    except IdentityNumberError:
        return False
    return True


# --- unified social credit code (GB 32100-2015) ---------------------------------------------


def credit_check_character(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(char not in _CREDIT_VALUES for char in first17):
        raise IdentityNumberError(REASON_CHARACTERS)
    total = sum(
        _CREDIT_VALUES[char] * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str | None) -> str:
    """The normalised credit code, or IdentityNumberError (length, characters, check)."""
    code = normalise(value)
    if not code:
        raise IdentityNumberError(REASON_EMPTY)
    if len(code) != LENGTH:
        raise IdentityNumberError(REASON_LENGTH)
    if any(char not in _CREDIT_VALUES for char in code):
        raise IdentityNumberError(REASON_CHARACTERS)
    if credit_check_character(code[:17]) != code[17]:
        raise IdentityNumberError(REASON_CHECK)
    return code


def is_valid_credit_code(value: str | None) -> bool:
    try:
        validate_credit_code(value)
    except IdentityNumberError:
        return False
    return True


# --- masking ----------------------------------------------------------------------------------


def mask(number: str) -> str:
    """First four and last four characters, stars between: ``3301**********1234``."""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_last4(last4: str, length: int = LENGTH) -> str:
    """A mask from the stored last four characters alone (nothing decrypted):
    ``**************1234``."""
    return f"{'*' * (length - len(last4))}{last4}"


# --- phone numbers (for the SMS code) ---------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")


def normalise_phone(value: str | None) -> str:
    """A mainland mobile number as 11 digits: full-width, spaces, dashes and ``+86`` removed."""
    phone = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def is_mobile_phone(phone: str) -> bool:
    """An 11-digit mainland mobile number (``1`` then ``3``-``9``), after :func:`normalise_phone`."""
    return bool(phone.isascii() and _MOBILE.fullmatch(phone))


def mask_phone(phone: str) -> str:
    """``138****0000``."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
