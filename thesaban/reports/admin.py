from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from thesaban.accounts.models import StaffRole, User
from thesaban.accounts.rules import is_administrator, is_officer
from thesaban.core.admin_scoping import MunicipalityScopedAdmin, ScopedModelForm
from thesaban.municipalities.models import Department
from thesaban.reports import services
from thesaban.reports.models import Category, Report, RoutingRule


@admin.register(Category)
class CategoryAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "code",
        "department",
        "sla_hours",
        "severity",
        "order",
        "is_active",
        "municipality",
    ]
    list_filter = ["is_active", "severity", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_th", "name_en", "code"]
    list_select_related = ["department", "municipality"]
    fields = [
        "municipality",
        "code",
        "name_th",
        "name_en",
        "icon",
        "department",
        "sla_hours",
        "severity",
        "order",
        "is_active",
        "notice_th",
        "notice_en",
        "questions",
    ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["category", "community", "department", "municipality"]
    list_filter = [("municipality", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["category", "community", "department", "municipality"]
    fields = ["municipality", "category", "community", "department"]


class ReportAdminForm(ScopedModelForm):
    class Meta:
        model = Report
        fields = ["department", "assigned_to"]

    def clean(self):
        cleaned = super().clean()
        officer = cleaned.get("assigned_to")
        if (
            officer is not None
            and not StaffRole.objects.filter(
                user=officer, municipality_id=self.instance.municipality_id
            ).exists()
        ):
            self.add_error("assigned_to", _("This person is not staff of this municipality."))
        return cleaned


@admin.register(Report)
class ReportAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Read-mostly: reports are written by residents and handled in the staff back office.

    Only the department and the officer may be changed here, through `report_assign` so the
    timeline and the audit log record it. Reports are never added or deleted in the admin.
    """

    form = ReportAdminForm
    list_display = [
        "tracking_code",
        "category",
        "status",
        "department",
        "assigned_to",
        "submitted_at",
        "sla_due_at",
        "support_count",
        "municipality",
    ]
    list_filter = [
        "status",
        "channel",
        ("category", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
        ("municipality", admin.RelatedOnlyFieldListFilter),
        "submitted_at",
    ]
    search_fields = ["tracking_code"]
    list_select_related = ["category", "department", "assigned_to", "municipality"]
    ordering = ["-submitted_at"]
    show_full_result_count = False
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "tracking_code",
                    "back_office",
                    "municipality",
                    "status",
                    "category",
                    "department",
                    "assigned_to",
                    "community",
                ]
            },
        ),
        (
            _("Report"),
            {"fields": ["description", "address", "lat", "lng", "channel", "duplicate_of"]},
        ),
        (
            _("Reporter (personal data)"),
            {"fields": ["reporter_name", "reporter_email", "reporter_phone", "is_anonymous"]},
        ),
        (
            _("Dates and SLA"),
            {
                "fields": [
                    "submitted_at",
                    "sla_due_at",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                    "updated_at",
                    "reopen_count",
                ]
            },
        ),
        (
            _("Feedback"),
            {"fields": ["support_count", "comment_count", "satisfaction", "satisfaction_comment"]},
        ),
    ]
    editable_fields = ["department", "assigned_to"]

    @admin.display(description=_("staff back office"))
    def back_office(self, obj: Report) -> str:
        url = reverse(
            "staff:report",
            kwargs={"municipality": obj.municipality.slug, "code": obj.tracking_code},
        )
        return format_html(
            '<a href="{}">{}</a>', url, _("Open this report in the staff back office")
        )

    def _may_assign(self, request, obj) -> bool:
        # report_assign needs a non-viewer staff role in the report's municipality; a
        # superuser without one sees the report read-only.
        return obj is not None and (
            is_administrator.test(request.user, obj) or is_officer.test(request.user, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        every = [name for _title, options in self.fieldsets for name in options["fields"]]
        if self._may_assign(request, obj):
            return [name for name in every if name not in self.editable_fields]
        return every

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # Choices from the report's own municipality only, whoever is signed in.
            if "department" in form.base_fields:
                form.base_fields["department"].queryset = Department.objects.filter(
                    municipality_id=obj.municipality_id
                )
            if "assigned_to" in form.base_fields:
                form.base_fields["assigned_to"].queryset = User.objects.filter(
                    staff_roles__municipality_id=obj.municipality_id,
                    staff_roles__role__in=[StaffRole.Role.ADMINISTRATOR, StaffRole.Role.OFFICER],
                )
        return form

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change or not {"department", "assigned_to"} & set(form.changed_data):
            return
        original = Report.objects.select_related("municipality").get(pk=obj.pk)
        services.report_assign(
            report=original,
            actor=request.user,
            department=form.cleaned_data.get("department"),
            officer=form.cleaned_data.get("assigned_to"),
        )
