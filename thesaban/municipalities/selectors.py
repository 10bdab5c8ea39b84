from django.db.models import QuerySet

from thesaban.municipalities import geo
from thesaban.municipalities.models import Community, Department, Municipality


def municipality_list_public() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True).order_by("province_th", "name_th")


def community_at(*, municipality: Municipality, lat: float, lng: float) -> Community | None:
    """The community whose polygon holds the point (bounding boxes narrow the candidates first)."""
    candidates = Community.objects.filter(
        municipality=municipality,
        min_lat__lte=lat,
        max_lat__gte=lat,
        min_lng__lte=lng,
        max_lng__gte=lng,
    )
    for community in candidates:
        if geo.contains(community.boundary, lat, lng):
            return community
    return None


def department_list(*, municipality: Municipality) -> QuerySet[Department]:
    return Department.objects.filter(municipality=municipality, is_active=True)


def community_list(*, municipality: Municipality) -> QuerySet[Community]:
    return Community.objects.filter(municipality=municipality)
