"""Planar GeoJSON geometry: point in polygon, distances, boxes, polygon validation."""

import math

import pytest

from thesaban.municipalities import geo
from thesaban.municipalities.models import Community
from thesaban.municipalities.selectors import community_at
from thesaban.municipalities.services import community_save

# A 0.1° square around (13.05, 100.05) with a 0.02° square hole in its middle.
OUTER = [[100.0, 13.0], [100.1, 13.0], [100.1, 13.1], [100.0, 13.1], [100.0, 13.0]]
HOLE = [[100.04, 13.04], [100.06, 13.04], [100.06, 13.06], [100.04, 13.06], [100.04, 13.04]]
SQUARE_WITH_HOLE = {"type": "Polygon", "coordinates": [OUTER, HOLE]}
FAR_SQUARE = [[101.0, 14.0], [101.1, 14.0], [101.1, 14.1], [101.0, 14.1], [101.0, 14.0]]
MULTI = {"type": "MultiPolygon", "coordinates": [[OUTER, HOLE], [FAR_SQUARE]]}


def test_point_inside_polygon():
    assert geo.contains(SQUARE_WITH_HOLE, 13.02, 100.02)


def test_point_outside_polygon():
    assert not geo.contains(SQUARE_WITH_HOLE, 13.2, 100.02)
    assert not geo.contains(SQUARE_WITH_HOLE, 13.02, 99.99)


def test_point_in_hole_is_outside():
    assert not geo.contains(SQUARE_WITH_HOLE, 13.05, 100.05)
    # ... and the same polygon without its hole contains it.
    assert geo.contains({"type": "Polygon", "coordinates": [OUTER]}, 13.05, 100.05)


def test_concave_polygon():
    # An L shape: the notch at the top right is outside.
    l_shape = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]],
    }
    assert geo.contains(l_shape, 0.5, 1.5)  # lat 0.5, lng 1.5: bottom right arm
    assert geo.contains(l_shape, 1.5, 0.5)  # top left arm
    assert not geo.contains(l_shape, 1.5, 1.5)  # the notch


def test_multipolygon_each_part_and_hole():
    assert geo.contains(MULTI, 13.02, 100.02)
    assert geo.contains(MULTI, 14.05, 101.05)
    assert not geo.contains(MULTI, 13.05, 100.05)  # the first part's hole
    assert not geo.contains(MULTI, 13.5, 100.5)  # between the parts


def test_feature_wrapper_and_empty_geometries():
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE_WITH_HOLE}
    assert geo.contains(feature, 13.02, 100.02)
    assert not geo.contains(None, 13.02, 100.02)
    assert not geo.contains({}, 13.02, 100.02)
    assert not geo.contains({"type": "Point", "coordinates": [100.02, 13.02]}, 13.02, 100.02)


def test_distance_one_degree_of_latitude():
    # One degree on a sphere of radius 6371 km is 111.195 km.
    assert geo.distance_m(13.0, 100.0, 14.0, 100.0) == pytest.approx(111_195, rel=1e-4)


def test_distance_is_symmetric_and_zero_for_same_point():
    a = geo.distance_m(13.7563, 100.5018, 13.7367, 100.5232)
    b = geo.distance_m(13.7367, 100.5232, 13.7563, 100.5018)
    assert a == pytest.approx(b)
    assert 3_000 < a < 3_300  # about 3.1 km across central Bangkok
    assert geo.distance_m(13.0, 100.0, 13.0, 100.0) == 0


def test_distance_along_a_parallel_shrinks_with_latitude():
    at_equator = geo.distance_m(0.0, 100.0, 0.0, 101.0)
    at_60 = geo.distance_m(60.0, 100.0, 60.0, 101.0)
    assert at_60 == pytest.approx(at_equator / 2, rel=1e-3)


