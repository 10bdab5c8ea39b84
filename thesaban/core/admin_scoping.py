"""The admin site for a municipality's Digital Transformation Office (DTO), scoped by tenant.

The deployment's superusers see and change everything. Everyone else who may sign in to the
admin site (`is_staff`, granted with the administrator StaffRole by
`accounts.services.staff_role_grant`) sees only rows of the municipalities where they hold the
administrator role: the change lists are filtered, foreign-key choices offer only those
municipalities' rows, and every object-level permission is refused for another
municipality's object (so its change page answers as if it did not exist).

Model-level rights (which models appear at all, add/change/delete) still come from the role
groups in `accounts/roles.py`; this mixin narrows them to the administrator's municipalities.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from thesaban.accounts.models import StaffRole, User
from thesaban.municipalities.models import Municipality

_REQUEST_CACHE = "_thesaban_administered_municipalities"


def administered_municipality_ids(request: HttpRequest) -> frozenset[int] | None:
    """The municipalities this admin user administers; None means all (a superuser)."""
    user = request.user
    if user.is_active and user.is_superuser:
        return None
    cached = getattr(request, _REQUEST_CACHE, None)
    if cached is None:
        if user.is_authenticated and user.is_active:
            cached = frozenset(
                StaffRole.objects.filter(
                    user_id=user.pk, role=StaffRole.Role.ADMINISTRATOR
                ).values_list("municipality_id", flat=True)
            )
        else:
            cached = frozenset()
        setattr(request, _REQUEST_CACHE, cached)
    return cached


def _has_municipality_field(model: type[Model]) -> bool:
    try:
        field = model._meta.get_field("municipality")
    except Exception:
        return False
    return getattr(field, "related_model", None) is Municipality


class ScopedModelForm(forms.ModelForm):
    """Refuses links across tenants: every chosen row must belong to the object's municipality.

    This holds for superusers too: a category of one municipality routed to another's
    department is always a mistake.
    """

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        municipality_id = (
            municipality.pk if municipality else getattr(self.instance, "municipality_id", None)
        )
        if municipality_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "municipality" or not isinstance(value, Model):
                continue
            other = getattr(value, "municipality_id", None)
            if other is not None and other != municipality_id:
                self.add_error(name, _("This belongs to another municipality."))
        return cleaned


class MunicipalityScopedAdmin:
    """ModelAdmin mixin: put it before `admin.ModelAdmin` in the bases.

    `municipality_lookup` is the path from the model to its municipality: "municipality"
    for tenant-owned rows (the default), "pk" for the Municipality model itself.
    """

    municipality_lookup = "municipality"
    form = ScopedModelForm

    # -- which rows --------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        ids = administered_municipality_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.municipality_lookup}__in": ids})

    def municipality_id_of(self, obj: Model) -> int | None:
        if self.municipality_lookup == "pk":
            return obj.pk
        return getattr(obj, f"{self.municipality_lookup}_id", None)

    def may_touch(self, request: HttpRequest, obj: Model | None) -> bool:
        ids = administered_municipality_ids(request)
        if ids is None:
            return True
        if obj is None:
            return bool(ids)
        return self.municipality_id_of(obj) in ids

    # -- choices -----------------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        ids = administered_municipality_ids(request)
        if ids is not None:
            related = db_field.related_model
            if related is Municipality:
                kwargs["queryset"] = Municipality.objects.filter(pk__in=ids)
                if len(ids) == 1:
                    kwargs.setdefault("initial", next(iter(ids)))
            elif _has_municipality_field(related):
                kwargs["queryset"] = related._default_manager.filter(municipality__in=ids)
            elif related is User:
                kwargs["queryset"] = User.objects.filter(
                    staff_roles__municipality__in=ids
                ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- permissions -------------------------------------------------------------------
    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and self.may_touch(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and self.may_touch(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self.may_touch(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self.may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_touch(request, obj)
