from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Reading Thai for staff: the category suggester, the duplicate detector, themes in
    comments. Every output is a suggestion that a person confirms (docs/insight.md)."""

    name = "thesaban.insight"
    label = "insight"
    verbose_name = _("Insight")
    staff_urls = [("insight/", "thesaban.insight.staff_urls")]

    def ready(self) -> None:
        self._ready_categoriser()
        from thesaban.insight.duplicates import install as install_duplicates

        install_duplicates()

    def _ready_categoriser(self) -> None:
        from thesaban.core.registry import StaffSection, staff_sections
        from thesaban.insight import rules  # noqa: F401  (registers the permissions)
        from thesaban.insight.panels import category_suggestion, queue_suggestion_notes
        from thesaban.insight.tasks import on_report_event_recorded
        from thesaban.reports.models import Report
        from thesaban.reports.registry import ReportPanel, queue_notes, report_panels
        from thesaban.reports.signals import report_event_recorded

        report_panels.register(
            ReportPanel(
                "category_suggestion",
                "insight/_suggestion_panel.html",
                category_suggestion,
                order=10,
            )
        )
        queue_notes.register("category_suggestion", queue_suggestion_notes)
        report_event_recorded.connect(
            on_report_event_recorded, sender=Report, dispatch_uid="insight.categoriser"
        )
        staff_sections.register(
            StaffSection(
                "insight",
                _("Category models"),
                "staff:insight:models",
                order=70,
                permission="insight.view_models",
            )
        )
