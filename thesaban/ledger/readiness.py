"""The ledger's live measure for the readiness assessment (readiness/registry.py)."""

from django.utils.translation import gettext_lazy as _

from thesaban.readiness.registry import Measurement, live_indicators


@live_indicators.register(
    "ledger.public_records_share",
    label=_("Public records in the transparency ledger"),
    formula=_(
        "records of the public kinds (report status changes, budget versions, transfers, "
        "disbursements, procurement awards, tallies) that have a ledger entry ÷ all such "
        "records, counted when the assessment is computed"
    ),
    unit="ratio",
)
def public_records_share(municipality, period_start, period_end):
    from thesaban.ledger.models import LedgerEntry
    from thesaban.ledger.registry import record_types

    total = ledgered = 0
    for spec in record_types.all():
        if spec.backfill is None:
            continue
        total += spec.backfill(municipality).count()
        ledgered += (
            LedgerEntry.objects.filter(municipality=municipality, record_model=spec.model_label)
            .values("record_id")
            .distinct()
            .count()
        )
    if not total:
        return None
    ledgered = min(ledgered, total)
    return Measurement(value=ledgered / total, numerator=ledgered, denominator=total)
