from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The transparency ledger: an append-only RFC 9162 Merkle log of public records."""

    name = "thesaban.ledger"
    label = "ledger"
    verbose_name = _("Transparency ledger")
    municipality_urls = [("ledger/", "thesaban.ledger.urls")]

    def ready(self) -> None:
        from thesaban.ledger import readiness, reports  # noqa: F401 - registers the measure

        reports.register()