@pytest.mark.parametrize("lat", [0.0, 13.75, 45.0, 80.0])
def test_degree_box_contains_the_circle(lat):
    radius = 50.0
    south, north, west, east = geo.degree_box(lat, 100.0, radius)
    assert south < lat < north and west < 100.0 < east
    # The box's edges are at least `radius` away from the centre (so no point in the circle is
    # cut off) and not absurdly more.
    for edge in (
        geo.distance_m(lat, 100.0, south, 100.0),
        geo.distance_m(lat, 100.0, north, 100.0),
    ):
        assert radius * 0.99 <= edge <= radius * 1.05
    for edge in (geo.distance_m(lat, 100.0, lat, west), geo.distance_m(lat, 100.0, lat, east)):
        assert radius * 0.99 <= edge <= radius * 1.05


def test_degree_box_near_the_pole_does_not_divide_by_zero():
    south, north, west, east = geo.degree_box(90.0, 0.0, 100.0)
    assert math.isfinite(west) and math.isfinite(east) and west < east
    assert south < 90.0 < north


def test_bounds():
    assert geo.bounds(MULTI) == (13.0, 14.1, 100.0, 101.1)
    assert geo.bounds(None) is None
    assert geo.bounds({"type": "Polygon", "coordinates": []}) is None


def test_validate_polygon_accepts_polygon_and_multipolygon():
    assert geo.validate_polygon(SQUARE_WITH_HOLE) == []
    assert geo.validate_polygon(MULTI) == []


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (None, "not a GeoJSON Polygon or MultiPolygon"),
        ([[0, 0]], "not a GeoJSON Polygon or MultiPolygon"),
        ({"type": "Point", "coordinates": [100, 13]}, "not a GeoJSON Polygon or MultiPolygon"),
        (
            {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [100, 13]]]},
            "each ring needs at least four positions and must be closed",
        ),
        (
            {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 14]]]},
            "each ring needs at least four positions and must be closed",
        ),
        (
            {"type": "Polygon", "coordinates": [[[200, 13], [201, 13], [201, 14], [200, 13]]]},
            "coordinates out of range",
        ),
        (
            {"type": "Polygon", "coordinates": [[[100, 95], [101, 95], [101, 96], [100, 95]]]},
            "coordinates out of range",
        ),
        (
            {"type": "Polygon", "coordinates": [[["a", 13], ["b", 13], ["c", 14], ["a", 13]]]},
            "malformed coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": [[[100], [101], [102], [100]]]},
            "malformed coordinates",
        ),
    ],
)
def test_validate_polygon_reports_the_problem(geometry, problem):
    assert geo.validate_polygon(geometry) == [problem]


def test_community_save_keeps_bounding_box_and_community_at_uses_the_polygon(
    municipality, other_municipality
):
    community = community_save(
        municipality=municipality,
        code="ring",
        name_th="ชุมชนวงแหวน",
        name_en="Ring",
        boundary=SQUARE_WITH_HOLE,
    )
    community.refresh_from_db()
    assert (community.min_lat, community.max_lat, community.min_lng, community.max_lng) == (
        13.0,
        13.1,
        100.0,
        100.1,
    )
    assert community_at(municipality=municipality, lat=13.02, lng=100.02) == community
    # Inside the bounding box but in the hole: not this community.
    assert community_at(municipality=municipality, lat=13.05, lng=100.05) is None
    assert community_at(municipality=municipality, lat=15.0, lng=100.02) is None
    # Another municipality's polygon over the same spot is never found for this one.
    community_save(
        municipality=other_municipality,
        code="ring",
        name_th="อื่น",
        name_en="Other",
        boundary={"type": "Polygon", "coordinates": [OUTER]},
    )
    assert community_at(municipality=municipality, lat=13.05, lng=100.05) is None
    assert Community.objects.filter(code="ring").count() == 2


def test_community_save_updates_box_when_polygon_changes(municipality):
    community_save(
        municipality=municipality, code="c", name_th="ก", name_en="C", boundary=SQUARE_WITH_HOLE
    )
    community = community_save(
        municipality=municipality,
        code="c",
        name_th="ก",
        name_en="C",
        boundary={"type": "Polygon", "coordinates": [FAR_SQUARE]},
    )
    community.refresh_from_db()
    assert (community.min_lat, community.max_lng) == (14.0, 101.1)
    assert community_at(municipality=municipality, lat=14.05, lng=101.05) == community
    assert community_at(municipality=municipality, lat=13.02, lng=100.02) is None
