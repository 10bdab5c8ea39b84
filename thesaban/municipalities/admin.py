from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from thesaban.core.admin_scoping import MunicipalityScopedAdmin
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.municipalities.services import community_save


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Administrators edit their own municipality's details; only superusers add or remove one."""

    municipality_lookup = "pk"
    list_display = [
        "name_th",
        "name_en",
        "slug",
        "kind",
        "province_th",
        "tracking_prefix",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_th", "name_en", "slug", "province_th", "province_en"]
    ordering = ["name_th"]
    fieldsets = [
        (None, {"fields": ["slug", "name_th", "name_en", "kind", "is_active"]}),
        (
            _("Place"),
            {
                "fields": [
                    "province_th",
                    "province_en",
                    "population",
                    "center_lat",
                    "center_lng",
                    "default_zoom",
                    "boundary",
                ]
            },
        ),
        (_("Reports"), {"fields": ["tracking_prefix"]}),
        (_("Contact"), {"fields": ["contact_email", "contact_phone"]}),
    ]
    # The address of the site, the tracking codes already printed on paper and whether the
    # municipality is online are the deployment's decisions, not the municipality's.
    deployment_fields = ["slug", "tracking_prefix", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        return self.deployment_fields

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["name_th", "name_en", "code", "email", "is_active", "municipality"]
    list_filter = ["is_active", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_th", "name_en", "code"]
    list_select_related = ["municipality"]
    fields = ["municipality", "code", "name_th", "name_en", "email", "is_active"]


@admin.register(Community)
class CommunityAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Saved through `community_save`, which keeps the bounding box in step with the polygon."""

    list_display = ["name_th", "name_en", "code", "municipality"]
    list_filter = [("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_th", "name_en", "code"]
    list_select_related = ["municipality"]
    fields = ["municipality", "code", "name_th", "name_en", "boundary"]

    def get_readonly_fields(self, request, obj=None):
        # community_save finds the row by (municipality, code): both are fixed once created.
        return ["municipality", "code"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = community_save(
            municipality=obj.municipality,
            code=obj.code,
            name_th=obj.name_th,
            name_en=obj.name_en,
            boundary=obj.boundary or None,
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.min_lat, obj.max_lat = saved.min_lat, saved.max_lat
        obj.min_lng, obj.max_lng = saved.min_lng, saved.max_lng
