"""Reads the JSON API needs beyond the report selectors; every one starts from a municipality."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from thesaban.accounts.models import StaffRole, User
from thesaban.channels.api.models import IdempotencyRecord
from thesaban.municipalities.models import Department, Municipality
from thesaban.municipalities.selectors import department_list, municipality_list_public
from thesaban.reports.models import Report, ReportComment, ReportFollower, ReportPhoto

MAX_DATABASE_ID = 2**63 - 1


def access_municipality(*, slug: str) -> Municipality:
    """An active municipality by slug; 404 otherwise."""
    municipality = municipality_list_public().filter(slug=slug).first()
    if municipality is None:
        raise Http404("No such municipality")
    return municipality


def access_department(*, municipality: Municipality, department_id: int) -> Department | None:
    """An active department of this municipality, or None."""
    if not 0 < department_id <= MAX_DATABASE_ID:
        return None
    return department_list(municipality=municipality).filter(pk=department_id).first()


def access_staff_member(*, municipality: Municipality, user_id: int) -> User | None:
    """A person who may act on reports here (administrator or officer), or None."""
    if not 0 < user_id <= MAX_DATABASE_ID:
        return None
    role = (
        StaffRole.objects.select_related("user")
        .filter(
            municipality=municipality,
            user_id=user_id,
            role__in=[StaffRole.Role.ADMINISTRATOR, StaffRole.Role.OFFICER],
        )
        .first()
    )
    return role.user if role else None


def report_photos(*, report: Report) -> list[ReportPhoto]:
    return list(
        ReportPhoto.objects.filter(municipality_id=report.municipality_id, report=report).order_by(
            "position", "id"
        )
    )


def report_comments_public(*, report: Report) -> QuerySet[ReportComment]:
    return ReportComment.objects.filter(
        municipality_id=report.municipality_id, report=report, is_hidden=False
    ).select_related("author")


def report_follower_of(*, report: Report, user: User) -> ReportFollower | None:
    return ReportFollower.objects.filter(
        municipality_id=report.municipality_id, report=report, user=user
    ).first()


def report_is_supported_by(*, report: Report, user: User) -> bool:
    return report.supports.filter(municipality_id=report.municipality_id, user=user).exists()


def idempotency_record(*, municipality: Municipality, key_digest: str) -> IdempotencyRecord | None:
    return (
        IdempotencyRecord.objects.select_related("report")
        .filter(municipality=municipality, key_digest=key_digest)
        .first()
    )


def staff_roles_of(*, user: User) -> QuerySet[StaffRole]:
    """A person's staff roles in active municipalities (for the token's own account only)."""
    return (
        StaffRole.objects.filter(user=user, municipality__is_active=True)
        .select_related("municipality")
        .order_by("municipality__slug")
    )
