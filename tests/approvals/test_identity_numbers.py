"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015): check
characters, every class of wrong input, normalisation and masking. Pure: no app, no database."""

from __future__ import annotations

from datetime import date

import pytest

from approvals import identity_numbers as n

TODAY = date(2026, 12, 3)

# Computed by hand from the standards' weights (and the published examples of GB 11643 / 32100).
VALID_IDS = [
    "11010519491231002X",  # GB 11643's own example: check 10 → X
    "330106198507150013",
    "440304199912310023",
    "110101198001010010",
]
VALID_CODES = [
    "91350100M000100Y43",  # GB 32100's example
    "91330100799655058B",
    "9144030071526726XG",
    "91330106MA2B00001Y",
]


def test_the_id_weights_are_the_standards():
    assert n._ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers(number):
    assert n.validate_id_number(number, today=TODAY) == number
    assert n.id_check_character(number[:17]) == number[17]


def test_check_character_by_hand():
    # 3·7+3·9+0·10+1·5+0·8+6·4+1·2+9·1+8·6+5·3+0·7+7·9+1·10+5·5+0·8+0·4+1·2 = 251; 251 mod 11 = 9
    # → "10X98765432"[9] = "3"
    assert n.id_check_character("33010619850715001") == "3"


def test_lower_case_x_is_accepted():
    assert n.validate_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_full_width_and_spaces_are_accepted_after_normalisation():
    assert (
        n.validate_id_number("１１０１０５ １９４９１２３１ ００２ｘ", today=TODAY)
        == "11010519491231002X"
    )
    assert n.validate_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"
    assert n.normalise("\u3000ab\tc ") == "ABC"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", n.REASON_EMPTY),
        ("   ", n.REASON_EMPTY),
        ("11010519491231002", n.REASON_LENGTH),  # 17
        ("11010519491231002X1", n.REASON_LENGTH),  # 19
        ("110105194912310", n.REASON_LENGTH),  # 15 (the old format is not accepted)
        ("1101051949123100AX", n.REASON_CHARACTERS),  # a letter inside
        ("X10105194912310021", n.REASON_CHARACTERS),
        ("11010519491231002Y", n.REASON_CHARACTERS),  # only X may end it
        ("110105-94912310021", n.REASON_CHARACTERS),
        ("000105194912310020", n.REASON_REGION),
        ("991231199001010011", n.REASON_REGION),
        ("110105194902300020", n.REASON_BIRTH_DATE),  # 30 February
        ("110105194913010020", n.REASON_BIRTH_DATE),  # month 13
        ("110105203001010020", n.REASON_BIRTH_DATE),  # in the future
        ("110105194912310021", n.REASON_CHECK),  # X expected
        ("330106198507150014", n.REASON_CHECK),
    ],
)
def test_wrong_id_numbers(number, reason):
    with pytest.raises(n.IdentityNumberError) as error:
        n.validate_id_number(number, today=TODAY)
    assert error.value.reason == reason
    assert not n.is_valid_id_number(number, today=TODAY)


def test_a_birth_date_today_is_fine_and_tomorrow_is_not():
    first17 = "11010520261203001"
    number = first17 + n.id_check_character(first17)
    assert n.validate_id_number(number, today=TODAY) == number
    with pytest.raises(n.IdentityNumberError):
        n.validate_id_number(number, today=date(2026, 12, 2))


def test_a_leap_day_is_a_real_date():
    first17 = "11010520000229001"
    assert n.is_valid_id_number(first17 + n.id_check_character(first17), today=TODAY)
    first17 = "11010519000229001"  # 1900 was no leap year
    assert not n.is_valid_id_number(first17 + n.id_check_character(first17), today=TODAY)


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes(code):
    assert n.validate_credit_code(code) == code
    assert n.credit_check_character(code[:17]) == code[17]


def test_the_credit_check_wraps_31_to_0():
    # Find a body whose weighted sum is a multiple of 31: its check character is "0".
    for last in n.CREDIT_ALPHABET:
        body = "9133010600000000" + last
        total = sum(
            n.CREDIT_ALPHABET.index(c) * w for c, w in zip(body, n._CREDIT_WEIGHTS, strict=True)
        )
        if total % 31 == 0:
            assert n.credit_check_character(body) == "0"
            assert n.is_valid_credit_code(body + "0")
            break
    else:  # pragma: no cover - 31 candidates cover every residue
        pytest.fail("no body with a sum divisible by 31")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_codes_never_hold_i_o_z_s_v(letter):
    code = "91350100M000100Y43"
    bad = code[:8] + letter + code[9:]
    with pytest.raises(n.IdentityNumberError) as error:
        n.validate_credit_code(bad)
    assert error.value.reason == n.REASON_CHARACTERS
    with pytest.raises(n.IdentityNumberError):
        n.credit_check_character(bad[:17])


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", n.REASON_EMPTY),
        ("91350100M000100Y4", n.REASON_LENGTH),
        ("91350100M000100Y431", n.REASON_LENGTH),
        ("91350100M000100Y4!", n.REASON_CHARACTERS),
        ("91350100M000100Y44", n.REASON_CHECK),
        ("91350100M000100Y34", n.REASON_CHECK),  # two characters swapped
    ],
)
def test_wrong_credit_codes(code, reason):
    with pytest.raises(n.IdentityNumberError) as error:
        n.validate_credit_code(code)
    assert error.value.reason == reason


def test_masking():
    assert n.mask("330106198507151234") == "3301**********1234"
    assert n.mask("91350100M000100Y43") == "9135**********0Y43"
    assert n.mask("1234") == "****"
    assert n.mask_last4("1234") == "**************1234"


def test_phone_numbers():
    assert n.normalise_phone("+86 138-0000-0000") == "13800000000"
    assert n.normalise_phone("１３８００００００００") == "13800000000"
    assert n.is_mobile_phone("13800000000")
    assert not n.is_mobile_phone("12800000000")
    assert not n.is_mobile_phone("1380000000")
    assert not n.is_mobile_phone("057187654321")
    assert n.mask_phone("13800000000") == "138****0000"
