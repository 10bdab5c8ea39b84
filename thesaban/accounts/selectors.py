from thesaban.accounts.models import StaffRole


def staff_role_for(*, user, municipality) -> StaffRole | None:
    if not user.is_authenticated:
        return None
    return (
        StaffRole.objects.select_related("department")
        .filter(user=user, municipality=municipality)
        .first()
    )
