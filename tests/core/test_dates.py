"""Buddhist-era dates in Thai, Common Era in English, always in Bangkok time."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from thesaban.core import dates


def test_thai_date_is_buddhist_era_with_thai_month():
    assert dates.format_date(date(2026, 11, 21), "th") == "21 พ.ย. 2569"


def test_english_date_is_common_era_with_english_month():
    assert dates.format_date(date(2026, 11, 21), "en") == "21 Nov 2026"


@pytest.mark.parametrize(
    ("month", "thai", "english"),
    [(1, "ม.ค.", "Jan"), (4, "เม.ย.", "Apr"), (6, "มิ.ย.", "Jun"), (12, "ธ.ค.", "Dec")],
)
def test_every_month_has_its_own_abbreviation(month, thai, english):
    assert dates.format_date(date(2026, month, 5), "th") == f"5 {thai} 2569"
    assert dates.format_date(date(2026, month, 5), "en") == f"5 {english} 2026"


def test_language_defaults_to_the_active_one():
    with translation.override("en"):
        assert dates.format_date(date(2026, 11, 21)) == "21 Nov 2026"
    with translation.override("th"):
        assert dates.format_date(date(2026, 11, 21)) == "21 พ.ย. 2569"


def test_buddhist_year_adds_543():
    assert dates.buddhist_year(date(2026, 1, 1)) == 2569
    assert dates.buddhist_year(datetime(1999, 12, 31, 23, 0)) == 2542


def test_empty_value_formats_as_empty_string():
    assert dates.format_date(None, "th") == ""
    assert dates.format_datetime(None, "en") == ""


def test_aware_datetime_is_shown_in_bangkok_time_just_after_midnight():
    # 17:30 UTC on 20 Nov is 00:30 on 21 Nov in Bangkok (UTC+7).
    moment = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    assert dates.format_date(moment, "th") == "21 พ.ย. 2569"
    assert dates.format_date(moment, "en") == "21 Nov 2026"
    assert dates.format_datetime(moment, "th") == "21 พ.ย. 2569 00:30 น."
    assert dates.format_datetime(moment, "en") == "21 Nov 2026 00:30"


def test_aware_datetime_just_before_bangkok_midnight_stays_on_the_day():
    moment = datetime(2026, 11, 20, 16, 59, tzinfo=UTC)  # 23:59 in Bangkok
    assert dates.format_date(moment, "th") == "20 พ.ย. 2569"
    assert dates.format_datetime(moment, "en") == "20 Nov 2026 23:59"


def test_new_year_in_bangkok_changes_the_buddhist_year():
    moment = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 00:00 on 1 Jan 2027 in Bangkok
    assert dates.format_date(moment, "th") == "1 ม.ค. 2570"
    assert dates.format_date(moment, "en") == "1 Jan 2027"


def test_datetime_has_thai_suffix_only_in_thai():
    moment = datetime(2026, 11, 21, 7, 5, tzinfo=UTC)  # 14:05 in Bangkok
    assert dates.format_datetime(moment, "th") == "21 พ.ย. 2569 14:05 น."
    assert dates.format_datetime(moment, "en") == "21 Nov 2026 14:05"


def test_format_month():
    assert dates.format_month(2026, 11, "th") == "พ.ย. 2569"
    assert dates.format_month(2026, 11, "en") == "Nov 2026"


def test_template_filters_follow_the_active_language():
    template = Template("{{ when|thaidate }}|{{ when|thaidatetime }}")
    moment = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    with translation.override("th"):
        assert template.render(Context({"when": moment})) == "21 พ.ย. 2569|21 พ.ย. 2569 00:30 น."
    with translation.override("en"):
        assert template.render(Context({"when": moment})) == "21 Nov 2026|21 Nov 2026 00:30"
