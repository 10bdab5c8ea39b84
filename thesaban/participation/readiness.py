"""Participation's live measure for the readiness assessment (readiness/registry.py)."""

from django.utils.translation import gettext_lazy as _

from thesaban.readiness.registry import Measurement, live_indicators, period_bounds


@live_indicators.register(
    "participation.proposals_answered_share",
    label=_("Proposals answered"),
    formula=_(
        "proposals made in the period (not hidden by moderators) that have a public answer "
        "÷ all proposals made in the period"
    ),
    unit="ratio",
)
def proposals_answered_share(municipality, period_start, period_end):
    from thesaban.participation.models import Proposal

    start, end = period_bounds(period_start, period_end)
    proposals = Proposal.objects.filter(
        municipality=municipality, is_hidden=False, created_at__gte=start, created_at__lt=end
    )
    total = proposals.count()
    if not total:
        return None
    answered = proposals.exclude(answer="").count()
    return Measurement(value=answered / total, numerator=answered, denominator=total)
