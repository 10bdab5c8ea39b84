"""Every read of digital readiness. Lists start from the municipality (or the network)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from thesaban.municipalities.models import Community, Municipality
from thesaban.readiness import instrument, scoring
from thesaban.readiness.models import (
    Answer,
    Assessment,
    EvidenceFile,
    IndicatorSet,
    Network,
    NetworkMembership,
    Publication,
    SurveyInvitation,
    SurveyResponse,
    SurveyRound,
)
from thesaban.readiness.registry import live_indicators, period_bounds
from thesaban.reports.models import Report, ReportSupport
from thesaban.reports.workflow import Status

# --------------------------------------------------------------------------- instrument


def indicator_set_current() -> IndicatorSet | None:
    return IndicatorSet.objects.order_by("-version").first()


def indicator_set_list() -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.order_by("-version")


@lru_cache(maxsize=32)
def _parsed(indicator_set_id: int, checksum: str) -> instrument.Definition:
    # Safe to cache: a saved version never changes (an edit is a new version).
    definition = IndicatorSet.objects.values_list("definition", flat=True).get(pk=indicator_set_id)
    return instrument.parse_definition(definition)


def definition_of(assessment_or_set: Assessment | IndicatorSet) -> instrument.Definition:
    indicator_set = (
        assessment_or_set.indicator_set
        if isinstance(assessment_or_set, Assessment)
        else assessment_or_set
    )
    return _parsed(indicator_set.pk, indicator_set.checksum)


# --------------------------------------------------------------------------- assessments


def assessment_list(*, municipality: Municipality) -> QuerySet[Assessment]:
    return Assessment.objects.filter(municipality=municipality).select_related("indicator_set")


def assessment_completed_list(*, municipality: Municipality) -> list[Assessment]:
    """Completed assessments, oldest first: the trend."""
    return list(
        Assessment.objects.filter(
            municipality=municipality, status=Assessment.Status.COMPLETED
        ).order_by("period_end", "id")
    )


def answers_of(assessment: Assessment) -> dict[str, Answer]:
    files = EvidenceFile.objects.defer("content").order_by("uploaded_at", "id")
    return {
        answer.indicator_code: answer
        for answer in Answer.objects.filter(
            municipality_id=assessment.municipality_id, assessment=assessment
        ).prefetch_related(Prefetch("files", queryset=files))
    }


@dataclass
class IndicatorRow:
    indicator: instrument.Indicator
    answer: Answer | None
    score: float | None
    live: dict[str, Any] | None = None  # the measurement (frozen, or a preview on a draft)
    registered: bool = True  # False: a live indicator no app provides yet

    @property
    def level(self) -> int | None:
        if self.indicator.is_live:
            return (self.live or {}).get("level")
        return self.answer.level if self.answer else None

    @property
    def level_description(self) -> str:
        level = self.level
        return self.indicator.rubric[level] if level is not None else ""

    @property
    def unit(self) -> str:
        return (self.live or {}).get("unit", "")

    @property
    def value(self) -> float | None:
        return (self.live or {}).get("value")


@dataclass
class LayerGroup:
    key: str
    label: str
    score: float | None
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class AssessmentReport:
    assessment: Assessment
    definition: instrument.Definition
    layers: list[LayerGroup]
    scores: scoring.Scores
    advice: list[scoring.Advice]
    provisional: bool  # a draft: scores of what is answered so far, live values as of now

    @property
    def maturity(self) -> str | None:
        return self.scores.maturity

    @property
    def maturity_label(self) -> str:
        return str(scoring.MATURITY_LABELS.get(self.scores.maturity or "", ""))

    @property
    def dimensions(self) -> list[tuple[str, str, float | None]]:
        return [
            (key, str(label), self.scores.dimensions.get(key))
            for key, label in instrument.DIMENSIONS.items()
        ]

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for group in self.layers for row in group.rows]


def assessment_report(assessment: Assessment) -> AssessmentReport:
    """Everything an assessment page, its PDF and its CSV show."""
    from thesaban.readiness.services import measure_live

    definition = definition_of(assessment)
    answers = answers_of(assessment)
    if assessment.is_completed:
        live = {code: answer.measurement for code, answer in answers.items() if answer.measurement}
        scores = scoring.Scores.from_dict(assessment.scores)
    else:
        live = measure_live(
            municipality=assessment.municipality,
            definition=definition,
            period=(assessment.period_start, assessment.period_end),
        )
        levels = {
            i.code: (
                (live.get(i.code) or {}).get("level")
                if i.is_live
                else answers[i.code].level
                if i.code in answers
                else None
            )
            for i in definition.indicators
        }
        scores = scoring.compute_scores(definition, levels)
    groups = {
        key: LayerGroup(key, str(label), scores.layers.get(key))
        for key, label in instrument.LAYERS.items()
    }
    for indicator in definition.indicators:
        snapshot = live.get(indicator.code) if indicator.is_live else None
        registered = not indicator.is_live or bool(snapshot and snapshot.get("available"))
        groups[indicator.layer].rows.append(
            IndicatorRow(
                indicator=indicator,
                answer=answers.get(indicator.code),
                score=scores.indicators.get(indicator.code),
                live=snapshot,
                registered=registered,
            )
        )
    return AssessmentReport(
        assessment=assessment,
        definition=definition,
        layers=list(groups.values()),
        scores=scores,
        advice=scoring.recommend(definition, scores),
        provisional=not assessment.is_completed,
    )


# --------------------------------------------------------------------------- publication


def results_are_public(*, municipality: Municipality) -> bool:
    return Publication.objects.filter(municipality=municipality, results_public=True).exists()


# --------------------------------------------------------------------------- networks


def network_list() -> QuerySet[Network]:
    return Network.objects.order_by("name_th")


def networks_of(*, municipality: Municipality) -> QuerySet[Network]:
    return Network.objects.filter(memberships__municipality=municipality).order_by("name_th")


def default_period(today: date | None = None) -> tuple[date, date]:
    """The twelve months that ended yesterday: the period of the network's live figures."""
    today = today or timezone.localdate()
    end = today - timedelta(days=1)
    return end - timedelta(days=364), end


