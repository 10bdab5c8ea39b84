"""Canonical JSON: the one byte string a leaf's content has.

Keys sorted, no insignificant white space (`","` and `":"`), UTF-8 with non-ASCII characters
written as themselves (`ensure_ascii=False`). Values are limited to what serialises the same
way in every language: strings, integers, booleans, null, lists and objects with string keys.
Floats are refused (their decimal form differs between languages); a `Decimal` becomes its
string (`Decimal("1500.50")` → `"1500.50"`), a `datetime` its ISO 8601 form in UTC ending in
`Z`, a `date` `YYYY-MM-DD`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

# Keys that would put personal data into a public, permanent log (PDPA). A leaf is refused if
# any key contains one of these words; record types name their public fields otherwise.
PERSONAL_KEY_WORDS = (
    "email",
    "e_mail",
    "phone",
    "mobile",
    "national_id",
    "citizen_id",
    "line_user",
    "reporter",
    "password",
    "address",
)


class LeafError(ValueError):
    """A leaf that cannot be written: a value without a canonical form, or a personal field."""


def _normalise(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise LeafError(f"{path}: floats have no canonical form; use a Decimal or a string")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise LeafError(f"{path}: {value} is not a finite number")
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise LeafError(f"{path}: naive datetime; give it a time zone")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise LeafError(f"{path}: key {key!r} is not a string")
            lowered = key.lower()
            if any(word in lowered for word in PERSONAL_KEY_WORDS):
                raise LeafError(f"{path}.{key}: looks like personal data; leaves are public")
            result[key] = _normalise(item, f"{path}.{key}")
        return result
    if isinstance(value, list | tuple):
        return [_normalise(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise LeafError(f"{path}: {type(value).__name__} has no canonical JSON form")


def canonical_json(value: dict[str, Any]) -> str:
    """The canonical JSON text of `value` (see the module's docstring)."""
    if not isinstance(value, dict):
        raise LeafError("a leaf is a JSON object")
    return json.dumps(
        _normalise(value, "leaf"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
