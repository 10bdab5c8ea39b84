"""The live indicators computable now, from reports, accounts and this app's resident survey.

Registered in ReadinessConfig.ready(). Each reads one municipality's rows of the period in a
fixed number of grouped queries. Duplicates (reports merged into another) are never counted.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, F, Q, Value
from django.utils.translation import gettext_lazy as _

from thesaban.core.db import EpochSeconds
from thesaban.readiness.models import SurveyInvitation, SurveyResponse
from thesaban.readiness.registry import Measurement, live_indicators, period_bounds
from thesaban.reports.models import Report, ReportComment, ReportSupport
from thesaban.reports.workflow import Status

# Channels through which a request arrives digitally; telephone and walk-in are not.
DIGITAL_CHANNELS = (
    Report.Channel.WEB,
    Report.Channel.LINE,
    Report.Channel.API,
    Report.Channel.OPEN311,
    Report.Channel.ASSISTED,
)


def _reports(municipality, period_start: date, period_end: date):
    start, end = period_bounds(period_start, period_end)
    return Report.objects.filter(
        municipality=municipality, submitted_at__gte=start, submitted_at__lt=end
    ).exclude(status=Status.DUPLICATE)


@live_indicators.register(
    "reports.digital_share",
    label=_("Share of requests received digitally"),
    formula=_(
        "reports submitted in the period through the web, LINE, the API, Open311 or a digital "
        "centre ÷ all reports submitted in the period (duplicates not counted)"
    ),
    unit="ratio",
)
def digital_share(municipality, period_start: date, period_end: date) -> Measurement | None:
    totals = _reports(municipality, period_start, period_end).aggregate(
        total=Count("*"), digital=Count("submitted_at", filter=Q(channel__in=DIGITAL_CHANNELS))
    )
    if not totals["total"]:
        return None
    return Measurement(
        value=totals["digital"] / totals["total"],
        numerator=totals["digital"],
        denominator=totals["total"],
    )


@live_indicators.register(
    "reports.sla_compliance",
    label=_("SLA compliance"),
    formula=_(
        "reports submitted in the period and resolved no later than their SLA deadline ÷ "
        "reports submitted in the period and resolved"
    ),
    unit="ratio",
)
def sla_compliance(municipality, period_start: date, period_end: date) -> Measurement | None:
    totals = (
        _reports(municipality, period_start, period_end)
        .filter(resolved_at__isnull=False)
        .aggregate(
            resolved=Count("*"),
            within=Count("submitted_at", filter=Q(resolved_at__lte=F("sla_due_at"))),
        )
    )
    if not totals["resolved"]:
        return None
    return Measurement(
        value=totals["within"] / totals["resolved"],
        numerator=totals["within"],
        denominator=totals["resolved"],
    )


@live_indicators.register(
    "reports.median_resolution_hours",
    label=_("Median time to resolution"),
    formula=_(
        "median of (resolved at − submitted at), in hours, over the reports submitted in the "
        "period and resolved"
    ),
    unit="hours",
)
def median_resolution_hours(
    municipality, period_start: date, period_end: date
) -> Measurement | None:
    resolved = _reports(municipality, period_start, period_end).filter(resolved_at__isnull=False)
    count = resolved.count()
    if not count:
        return None
    hours = (
        resolved.annotate(
            hours=(EpochSeconds("resolved_at") - EpochSeconds("submitted_at")) / Value(3600.0)
        )
        .values_list("hours", flat=True)
        .order_by("hours")
    )
    # Only the middle one or two rows leave the database.
    if count % 2:
        median = float(hours[count // 2])
    else:
        pair = list(hours[count // 2 - 1 : count // 2 + 1])
        median = float(sum(pair) / 2)
    return Measurement(value=median, denominator=count)


@live_indicators.register(
    "reports.satisfaction",
    label=_("Average satisfaction"),
    formula=_("mean of the 1–5 ratings given to reports submitted in the period"),
    unit="score_1_5",
)
def satisfaction(municipality, period_start: date, period_end: date) -> Measurement | None:
    totals = _reports(municipality, period_start, period_end).aggregate(
        mean=Avg("satisfaction"), rated=Count("satisfaction")
    )
    if not totals["rated"]:
        return None
    return Measurement(value=float(totals["mean"]), denominator=totals["rated"])


@live_indicators.register(
    "accounts.active_participants_per_1000",
    label=_("Active participants per 1,000 residents"),
    formula=_(
        "distinct resident accounts that reported, supported or commented in the period ÷ the "
        "municipality's population × 1,000"
    ),
    unit="per_1000",
)
def active_participants_per_1000(
    municipality, period_start: date, period_end: date
) -> Measurement | None:
    if not municipality.population:
        return None
    start, end = period_bounds(period_start, period_end)
    people: set[int] = set(
        _reports(municipality, period_start, period_end)
        .filter(reporter__isnull=False)
        .values_list("reporter_id", flat=True)
        .distinct()
    )
    people.update(
        ReportSupport.objects.filter(
            municipality=municipality, created_at__gte=start, created_at__lt=end
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    people.update(
        ReportComment.objects.filter(
            municipality=municipality,
            created_at__gte=start,
            created_at__lt=end,
            author__isnull=False,
        )
        .values_list("author_id", flat=True)
        .distinct()
    )
    return Measurement(
        value=len(people) / municipality.population * 1000,
        numerator=len(people),
        denominator=municipality.population,
    )


def _survey_construct(
    municipality, period_start: date, period_end: date, construct: str
) -> Measurement | None:
    """Mean over respondents of their mean answer (1–5) to the construct's items."""
    start, end = period_bounds(period_start, period_end)
    responses = list(
        SurveyResponse.objects.filter(
            municipality=municipality, submitted_at__gte=start, submitted_at__lt=end
        )
        .select_related("round")
        .only("answers", "round__items", "round_id")
    )
    values = []
    for response in responses:
        codes = [item["code"] for item in response.round.items if item["construct"] == construct]
        answers = [response.answers[c] for c in codes if isinstance(response.answers.get(c), int)]
        if answers:
            values.append(sum(answers) / len(answers))
    if not values:
        return None
    rounds = {response.round_id for response in responses}
    invited = SurveyInvitation.objects.filter(
        municipality=municipality, round_id__in=rounds
    ).count()
    return Measurement(value=sum(values) / len(values), numerator=len(values), denominator=invited)


@live_indicators.register(
    "readiness.survey_trust",
    label=_("Trust (resident survey)"),
    formula=_(
        "mean over the respondents of the period of their mean answer (1–5) to the trust "
        "questions; respondents ÷ residents invited"
    ),
    unit="score_1_5",
)
def survey_trust(municipality, period_start: date, period_end: date) -> Measurement | None:
    return _survey_construct(municipality, period_start, period_end, "trust")


@live_indicators.register(
    "readiness.survey_satisfaction",
    label=_("Satisfaction (resident survey)"),
    formula=_(
        "mean over the respondents of the period of their mean answer (1–5) to the "
        "satisfaction questions; respondents ÷ residents invited"
    ),
    unit="score_1_5",
)
def survey_satisfaction(municipality, period_start: date, period_end: date) -> Measurement | None:
    return _survey_construct(municipality, period_start, period_end, "satisfaction")
