"""API keys in the admin site: read-only (a key is issued where it can be shown once, in the
staff back office or with `thesaban apikey create`), with a revoke action that goes through
the audited service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from thesaban.channels import services
from thesaban.channels.models import ApiKey
from thesaban.core.admin_scoping import MunicipalityScopedAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "prefix", "municipality", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["municipality"]
    fields = [
        "municipality",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True).select_related("municipality"):
            services.api_key_revoke(api_key=api_key, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
