"""Report reads: public lists and map, duplicates nearby, timeline, triage priority, dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from thesaban.reports import selectors, services
from thesaban.reports.models import Report, ReportEvent
from thesaban.reports.selectors import MapBox, ReportFilters
from thesaban.reports.workflow import Status

# About 0.00009° of latitude is 10 m.
TEN_METRES = 10 / 111_195


@pytest.fixture
def make_report(municipality, category):
    def make(**kwargs):
        kwargs.setdefault("category", category)
        return factories.ReportFactory(municipality=municipality, **kwargs)

    return make


@pytest.fixture
def foreign(other_municipality):
    return factories.ReportFactory(municipality=other_municipality, lat=13.005, lng=100.005)


# -- public list ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_list_is_this_municipalitys_without_duplicates(municipality, make_report, foreign):
    shown = make_report()
    resolved = make_report(status=Status.RESOLVED)
    make_report(status=Status.DUPLICATE, duplicate_of=shown)
    codes = set(
        selectors.report_list_public(municipality=municipality).values_list(
            "tracking_code", flat=True
        )
    )
    assert codes == {shown.tracking_code, resolved.tracking_code}


@pytest.mark.django_db
def test_public_list_filters(municipality, category, make_report):
    other_category = factories.CategoryFactory(municipality=municipality)
    open_report = make_report(description="ไฟดับหน้าวัด")
    done = make_report(status=Status.CLOSED, category=other_category)
    rejected = make_report(status=Status.REJECTED)

    def codes(**filters):
        return {
            r.tracking_code
            for r in selectors.report_list_public(
                municipality=municipality, filters=ReportFilters(**filters)
            )
        }

    assert codes(status="open") == {open_report.tracking_code}
    assert codes(status="done") == {done.tracking_code}
    assert codes(status=Status.REJECTED) == {rejected.tracking_code}
    assert codes(category=other_category.id) == {done.tracking_code}
    assert codes(q="หน้าวัด") == {open_report.tracking_code}
    assert codes(q=done.tracking_code.lower()) == {done.tracking_code}


@pytest.mark.django_db
def test_public_list_query_count_does_not_grow_with_rows(
    municipality, make_report, django_assert_num_queries
):
    community = factories.CommunityFactory(municipality=municipality)
    for _ in range(5):
        make_report(community=community)

    def render_rows():
        return [
            (
                r.tracking_code,
                r.category.name_th,
                r.category.icon,
                r.community.name_th if r.community else "",
            )
            for r in selectors.report_list_public(municipality=municipality)
        ]

    with django_assert_num_queries(1):
        assert len(render_rows()) == 5
    for _ in range(5):
        make_report()
    with django_assert_num_queries(1):
        assert len(render_rows()) == 10


@pytest.mark.django_db
def test_public_list_does_not_load_personal_fields(municipality, make_report):
    make_report()
    row = selectors.report_list_public(municipality=municipality).get()
    deferred = row.get_deferred_fields()
    assert {
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "reporter_id",
        "follow_token",
    } <= deferred


# -- map -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_points_at_street_zoom(municipality, make_report, foreign):
    a = make_report(lat=13.001, lng=100.001)
    b = make_report(lat=13.002, lng=100.002)
    make_report(lat=None, lng=None, address="ตลาด")
    make_report(status=Status.DUPLICATE, duplicate_of=a, lat=13.001, lng=100.001)
    data = selectors.report_map_points(municipality=municipality, zoom=18)
    assert data["kind"] == "points"
    assert {p["tracking_code"] for p in data["points"]} == {a.tracking_code, b.tracking_code}
    assert set(data["points"][0]) == {
        "tracking_code",
        "lat",
        "lng",
        "status",
        "category__icon",
        "category__name_th",
        "category__name_en",
    }


@pytest.mark.django_db
def test_map_box_filters(municipality, make_report):
    inside = make_report(lat=13.001, lng=100.001)
    make_report(lat=14.0, lng=101.0)
    box = MapBox(south=13.0, west=100.0, north=13.01, east=100.01)
    data = selectors.report_map_points(municipality=municipality, zoom=18, box=box)
    assert [p["tracking_code"] for p in data["points"]] == [inside.tracking_code]


@pytest.mark.django_db
def test_map_clusters_at_town_zoom(municipality, make_report, foreign):
    for i in range(4):
        make_report(lat=13.001 + i * TEN_METRES, lng=100.001)
    lonely = make_report(lat=13.2, lng=100.3)
    data = selectors.report_map_points(municipality=municipality, zoom=12)
    assert data["kind"] == "clusters"
    clusters = sorted(data["clusters"], key=lambda c: c["count"])
    assert [c["count"] for c in clusters] == [
        1,
        4,
    ]  # the other municipality's report is not counted
    assert clusters[0]["code"] == lonely.tracking_code
    assert clusters[1]["code"] is None
    assert clusters[1]["lat"] == pytest.approx(13.001 + 1.5 * TEN_METRES)


def test_cell_size_halves_per_zoom_level():
    assert selectors.cell_size_for_zoom(13) == pytest.approx(selectors.cell_size_for_zoom(12) / 2)
    assert selectors.cell_size_for_zoom(99) == selectors.cell_size_for_zoom(22)


# -- duplicates ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_geographic_duplicates_nearby_same_category_open_recent(
    municipality, category, make_report, other_municipality
):
    """The fallback finder (used when no app installs a better one, see reports/registry.py)."""
    lat, lng = 13.005, 100.005
    near = make_report(lat=lat + 2 * TEN_METRES, lng=lng)
    nearer = make_report(lat=lat + TEN_METRES, lng=lng)
    make_report(lat=lat + 8 * TEN_METRES, lng=lng)  # 80 m: too far
    make_report(lat=lat, lng=lng, category=factories.CategoryFactory(municipality=municipality))
    make_report(lat=lat, lng=lng, status=Status.RESOLVED)
    make_report(lat=lat, lng=lng, submitted_at=timezone.now() - timedelta(days=31))
    factories.ReportFactory(
        municipality=other_municipality,
        lat=lat,
        lng=lng,
        category=factories.CategoryFactory(municipality=other_municipality, code=category.code),
    )
    found = selectors.geographic_duplicates(
        municipality=municipality, category=category, lat=lat, lng=lng
    )
    assert [candidate.report.pk for candidate in found] == [nearer.pk, near.pk]
    assert found[0].distance_m == pytest.approx(10, abs=0.5)
    assert found[1].distance_m == pytest.approx(20, abs=0.5)
    assert 1 >= found[0].score > found[1].score > 0
    assert found[0].text_similarity is None  # the fallback does not read the text
    rest = selectors.geographic_duplicates(
        municipality=municipality, category=category, lat=lat, lng=lng, exclude_id=nearer.pk
    )
    assert [candidate.report.pk for candidate in rest] == [near.pk]


@pytest.mark.django_db
def test_geographic_duplicates_radius_is_a_circle_not_a_box(municipality, category, make_report):
    # 45 m north and 45 m east: inside the 50 m box, but 64 m away.
    make_report(lat=13.005 + 4.5 * TEN_METRES, lng=100.005 + 4.5 * TEN_METRES / 0.9743)
    assert (
        selectors.geographic_duplicates(
            municipality=municipality, category=category, lat=13.005, lng=100.005
        )
        == []
    )


@pytest.mark.django_db
def test_the_registry_falls_back_to_geographic_duplicates(municipality, category, make_report):
    from thesaban.reports.registry import DuplicateFinderSlot

    report = make_report()
    slot = DuplicateFinderSlot()  # nothing installed
    found = slot.find(
        municipality=municipality,
        category=category,
        lat=13.005,
        lng=100.005,
        text="",
        when=None,
        exclude_id=None,
        limit=5,
    )
    assert [candidate.report.pk for candidate in found] == [report.pk]


# -- timeline ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_timeline_hides_internal_notes_from_the_public(make_report, officer):
    report = make_report()
    services.report_note_add(report=report, actor=officer, note="public", is_public=True)
    services.report_note_add(report=report, actor=officer, note="internal", is_public=False)
    assert [e.note for e in selectors.report_timeline(report=report)] == ["public"]
    assert [e.note for e in selectors.report_timeline(report=report, include_internal=True)] == [
        "public",
        "internal",
    ]


# -- triage --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_triage_orders_overdue_then_severe_then_supported(
    municipality, category, make_report, foreign
):
    now = timezone.now()
    minor = factories.CategoryFactory(
        municipality=municipality, severity=1, department=category.department
    )
    severe = factories.CategoryFactory(
        municipality=municipality, severity=5, department=category.department
    )
    fresh_minor = make_report(
        category=minor, submitted_at=now, sla_due_at=now + timedelta(hours=72)
    )
    fresh_severe = make_report(
        category=severe, submitted_at=now, sla_due_at=now + timedelta(hours=72)
    )
    overdue_minor = make_report(
        category=minor, submitted_at=now - timedelta(hours=80), sla_due_at=now - timedelta(hours=8)
    )
    supported_minor = make_report(
        category=minor, submitted_at=now, sla_due_at=now + timedelta(hours=72), support_count=50
    )
    make_report(category=severe, status=Status.RESOLVED)
    queue = list(selectors.triage_queue(municipality=municipality, now=now))
    # Overdue wins; severity 5 beats a campaign of 50 supports (supports count logarithmically),
    # which beats nothing at all.
    assert [r.pk for r in queue] == [
        overdue_minor.pk,
        fresh_severe.pk,
        supported_minor.pk,
        fresh_minor.pk,
    ]
    assert queue[0].sla_share == pytest.approx(80 / 72, rel=1e-3)
    assert queue[-1].priority == pytest.approx(20.0, abs=0.1)


@pytest.mark.django_db
def test_triage_sla_share_is_capped(municipality, make_report):
    now = timezone.now()
    very_late = make_report(
        submitted_at=now - timedelta(days=30), sla_due_at=now - timedelta(days=27)
    )
    late = make_report(submitted_at=now - timedelta(days=10), sla_due_at=now - timedelta(days=7))
    queue = {r.pk: r for r in selectors.triage_queue(municipality=municipality, now=now)}
    assert queue[very_late.pk].priority == pytest.approx(queue[late.pk].priority)


@pytest.mark.django_db
def test_triage_department_scope_includes_unassigned(municipality, category, make_report):
    other = factories.DepartmentFactory(municipality=municipality)
    mine = make_report()
    unassigned = make_report(department=None)
    make_report(department=other)
    scoped = {
        r.pk
        for r in selectors.triage_queue(
            municipality=municipality, department_id=category.department_id
        )
    }
    assert scoped == {mine.pk, unassigned.pk}
    only_mine = selectors.triage_queue(
        municipality=municipality, department_id=category.department_id, include_unassigned=False
    )
    assert {r.pk for r in only_mine} == {mine.pk}


@pytest.mark.django_db
def test_triage_with_status_filter_shows_closed(municipality, make_report):
    closed = make_report(status=Status.CLOSED)
    make_report()
    queue = selectors.triage_queue(
        municipality=municipality, filters=ReportFilters(status=Status.CLOSED)
    )
    assert [r.pk for r in queue] == [closed.pk]


# -- dashboard -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_stats(municipality, make_report, foreign):
    now = timezone.now()
    start = now - timedelta(days=5)

    def done(hours, within_sla, satisfaction=None):
        return make_report(
            status=Status.CLOSED,
            submitted_at=start,
            resolved_at=start + timedelta(hours=hours),
            sla_due_at=start + timedelta(hours=10 if within_sla else 1),
            satisfaction=satisfaction,
        )

    done(2, True, 5)
    done(4, True, 3)
    done(6, False)
    done(20, False)
    make_report(submitted_at=start, sla_due_at=start + timedelta(hours=1))  # open, breached
    make_report(submitted_at=now, sla_due_at=now + timedelta(hours=72))  # open, on time
    make_report(status=Status.DUPLICATE)  # not counted
    stats = selectors.dashboard_stats(municipality=municipality)
    assert stats["open"] == 2
    assert stats["open_breached"] == 1
    assert stats["resolved"] == 4
    assert stats["sla_compliance"] == pytest.approx(0.5)
    assert stats["median_hours_to_resolution"] == pytest.approx(5.0, abs=0.01)
    assert stats["satisfaction"] == pytest.approx(4.0)
    assert stats["rated"] == 2
    assert sum(month["submitted"] for month in stats["monthly"]) == 6


@pytest.mark.django_db
def test_dashboard_median_with_odd_count_and_empty(municipality, make_report):
    assert (
        selectors.dashboard_stats(municipality=municipality)["median_hours_to_resolution"] is None
    )
    start = timezone.now() - timedelta(days=2)
    for hours in (1, 3, 30):
        make_report(
            status=Status.RESOLVED, submitted_at=start, resolved_at=start + timedelta(hours=hours)
        )
    stats = selectors.dashboard_stats(municipality=municipality)
    assert stats["median_hours_to_resolution"] == pytest.approx(3.0, abs=0.01)
    assert stats["sla_compliance"] == pytest.approx(1.0)


@pytest.mark.django_db
def test_dashboard_query_count_is_fixed(municipality, make_report, django_assert_max_num_queries):
    for i in range(6):
        make_report(status=Status.RESOLVED, resolved_at=timezone.now() - timedelta(hours=i))
    with django_assert_max_num_queries(8):
        selectors.dashboard_stats(municipality=municipality)


@pytest.mark.django_db
def test_category_list_is_active_and_scoped(municipality, category, other_municipality):
    factories.CategoryFactory(municipality=municipality, is_active=False)
    factories.CategoryFactory(municipality=other_municipality)
    assert list(selectors.category_list(municipality=municipality)) == [category]


@pytest.mark.django_db
def test_selectors_never_return_events_of_another_report(make_report, officer):
    a, b = make_report(), make_report()
    services.report_note_add(report=b, actor=officer, note="b", is_public=True)
    assert not selectors.report_timeline(report=a).exists()
    assert ReportEvent.objects.count() == 1
    assert Report.objects.count() == 2