@dataclass
class MemberRow:
    municipality: Municipality
    public: bool
    assessment: Assessment | None
    dmi: float | None
    maturity: str
    dimensions: dict[str, float | None]
    live: dict[str, float | None]
    rank: int | None = None
    is_viewer: bool = False

    @property
    def maturity_label(self) -> str:
        return str(scoring.MATURITY_LABELS.get(self.maturity, ""))


@dataclass
class Distribution:
    count: int
    minimum: float | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    maximum: float | None
    mean: float | None


def distribution(values: list[float | None]) -> Distribution:
    present = sorted(v for v in values if v is not None)
    if not present:
        return Distribution(0, None, None, None, None, None, None)
    if len(present) >= 2:
        lower, median, upper = statistics.quantiles(present, n=4, method="inclusive")
    else:
        lower = median = upper = present[0]
    return Distribution(
        count=len(present),
        minimum=present[0],
        lower_quartile=lower,
        median=median,
        upper_quartile=upper,
        maximum=present[-1],
        mean=sum(present) / len(present),
    )


def competition_ranks(
    values: list[float | None], *, higher_is_better: bool = True
) -> list[int | None]:
    """Standard competition ranking ("1224"): ties share a rank; no value, no rank."""
    ranks: list[int | None] = []
    for value in values:
        if value is None:
            ranks.append(None)
            continue
        better = sum(
            1
            for other in values
            if other is not None and (other > value if higher_is_better else other < value)
        )
        ranks.append(better + 1)
    return ranks


@dataclass
class LiveColumn:
    code: str
    measure: str
    label: Any
    formula: Any
    unit: str
    better: str
    distribution: Distribution | None = None


@dataclass
class NetworkComparison:
    network: Network
    period: tuple[date, date]
    rows: list[MemberRow]
    hidden_members: int  # members that do not publish and are not the viewer
    dimensions: list[tuple[str, str]]
    live_columns: list[LiveColumn]
    dmi_distribution: Distribution
    dimension_distributions: dict[str, Distribution]


