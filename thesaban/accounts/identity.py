"""Thai identifiers: national ID (checksum, keyed hash) and mobile numbers."""

import hashlib
import hmac
import re

from django.conf import settings

_NON_DIGITS = re.compile(r"\D")
_THAI_MOBILE = re.compile(r"^0[689]\d{8}$")


def national_id_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def national_id_is_valid(value: str) -> bool:
    """13 digits whose last is the mod-11 check digit over the first 12 (weights 13..2)."""
    digits = national_id_digits(value)
    if len(digits) != 13 or digits[0] == "0":
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def national_id_hash(value: str) -> str:
    """HMAC-SHA256 under a server key: equal IDs match, the number cannot be read back."""
    key = settings.NATIONAL_ID_HASH_KEY.encode()
    return hmac.new(key, national_id_digits(value).encode(), hashlib.sha256).hexdigest()


def normalize_thai_mobile(value: str) -> str | None:
    """`081-234-5678`, `+66 81 234 5678` and `0812345678` all become `0812345678`."""
    digits = _NON_DIGITS.sub("", value or "")
    if digits.startswith("66") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _THAI_MOBILE.match(digits) else None


def looks_like_phone(value: str) -> bool:
    return "@" not in (value or "") and bool(
        re.search(r"\d{6,}", _NON_DIGITS.sub("", value or "") or "")
    )
