"""Dates as Thai readers expect them: Buddhist era (CE + 543) and Thai month abbreviations."""

from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import ngettext_lazy

THAI_MONTHS_SHORT = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
ENGLISH_MONTHS_SHORT = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
BUDDHIST_ERA_OFFSET = 543

# Django's own Thai catalogue predates the "%(num)d …" messages of django.utils.timesince, so
# |timesince and |timeuntil (staff queue, SLA) came out in English; listed here only so that
# makemessages extracts them into thesaban/locale, which Django consults first.
TIMESINCE_MESSAGES = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)


def buddhist_year(value: date | datetime) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value: date | datetime | None, language: str | None = None) -> str:
    """`21 พ.ย. 2569` in Thai, `21 Nov 2026` in English."""
    if value is None:
        return ""
    value = _local(value)
    language = language or translation.get_language() or "th"
    if language.startswith("th"):
        return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {buddhist_year(value)}"
    return f"{value.day} {ENGLISH_MONTHS_SHORT[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None, language: str | None = None) -> str:
    """`21 พ.ย. 2569 14:05 น.` in Thai, `21 Nov 2026 14:05` in English."""
    if value is None:
        return ""
    value = _local(value)
    language = language or translation.get_language() or "th"
    suffix = " น." if language.startswith("th") else ""
    return f"{format_date(value, language)} {value:%H:%M}{suffix}"


def format_month(year: int, month: int, language: str | None = None) -> str:
    language = language or translation.get_language() or "th"
    if language.startswith("th"):
        return f"{THAI_MONTHS_SHORT[month - 1]} {year + BUDDHIST_ERA_OFFSET}"
    return f"{ENGLISH_MONTHS_SHORT[month - 1]} {year}"