LIVE_CACHE_SECONDS = 600


def _measure_cached(
    key: str, municipality: Municipality, period: tuple[date, date]
) -> float | None:
    cache_key = f"readiness:live:{key}:{municipality.pk}:{period[0]}:{period[1]}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached.get("value")
    measurement = live_indicators.measure(key, municipality, *period)
    value = measurement.value if measurement else None
    cache.set(cache_key, {"value": value}, LIVE_CACHE_SECONDS)
    return value


def network_comparison(
    *,
    network: Network,
    viewer: Municipality | None = None,
    period: tuple[date, date] | None = None,
) -> NetworkComparison:
    """The members that publish their results (and the viewer's own municipality, for its
    staff): latest completed DMI, dimensions and live indicators, ranks and distributions.

    Members that do not publish are left out entirely, not anonymised: in a small network an
    unnamed row is easy to identify by elimination. Only their number is given.
    """
    period = period or default_period()
    memberships = list(
        NetworkMembership.objects.filter(network=network)
        .select_related("municipality")
        .filter(municipality__is_active=True)
    )
    members = [m.municipality for m in memberships]
    public_ids = set(
        Publication.objects.filter(municipality__in=members, results_public=True).values_list(
            "municipality_id", flat=True
        )
    )
    shown = [m for m in members if m.pk in public_ids or (viewer is not None and m.pk == viewer.pk)]
    latest: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(
        municipality__in=shown, status=Assessment.Status.COMPLETED
    ).order_by("municipality_id", "-period_end", "-id"):
        latest.setdefault(assessment.municipality_id, assessment)
    current = indicator_set_current()
    definition = definition_of(current) if current else None
    live_columns = []
    for indicator in definition.indicators if definition else ():
        entry = live_indicators.get(indicator.measure) if indicator.is_live else None
        if entry is not None:
            live_columns.append(
                LiveColumn(
                    indicator.code,
                    indicator.measure,
                    entry.label,
                    entry.formula,
                    entry.unit,
                    indicator.better,
                )
            )
    rows = []
    for municipality in shown:
        assessment = latest.get(municipality.pk)
        scores = scoring.Scores.from_dict(assessment.scores if assessment else {})
        rows.append(
            MemberRow(
                municipality=municipality,
                public=municipality.pk in public_ids,
                assessment=assessment,
                dmi=scores.dmi,
                maturity=(assessment.maturity if assessment else ""),
                dimensions={key: scores.dimensions.get(key) for key in instrument.DIMENSIONS},
                live={
                    column.code: _measure_cached(column.measure, municipality, period)
                    for column in live_columns
                },
                is_viewer=viewer is not None and municipality.pk == viewer.pk,
            )
        )
    for row, rank in zip(rows, competition_ranks([r.dmi for r in rows]), strict=True):
        row.rank = rank
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.municipality.name_th))
    for column in live_columns:
        column.distribution = distribution([row.live[column.code] for row in rows])
    return NetworkComparison(
        network=network,
        period=period,
        rows=rows,
        hidden_members=sum(
            1 for m in members if m.pk not in public_ids and not (viewer and m.pk == viewer.pk)
        ),
        dimensions=[(key, str(label)) for key, label in instrument.DIMENSIONS.items()],
        live_columns=live_columns,
        dmi_distribution=distribution([row.dmi for row in rows]),
        dimension_distributions={
            key: distribution([row.dimensions[key] for row in rows])
            for key in instrument.DIMENSIONS
        },
    )


# --------------------------------------------------------------------------- survey


def community_ids_by_code(*, municipality: Municipality) -> dict[str, int]:
    return dict(Community.objects.filter(municipality=municipality).values_list("code", "id"))


