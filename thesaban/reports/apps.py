from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "thesaban.reports"
    label = "reports"
    verbose_name = _("Reports")
    municipality_urls = [("reports/", "thesaban.reports.urls")]
    staff_urls = [
        ("", "thesaban.reports.staff_urls"),
        ("intake/", "thesaban.reports.intake_urls"),
    ]

    def ready(self) -> None:
        from thesaban.core.registry import (
            PublicSection,
            StaffSection,
            public_sections,
            staff_sections,
        )

        public_sections.register(
            PublicSection("report_new", _("Report a problem"), "reports:new", order=10)
        )
        public_sections.register(PublicSection("reports", _("Reports"), "reports:list", order=20))
        public_sections.register(PublicSection("map", _("Map"), "reports:map", order=30))

        staff_sections.register(
            StaffSection(
                "dashboard",
                _("Dashboard"),
                "staff:dashboard",
                order=10,
                permission="reports.view_dashboard",
            )
        )
        staff_sections.register(
            StaffSection(
                "queue", _("Triage queue"), "staff:queue", order=20, permission="reports.view_queue"
            )
        )
        staff_sections.register(
            StaffSection(
                "intake",
                _("Assisted intake"),
                "staff:intake:new",
                order=30,
                permission="reports.assist_intake",
            )
        )
