from django.contrib import admin

from thesaban.core.admin_scoping import MunicipalityScopedAdmin
from thesaban.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """The audit log is append-only: nobody adds, changes or deletes entries, superusers included.

    Administrators see their municipality's entries; platform-wide entries (sign-ups,
    national-ID changes) have no municipality and only superusers see them.
    """

    list_display = ["created_at", "action", "actor", "target_type", "target_id", "municipality"]
    list_filter = ["action", "target_type", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["action", "target_id"]
    list_select_related = ["actor", "municipality"]
    date_hierarchy = "created_at"
    fields = ["created_at", "action", "actor", "municipality", "target_type", "target_id", "data"]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
