"""The duplicate detector on constructed cases, with real reports in the database: ranking by
words, place and time; the candidate window; the score and its parts; and through the report
form (without JavaScript) and the staff report page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests import factories
from thesaban.insight import duplicates
from thesaban.insight.duplicates import find_duplicates, text_similarities
from thesaban.reports.models import Report
from thesaban.reports.registry import duplicate_finder
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db

LAT, LNG = 13.005, 100.005
METRE = 1 / 111_320  # degrees of latitude in one metre

POTHOLE = "ถนนหน้าวัดเป็นหลุมใหญ่ รถมอเตอร์ไซค์ตกหลุมล้มเมื่อคืน อันตรายมาก"
POTHOLE_OTHER_WORDS = "หลุมบนถนนหน้าวัดลึกมาก รถจักรยานยนต์ตกหลุม ยังไม่มีใครมาซ่อม"
STREETLIGHT = "ไฟส่องสว่างหน้าวัดดับทั้งคืน มืดมาก"


@pytest.fixture
def road(municipality):
    return factories.CategoryFactory(municipality=municipality, name_en="Road")


@pytest.fixture
def light(municipality):
    # Another department: nothing in common with the road but the place.
    return factories.CategoryFactory(municipality=municipality, name_en="Street light")


def report(municipality, category, *, north_m=0.0, days_ago=0.0, **kwargs):
    kwargs.setdefault("description", POTHOLE_OTHER_WORDS)
    return factories.ReportFactory(
        municipality=municipality,
        category=category,
        lat=LAT + north_m * METRE,
        lng=LNG,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def find(municipality, category, **kwargs):
    kwargs.setdefault("text", POTHOLE)
    kwargs.setdefault("lat", LAT)
    kwargs.setdefault("lng", LNG)
    return find_duplicates(municipality=municipality, category=category, **kwargs)


def pks(found):
    return [candidate.report.pk for candidate in found]


# -- ranking -----------------------------------------------------------------------------------


def test_the_same_pothole_in_other_words_ranks_first(municipality, road, light):
    same_pothole = report(municipality, road, north_m=20, days_ago=1)
    streetlight = report(municipality, light, description=STREETLIGHT)
    far_pothole = report(municipality, road, north_m=2000, description=POTHOLE)

    ranked = find(municipality, road, threshold=0.0)
    assert pks(ranked)[0] == same_pothole.pk
    assert streetlight.pk in pks(ranked)  # seen with no threshold, but below the pothole
    assert far_pothole.pk not in pks(ranked)  # 2 km: outside the search radius
    by_pk = {candidate.report.pk: candidate for candidate in ranked}
    assert by_pk[same_pothole.pk].score > by_pk[streetlight.pk].score
    assert by_pk[same_pothole.pk].text_similarity > 2 * by_pk[streetlight.pk].text_similarity

    # With the default threshold the streetlight (other category, other words) is not offered.
    assert pks(find(municipality, road)) == [same_pothole.pk]


def test_score_parts_are_exposed(municipality, road):
    same_pothole = report(municipality, road, north_m=20, days_ago=1)
    [candidate] = find(municipality, road)
    assert candidate.report == same_pothole
    assert candidate.distance_m == pytest.approx(20, abs=0.5)
    assert candidate.hours_apart == pytest.approx(24, abs=0.1)
    assert 0.2 < candidate.text_similarity < 1
    expected = duplicates.combine(
        text=candidate.text_similarity,
        distance=duplicates.distance_score(candidate.distance_m),
        time=duplicates.time_score(candidate.hours_apart),
        category=1.0,
    )
    assert candidate.score == pytest.approx(expected, abs=1e-3)
    assert 0 <= candidate.score <= 1


def test_a_neighbouring_category_of_the_same_department_counts_half(municipality, road):
    sibling = factories.CategoryFactory(municipality=municipality, department=road.department)
    same = report(municipality, road, north_m=10)
    neighbour = report(municipality, sibling, north_m=10)
    by_pk = {c.report.pk: c for c in find(municipality, road, threshold=0.0)}
    difference = by_pk[same.pk].score - by_pk[neighbour.pk].score
    assert difference == pytest.approx(
        duplicates.WEIGHTS["category"]
        * (1 - duplicates.SAME_DEPARTMENT)
        / sum(duplicates.WEIGHTS.values()),
        abs=1e-3,
    )


def test_without_text_distance_and_time_decide(municipality, road):
    near_recent = report(municipality, road, north_m=10, days_ago=1)
    farther = report(municipality, road, north_m=80, days_ago=1)
    older = report(municipality, road, north_m=10, days_ago=20)
    found = find(municipality, road, text="", threshold=0.0)
    assert pks(found) == [near_recent.pk, older.pk, farther.pk]
    assert all(candidate.text_similarity is None for candidate in found)
    # The weights are renormalised: a report at the very spot, now, same category, scores ~1.
    here = report(municipality, road, description="อะไรก็ได้")
    assert find(municipality, road, text="  ")[0].report == here
    assert find(municipality, road, text="")[0].score == pytest.approx(1, abs=1e-3)


# -- the candidate window ----------------------------------------------------------------------


def test_an_old_report_is_not_returned(municipality, road):
    report(municipality, road, days_ago=90, description=POTHOLE)
    assert find(municipality, road, threshold=0.0) == []


def test_another_municipalitys_report_is_never_returned(municipality, other_municipality, road):
    foreign_category = factories.CategoryFactory(municipality=other_municipality, code=road.code)
    report(other_municipality, foreign_category, description=POTHOLE)
    assert find(municipality, road, threshold=0.0) == []
    assert find(municipality, road.pk, threshold=0.0) == []


def test_recently_resolved_are_candidates_long_resolved_and_merged_are_not(municipality, road):
    now = timezone.now()
    just_fixed = report(
        municipality, road, status=Status.RESOLVED, resolved_at=now - timedelta(days=3)
    )
    report(municipality, road, status=Status.CLOSED, resolved_at=now - timedelta(days=40))
    report(municipality, road, status=Status.REJECTED)
    report(municipality, road, status=Status.DUPLICATE, duplicate_of=just_fixed)
    assert pks(find(municipality, road, threshold=0.0)) == [just_fixed.pk]


def test_exclude_id_and_when(municipality, road):
    itself = report(municipality, road, days_ago=100)
    older = report(municipality, road, days_ago=110, north_m=5)
    # Triage of an old report compares it with reports around its own time, not today's.
    found = find(municipality, road, when=itself.submitted_at, exclude_id=itself.pk, threshold=0.0)
    assert pks(found) == [older.pk]
    assert found[0].hours_apart == pytest.approx(240, abs=0.1)


def test_threshold_and_limit_are_respected(municipality, road):
    for north in range(0, 100, 10):
        report(municipality, road, north_m=north)
    everything = find(municipality, road, threshold=0.0, limit=100)
    assert len(everything) == 10
    threshold = everything[4].score
    above = find(municipality, road, threshold=threshold, limit=100)
    assert above and all(candidate.score >= threshold for candidate in above)
    assert len(above) < 10
    assert find(municipality, road, threshold=1.01) == []
    assert len(find(municipality, road, threshold=0.0, limit=3)) == 3


def test_ordering_is_stable(municipality, road):
    twins = [report(municipality, road, north_m=15) for _ in range(4)]
    Report.objects.filter(pk__in=[t.pk for t in twins]).update(submitted_at=twins[0].submitted_at)
    first = pks(find(municipality, road, threshold=0.0))
    assert first == sorted(t.pk for t in twins)
    for _ in range(3):
        assert pks(find(municipality, road, threshold=0.0)) == first


def test_no_place_no_candidates(municipality, road):
    report(municipality, road)
    assert find(municipality, road, lat=None, lng=None) == []


def test_text_similarity_reads_normalised_thai():
    # Thai digits, a split sara am and a zero-width space do not make texts different.
    [same] = text_similarities("น้ำท่วมซอย ๕", ["น\u0e49\u0e4d\u0e32ท่วม\u200bซอย 5"])
    assert same == pytest.approx(1.0)
    [unrelated] = text_similarities("น้ำท่วมซอย 5", ["ไฟฟ้าดับ"])
    assert unrelated < 0.1
    assert text_similarities("", ["ไฟฟ้าดับ"]) == [0.0]


def test_insight_installs_itself_as_the_finder(municipality, road):
    same_pothole = report(municipality, road, north_m=20, days_ago=1)
    found = duplicate_finder.find(
        municipality=municipality,
        category=road,
        lat=LAT,
        lng=LNG,
        text=POTHOLE,
        when=None,
        exclude_id=None,
        limit=5,
    )
    assert pks(found) == [same_pothole.pk]
    assert found[0].text_similarity is not None  # the geographic fallback never reads text


# -- through the pages -------------------------------------------------------------------------


def test_report_form_without_javascript_shows_ranked_candidates_with_reasons(
    client, municipality, road, light
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    same_pothole = report(municipality, road, north_m=20, days_ago=1, reporter_name="ลับมาก")
    streetlight = report(municipality, light, description=STREETLIGHT)
    data = {
        "category": str(road.pk),
        "description": POTHOLE,
        "lat": str(LAT),
        "lng": str(LNG),
        "address": "",
        "is_anonymous": "on",
    }
    response = client.post(reverse("reports:new", args=[municipality.slug]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert [c["tracking_code"] for c in response.context["candidates"]] == [
        same_pothole.tracking_code
    ]
    assert streetlight.tracking_code not in content
    assert "% match" in content and "similar description" in content
    assert "20 m away" in content and "24 hours apart" in content and "same category" in content
    assert "ลับมาก" not in content and same_pothole.reporter_email not in content
    assert Report.objects.filter(municipality=municipality).count() == 2

    response = client.post(
        reverse("reports:new", args=[municipality.slug]), {**data, "confirm_new": "1"}
    )
    assert response.status_code == 302
    assert Report.objects.filter(municipality=municipality).count() == 3


def test_duplicates_json_ranks_with_text_and_shows_parts(client, municipality, road, light):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    same_pothole = report(municipality, road, north_m=20, days_ago=1)
    report(municipality, light, description=STREETLIGHT)
    response = client.get(
        reverse("reports:duplicates", args=[municipality.slug]),
        {"category": road.pk, "lat": LAT, "lng": LNG, "text": POTHOLE},
    )
    assert response.status_code == 200
    [candidate] = response.json()["candidates"]
    assert candidate["tracking_code"] == same_pothole.tracking_code
    assert candidate["score"] >= duplicates.THRESHOLD
    assert candidate["text_similarity"] > 0.2 and candidate["distance_m"] == 20
    assert candidate["hours_apart"] == pytest.approx(24, abs=0.1)
    assert set(candidate) >= {"reason", "reasons", "score_label", "same_category"}
    body = response.content.decode()
    assert same_pothole.reporter_email not in body and same_pothole.reporter_phone not in body


def test_staff_report_page_ranks_candidates_and_changes_nothing(
    client, municipality, road, light, admin_user
):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    new = report(municipality, road, description=POTHOLE)
    same_pothole = report(municipality, road, north_m=20, days_ago=1)
    nearby_same_kind = report(municipality, road, north_m=40, days_ago=2, description="ถนนแตก")
    report(municipality, light, description=STREETLIGHT)
    page = reverse("staff:report", args=[municipality.slug, new.tracking_code])
    response = client.get(page)
    assert response.status_code == 200
    items = response.context["duplicate_candidates"]
    assert [item.report.pk for item in items] == [same_pothole.pk, nearby_same_kind.pk]
    assert items[0].candidate.score > items[1].candidate.score
    content = response.content.decode()
    assert f"{items[0].percent}% match" in content and "similar description" in content
    # Showing candidates changes nothing.
    new.refresh_from_db()
    assert new.status == Status.SUBMITTED and new.duplicate_of is None
