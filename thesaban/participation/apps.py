from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Participatory processes: phases, proposals, deliberation, consultation, accountability.
    Polls and participatory budgeting are the sub-app participation.voting."""

    name = "thesaban.participation"
    label = "participation"
    verbose_name = _("Participation")
    municipality_urls = [("participate/", "thesaban.participation.urls")]
    staff_urls = [("participation/", "thesaban.participation.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import (
            PublicSection,
            StaffSection,
            public_sections,
            staff_sections,
        )
        from thesaban.participation import readiness  # noqa: F401 - registers the live measure

        public_sections.register(
            PublicSection("participate", _("Participate"), "participation:processes", order=40)
        )

        staff_sections.register(
            StaffSection(
                "participation",
                _("Participation"),
                "staff:participation:home",
                order=40,
                permission="participation.view_staff_pages",
            )
        )
