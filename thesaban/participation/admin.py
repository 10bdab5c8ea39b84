"""Admin pages for what staff configure rarely: consultation documents and their sections.
Processes, phases, answers, moderation and results have their own staff pages."""

from django.contrib import admin

from thesaban.core.admin_scoping import MunicipalityScopedAdmin
from thesaban.participation.models import ConsultationDocument, DocumentSection


class DocumentSectionInline(admin.StackedInline):
    model = DocumentSection
    extra = 1
    fields = ["order", "heading_th", "heading_en", "body_th", "body_en"]


@admin.register(ConsultationDocument)
class ConsultationDocumentAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "process", "is_published", "municipality"]
    list_filter = ["is_published"]
    fields = [
        "municipality",
        "process",
        "slug",
        "title_th",
        "title_en",
        "introduction_th",
        "introduction_en",
        "is_published",
    ]
    inlines = [DocumentSectionInline]

    def save_formset(self, request, form, formset, change):
        # Sections carry their document's municipality (every tenant row does).
        for section in formset.save(commit=False):
            section.municipality = form.instance.municipality
            section.save()
        for section in formset.deleted_objects:
            section.delete()
        formset.save_m2m()
