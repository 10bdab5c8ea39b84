"""Thai national ID checksum and keyed hash; Thai mobile numbers."""

import hashlib
import hmac

import pytest

from thesaban.accounts import identity

# Computed by hand: check digit = (11 - Σ digit_i × (13 - i) mod 11) mod 10 over the first 12.
VALID_IDS = ["1101700230716", "3101500123459", "1234567890121", "5000000000001", "1100200047008"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_national_ids(number):
    assert identity.national_id_is_valid(number)


def test_check_digit_by_hand():
    # 1×13 + 2×12 + 3×11 + 4×10 + 5×9 + 6×8 + 7×7 + 8×6 + 9×5 + 0×4 + 1×3 + 2×2 = 352 = 32 × 11,
    # so (11 - 0) mod 10 = 1.
    assert identity.national_id_is_valid("1234567890121")
    for wrong in "023456789":
        assert not identity.national_id_is_valid("123456789012" + wrong)


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_other_check_digit_is_refused(number):
    for digit in "0123456789":
        if digit != number[-1]:
            assert not identity.national_id_is_valid(number[:-1] + digit)


@pytest.mark.parametrize(
    "formatted", ["1-2345-67890-12-1", "1 2345 67890 12 1", " 1234567890121 ", "1-234567890121"]
)
def test_dashes_and_spaces_are_accepted(formatted):
    assert identity.national_id_is_valid(formatted)
    assert identity.national_id_digits(formatted) == "1234567890121"


@pytest.mark.parametrize(
    "number",
    [
        "",
        "123456789012",  # 12 digits
        "12345678901210",  # 14 digits
        "0234567890121",  # may not start with 0 (its correct check digit would be 1 too)
        "abcdefghijklm",
        None,
    ],
)
def test_wrong_length_or_leading_zero_is_invalid(number):
    assert not identity.national_id_is_valid(number)


def test_leading_zero_is_refused_even_with_a_correct_check_digit():
    body = "023456789012"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(body)) % 11) % 10
    assert not identity.national_id_is_valid(body + str(check))


def test_hash_is_a_keyed_hmac_of_the_digits(settings):
    settings.NATIONAL_ID_HASH_KEY = "key-one"
    expected = hmac.new(b"key-one", b"1234567890121", hashlib.sha256).hexdigest()
    assert identity.national_id_hash("1-2345-67890-12-1") == expected
    assert identity.national_id_hash("1234567890121") == expected
    # Not an unkeyed digest that anyone could recompute from the 13-digit space.
    assert expected != hashlib.sha256(b"1234567890121").hexdigest()
    assert "1234567890121" not in expected
    settings.NATIONAL_ID_HASH_KEY = "key-two"
    assert identity.national_id_hash("1234567890121") != expected


@pytest.mark.parametrize(
    "spelling",
    [
        "081-234-5678",
        "0812345678",
        "+66812345678",
        "+66 81 234 5678",
        "66812345678",
        "081 234 5678",
    ],
)
def test_thai_mobile_spellings_normalise(spelling):
    assert identity.normalize_thai_mobile(spelling) == "0812345678"


@pytest.mark.parametrize(
    "spelling",
    ["02-123-4567", "081234567", "08123456789", "0712345678", "+1 415 555 0100", "", None, "hello"],
)
def test_not_thai_mobile_numbers(spelling):
    assert identity.normalize_thai_mobile(spelling) is None


def test_looks_like_phone():
    assert identity.looks_like_phone("081-234-5678")
    assert not identity.looks_like_phone("someone@example.org")
    assert not identity.looks_like_phone("abc")
