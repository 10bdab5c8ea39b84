from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    """Polls (single, multiple, ranked choice), secret ballots and participatory budgeting."""

    name = "thesaban.participation.voting"
    label = "voting"
    verbose_name = _("Voting")
    municipality_urls = [("votes/", "thesaban.participation.voting.urls")]
    staff_urls = [("votes/", "thesaban.participation.voting.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import (
            PublicSection,
            StaffSection,
            public_sections,
            staff_sections,
        )
        from thesaban.participation.registry import ProcessPanel, process_panels
        from thesaban.participation.voting.panels import process_votes

        public_sections.register(PublicSection("votes", _("Vote"), "voting:index", order=45))
        process_panels.register(
            ProcessPanel("votes", "voting/_process_panel.html", process_votes, order=10)
        )
        staff_sections.register(
            StaffSection(
                "voting",
                _("Polls and budgets"),
                "staff:voting:index",
                order=60,
                permission="voting.view_staff",
            )
        )
