"""Small planar geometry on GeoJSON: enough to place a point in a community without GIS libraries."""

import math
from typing import Any

from django.utils.translation import gettext_noop

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degree_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lat/lng box that contains the circle; the database filters by it before exact distance."""
    dlat = radius_m / 111_320.0
    dlng = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _rings(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """Polygons of a GeoJSON Polygon or MultiPolygon, each a list of rings of [lng, lat]."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    if kind == "Feature":
        return _rings(geometry["geometry"])
    return []


def _in_ring(lng: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry: dict[str, Any] | None, lat: float, lng: float) -> bool:
    """Even-odd rule; holes (inner rings) exclude."""
    if not geometry:
        return False
    for polygon in _rings(geometry):
        if (
            polygon
            and _in_ring(lng, lat, polygon[0])
            and not any(_in_ring(lng, lat, h) for h in polygon[1:])
        ):
            return True
    return False


def bounds(geometry: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    """(min_lat, max_lat, min_lng, max_lng) of a polygon geometry."""
    points = [pt for polygon in _rings(geometry or {}) for ring in polygon for pt in ring]
    if not points:
        return None
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lats), max(lats), min(lngs), max(lngs)


def validate_polygon(geometry: Any) -> list[str]:
    """Problems with a GeoJSON polygon, as English messages for the form layer to translate."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        return [gettext_noop("not a GeoJSON Polygon or MultiPolygon")]
    try:
        for polygon in _rings(geometry):
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    return [
                        gettext_noop("each ring needs at least four positions and must be closed")
                    ]
                for lng, lat, *_rest in ring:
                    if not (-180 <= float(lng) <= 180 and -90 <= float(lat) <= 90):
                        return [gettext_noop("coordinates out of range")]
    except (TypeError, ValueError, KeyError):
        return [gettext_noop("malformed coordinates")]
    return []