def survey_frame(*, municipality: Municipality, until: date) -> dict[str, list[int]]:
    """The sampling frame: resident accounts that reported or supported a report of the
    municipality in the twelve months up to the end of the day `until`, by the community of their latest such
    report ("" when it had none). The municipality's own staff are left out."""
    from thesaban.accounts.models import StaffRole

    start, end = period_bounds(until - timedelta(days=365), until)
    staff = set(
        StaffRole.objects.filter(municipality=municipality).values_list("user_id", flat=True)
    )
    latest: dict[int, tuple[Any, int | None]] = {}
    reported = (
        Report.objects.filter(
            municipality=municipality,
            reporter__isnull=False,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .exclude(status=Status.DUPLICATE)
        .values_list("reporter_id", "submitted_at", "community_id")
    )
    supported = ReportSupport.objects.filter(
        municipality=municipality, created_at__gte=start, created_at__lt=end
    ).values_list("user_id", "created_at", "report__community_id")
    for user_id, when, community_id in [*reported, *supported]:
        if user_id in staff:
            continue
        if user_id not in latest or when > latest[user_id][0]:
            latest[user_id] = (when, community_id)
    codes = {pk: code for code, pk in community_ids_by_code(municipality=municipality).items()}
    frame: dict[str, list[int]] = {}
    for user_id, (_when, community_id) in latest.items():
        frame.setdefault(codes.get(community_id, ""), []).append(user_id)
    return {stratum: sorted(ids) for stratum, ids in frame.items()}


def survey_round_list(*, municipality: Municipality) -> QuerySet[SurveyRound]:
    return SurveyRound.objects.filter(municipality=municipality).order_by("-opens_on", "-id")


@dataclass
class ItemResult:
    code: str
    construct: str
    text: str
    answered: int
    mean: float | None
    counts: list[int]  # answers 1..5


@dataclass
class RoundResults:
    survey_round: SurveyRound
    invited: int
    responded: int
    items: list[ItemResult]
    constructs: dict[str, float | None]

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


def survey_round_results(*, survey_round: SurveyRound) -> RoundResults:
    """Aggregates only: a resident's own answers are never shown to anyone."""
    answers = list(
        SurveyResponse.objects.filter(
            municipality_id=survey_round.municipality_id, round=survey_round
        ).values_list("answers", flat=True)
    )
    invited = SurveyInvitation.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round
    ).count()
    language = instrument._language()
    items = []
    for item in survey_round.items:
        values = [a[item["code"]] for a in answers if isinstance(a.get(item["code"]), int)]
        items.append(
            ItemResult(
                code=item["code"],
                construct=item["construct"],
                text=item[f"text_{language}"],
                answered=len(values),
                mean=sum(values) / len(values) if values else None,
                counts=[values.count(score) for score in range(1, 6)],
            )
        )
    constructs = {}
    for construct in ("trust", "satisfaction", "social_capital"):
        means = [i.mean for i in items if i.construct == construct and i.mean is not None]
        constructs[construct] = sum(means) / len(means) if means else None
    return RoundResults(survey_round, invited, len(answers), items, constructs)


def survey_rounds_for_resident(*, municipality: Municipality, user) -> list[dict[str, Any]]:
    """The rounds this resident is invited to, and whether each is answered."""
    if not user.is_authenticated:
        return []
    invitations = SurveyInvitation.objects.filter(
        municipality=municipality, user=user
    ).select_related("round")
    answered = set(
        SurveyResponse.objects.filter(municipality=municipality, respondent=user).values_list(
            "round_id", flat=True
        )
    )
    return [
        {"round": invitation.round, "answered": invitation.round_id in answered}
        for invitation in invitations
    ]


def survey_invitation_for(*, survey_round: SurveyRound, user) -> SurveyInvitation | None:
    if not user.is_authenticated:
        return None
    return SurveyInvitation.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round, user=user
    ).first()


def survey_response_of(*, survey_round: SurveyRound, user) -> SurveyResponse | None:
    if not user.is_authenticated:
        return None
    return SurveyResponse.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round, respondent=user
    ).first()


def latest_version_number() -> int:
    return IndicatorSet.objects.aggregate(last=Max("version"))["last"] or 0
