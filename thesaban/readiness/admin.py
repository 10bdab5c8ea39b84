"""The platform administrators' part of readiness in the admin site: new versions of the
instrument and the networks. Only superusers see it; municipalities act in the back office."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from thesaban.readiness import instrument, services
from thesaban.readiness.models import IndicatorSet, Network, NetworkMembership
from thesaban.readiness.selectors import indicator_set_current


class SuperuserOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


class IndicatorSetAddForm(forms.ModelForm):
    """The JSON of a new version, checked like the project's indicator files."""

    class Meta:
        model = IndicatorSet
        fields = ["definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 30, "cols": 120})}

    def clean_definition(self):
        value = self.cleaned_data["definition"]
        instrument.parse_definition(value)
        return value


@admin.register(IndicatorSet)
class IndicatorSetAdmin(SuperuserOnly, admin.ModelAdmin):
    """A saved version is never edited: "add" starts from the current one and saves a new
    version, so assessments made with an older version keep their scores."""

    list_display = ["version", "label_th", "source", "created_at"]
    readonly_fields = [
        "version",
        "label_th",
        "label_en",
        "definition",
        "checksum",
        "source",
        "created_by",
        "created_at",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: the change page only shows a version

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = IndicatorSetAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_changeform_initial_data(self, request):
        current = indicator_set_current()
        return {"definition": current.definition} if current is not None else {}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["definition"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        created = services.indicator_set_publish(
            definition=form.cleaned_data["definition"], actor=request.user, source="admin"
        )
        obj.pk = created.pk
        obj.version = created.version

    def save_related(self, request, form, formsets, change):
        return None


class MembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 1
    autocomplete_fields: list[str] = []


@admin.register(Network)
class NetworkAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["slug", "name_th", "kind"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [MembershipInline]
