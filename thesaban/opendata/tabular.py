"""Reading CSV and XLSX files into rows, and the column rules every import shares.

Each import describes its columns (`Column`: key, accepted Thai and English headers, parser).
`read_rows` finds the header row, maps headers to keys, and yields `(row_number, {key: raw})`
where `row_number` is the row as a spreadsheet program numbers it. Parsers raise `CellError`
with an English msgid; `ErrorList` keeps every error with its Thai and English text, so a file
with any error can be refused as a whole with the full list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from thesaban.core.dates import BUDDHIST_ERA_OFFSET

MAX_ERRORS = 1000  # a file this broken is the wrong file; the list stops growing here


class CellError(Exception):
    """A value that cannot be used: `message` is an English msgid, `params` fill it."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def _both(message: str, params: dict[str, Any]) -> dict[str, str]:
    texts = {}
    for language in ("th", "en"):
        with translation.override(language):
            texts[language] = gettext(message) % params if params else gettext(message)
    return texts


@dataclass
class ErrorList:
    items: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    def add(self, row: int, column: str, message: str, /, **params: Any) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.truncated = True
            return
        self.items.append({"row": row, "column": column, **_both(message, params)})

    def add_error(self, row: int, column: str, error: CellError) -> None:
        self.add(row, column, error.message, **error.params)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # accepted header texts, Thai and English; compared normalised
    parse: Callable[[Any], Any]
    required: bool = True

    @property
    def label(self) -> str:
        """The Thai and English names, as the error list shows them."""
        return (
            f"{self.headers[0]} / {self.headers[1]}" if len(self.headers) > 1 else self.headers[0]
        )


def normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    text = re.sub(r"[\s_\-]+", " ", text)
    return text.strip(" .:*")


def clean_text(value: Any) -> str:
    """Cell text as stored: NFC, trimmed, inner runs of white space made one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s+", " ", text).strip()


# -- parsers -----------------------------------------------------------------------------------


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise CellError(gettext_noop("This cell is empty."))
        if len(cleaned) > max_length:
            raise CellError(gettext_noop("Longer than %(limit)s characters."), limit=max_length)
        return cleaned

    return parse


def optional_text(max_length: int) -> Callable[[Any], str]:
    required = text(max_length)

    def parse(value: Any) -> str:
        return required(value) if clean_text(value) else ""

    return parse


def amount(value: Any) -> Decimal:
    """Baht with at most two decimals, written `1234567.50`, `1,234,567.50` or as a number cell."""
    if isinstance(value, bool):
        raise CellError(gettext_noop("Not an amount of money: %(value)s."), value=value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        cleaned = re.sub(r"\s*(บาท|thb|baht|฿)$", "", clean_text(value), flags=re.IGNORECASE)
        if not cleaned:
            raise CellError(gettext_noop("This cell is empty."))
        # Thousands separated by commas in groups of three ("1,234,567.50") or none at all;
        # "1 234,50" (a European decimal comma) is refused rather than read as 123450.
        if not re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", cleaned):
            raise CellError(
                gettext_noop("Not an amount of money: %(value)s."), value=clean_text(value)
            )
        try:
            number = Decimal(cleaned.replace(",", ""))
        except InvalidOperation:
            raise CellError(
                gettext_noop("Not an amount of money: %(value)s."), value=clean_text(value)
            ) from None
    if not number.is_finite():
        raise CellError(gettext_noop("Not an amount of money: %(value)s."), value=value)
    if number < 0:
        raise CellError(gettext_noop("The amount must not be negative."))
    if number != number.quantize(Decimal("0.01")):
        raise CellError(gettext_noop("At most two decimal places (satang)."))
    if number >= Decimal("1e14"):
        raise CellError(gettext_noop("The amount is too large."))
    return number.quantize(Decimal("0.01"))


def fiscal_year(value: Any) -> int:
    cleaned = clean_text(value)
    if not cleaned:
        raise CellError(gettext_noop("This cell is empty."))
    if not re.fullmatch(r"\d{4}", cleaned):
        raise CellError(
            gettext_noop("Not a fiscal year: %(value)s. Write the Buddhist-era year, e.g. 2568."),
            value=cleaned,
        )
    year = int(cleaned)
    if 1900 <= year <= 2200:
        raise CellError(
            gettext_noop(
                "%(value)s looks like a Christian-era year; write the Buddhist-era year (%(be)s)."
            ),
            value=year,
            be=year + BUDDHIST_ERA_OFFSET,
        )
    if not 2400 <= year <= 2800:
        raise CellError(
            gettext_noop("Not a fiscal year: %(value)s. Write the Buddhist-era year, e.g. 2568."),
            value=cleaned,
        )
    return year


def date(value: Any) -> dt.date:
    """A date as a date cell, `2568-03-15`, `2025-03-15` or `15/3/2568` (day first, B.E. or C.E.)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    cleaned = clean_text(value)
    if not cleaned:
        raise CellError(gettext_noop("This cell is empty."))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", cleaned)
        if not match:
            raise CellError(
                gettext_noop("Not a date: %(value)s. Write e.g. 15/03/2568 or 2025-03-15."),
                value=cleaned,
            )
        day, month, year = (int(g) for g in match.groups())
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(gettext_noop("No such date: %(value)s."), value=cleaned) from None


def optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_optional(value: Any) -> Any:
        return parse(value) if clean_text(value) else None

    return parse_optional


def choice(mapping: dict[str, str], what: str) -> Callable[[Any], str]:
    """A value written as its code, its Thai name or its English name (any case)."""
    lookup = {normalise_header(k): v for k, v in mapping.items()}

    def parse(value: Any) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise CellError(gettext_noop("This cell is empty."))
        found = lookup.get(normalise_header(cleaned))
        if found is None:
            raise CellError(
                gettext_noop("Unknown %(what)s: %(value)s. Use one of: %(choices)s."),
                what=what,
                value=cleaned,
                choices=", ".join(sorted({k for k in mapping if not k.isascii()}))
                or ", ".join(sorted(set(mapping.values()))),
            )
        return found

    return parse


def integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        cleaned = clean_text(value).rstrip("%").strip()
        if not re.fullmatch(r"\d+", cleaned or "x"):
            raise CellError(gettext_noop("Not a whole number: %(value)s."), value=cleaned)
        number = int(cleaned)
        if not low <= number <= high:
            raise CellError(
                gettext_noop("Must be between %(low)s and %(high)s."), low=low, high=high
            )
        return number

    return parse


def coordinate(low: float, high: float) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        cleaned = clean_text(value)
        if not cleaned:
            return None
        try:
            number = float(cleaned)
        except ValueError:
            raise CellError(gettext_noop("Not a coordinate: %(value)s."), value=cleaned) from None
        if not low <= number <= high:
            raise CellError(
                gettext_noop("Must be between %(low)s and %(high)s."), low=low, high=high
            )
        return number

    return parse


# -- reading files -----------------------------------------------------------------------------


class FileFormatError(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp874"):  # cp874 = Thai Windows, what older Excel writes
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(gettext_noop("The file is not text in UTF-8 or Thai Windows (TIS-620)."))


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    content = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(content, newline=""), dialect)


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileFormatError(gettext_noop("The file is not a readable XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def sniff_format(name: str, data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


@dataclass
class Table:
    columns: dict[str, int]  # key -> position
    rows: list[tuple[int, list[Any]]]  # (row number as a spreadsheet shows it, cells)
    header_row: int

    def __len__(self) -> int:
        return len(self.rows)


def read_table(*, name: str, data: bytes, columns: list[Column], errors: ErrorList) -> Table | None:
    """The header row mapped to `columns` and every non-empty data row; None (with errors
    recorded) when the file cannot be read or lacks a required column."""
    try:
        raw = list(_xlsx_rows(data) if sniff_format(name, data) == "xlsx" else _csv_rows(data))
    except FileFormatError as error:
        errors.add(0, "", error.message, **error.params)
        return None
    except csv.Error as error:
        errors.add(
            0, "", gettext_noop("The CSV file cannot be read: %(reason)s"), reason=str(error)
        )
        return None
    by_header = {normalise_header(h): c.key for c in columns for h in c.headers}
    # The header is the first row naming at least two known columns (a title or the
    # municipality's letterhead may come first); failing that, the first non-empty row.
    filled = [i for i, cells in enumerate(raw) if any(clean_text(c) for c in cells)]
    if not filled:
        errors.add(0, "", gettext_noop("The file is empty."))
        return None
    header_index = next(
        (
            i
            for i in filled[:20]
            if len({by_header.get(normalise_header(c)) for c in raw[i]} - {None}) >= 2
        ),
        filled[0],
    )
    positions: dict[str, int] = {}
    for position, cell in enumerate(raw[header_index]):
        key = by_header.get(normalise_header(cell))
        if key is None:
            continue  # extra columns (notes, sums) are allowed and ignored
        if key in positions:
            errors.add(
                header_index + 1,
                clean_text(cell),
                gettext_noop("The column %(column)s appears twice."),
                column=clean_text(cell),
            )
        positions[key] = position
    for column in columns:
        if column.required and column.key not in positions:
            errors.add(
                header_index + 1,
                column.label,
                gettext_noop(
                    "The required column %(column)s is missing (accepted headers: %(headers)s)."
                ),
                column=column.label,
                headers=" / ".join(column.headers[:4]),
            )
    if errors:
        return None
    rows = [
        (number + 1, cells)
        for number, cells in enumerate(raw[header_index + 1 :], start=header_index + 1)
        if any(clean_text(c) for c in cells)
    ]
    return Table(positions, rows, header_index + 1)


def parse_row(
    table: Table, number: int, cells: list[Any], columns: list[Column], errors: ErrorList
) -> dict[str, Any] | None:
    """The row's parsed values, or None after recording each bad cell."""
    values: dict[str, Any] = {}
    ok = True
    for column in columns:
        position = table.columns.get(column.key)
        raw = cells[position] if position is not None and position < len(cells) else None
        if position is None:
            values[column.key] = None
            continue
        try:
            values[column.key] = column.parse(raw)
        except CellError as error:
            errors.add_error(number, column.label, error)
            ok = False
    return values if ok else None
