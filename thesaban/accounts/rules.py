"""Predicates about a person's staff role in one municipality, shared by every app's rules.py.

Each predicate takes `(user, obj)`, where `obj` is a `Municipality` or a tenant-owned row that
carries `municipality_id` (a `Report`, a `Category`, ...). The role that counts is always the
one in *that object's* municipality, so a role elsewhere never leaks across tenants. `obj=None`
(the admin site asking about a model rather than an object) never matches: model-level rights
come from the role groups in `accounts/roles.py`.

The StaffRole is looked up once per user object and municipality and kept on the user object,
so the several checks one page makes cost one query.
"""

from __future__ import annotations

from typing import Any

import rules

from thesaban.accounts.models import StaffRole

_CACHE_ATTRIBUTE = "_thesaban_staff_roles"


def municipality_id_of(obj: Any) -> int | None:
    """The municipality an object belongs to: the municipality itself, or its `municipality_id`."""
    if obj is None:
        return None
    from thesaban.municipalities.models import Municipality

    if isinstance(obj, Municipality):
        return obj.pk
    return getattr(obj, "municipality_id", None)


def staff_role_of(user: Any, obj: Any) -> StaffRole | None:
    """The user's StaffRole in the object's municipality, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    municipality_id = municipality_id_of(obj)
    if municipality_id is None:
        return None
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    if municipality_id not in cache:
        cache[municipality_id] = StaffRole.objects.filter(
            user_id=user.pk, municipality_id=municipality_id
        ).first()
    return cache[municipality_id]


def forget_staff_roles(user: Any) -> None:
    """Drop the cached roles (after a role was granted or revoked during the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _has_role(user: Any, obj: Any, role: str) -> bool:
    staff_role = staff_role_of(user, obj)
    return staff_role is not None and staff_role.role == role


# Digital-centre volunteers hold a StaffRole so they can use the assisted-intake pages, but
# they are not municipal staff: they never see the queue, the dashboard or anyone's contact.
MUNICIPAL_STAFF_ROLES = {
    StaffRole.Role.ADMINISTRATOR,
    StaffRole.Role.OFFICER,
    StaffRole.Role.VIEWER,
}


@rules.predicate
def is_staff_of_municipality(user, obj) -> bool:
    """A municipal staff role (administrator, officer or viewer) in the object's municipality."""
    staff_role = staff_role_of(user, obj)
    return staff_role is not None and staff_role.role in MUNICIPAL_STAFF_ROLES


@rules.predicate
def is_administrator(user, obj) -> bool:
    return _has_role(user, obj, StaffRole.Role.ADMINISTRATOR)


@rules.predicate
def is_officer(user, obj) -> bool:
    return _has_role(user, obj, StaffRole.Role.OFFICER)


@rules.predicate
def is_viewer(user, obj) -> bool:
    return _has_role(user, obj, StaffRole.Role.VIEWER)


@rules.predicate
def is_digital_centre_volunteer(user, obj) -> bool:
    return _has_role(user, obj, StaffRole.Role.DIGITAL_CENTRE)
