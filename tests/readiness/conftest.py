from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from thesaban.readiness import services
from thesaban.readiness.models import IndicatorSet

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def at(day: date, hour: int = 10) -> datetime:
    """An aware moment inside the period, in the deployment's time zone."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def indicator_set(db) -> IndicatorSet:
    services.indicator_set_load_files()
    return IndicatorSet.objects.order_by("-version").first()


@pytest.fixture
def assessment(municipality, admin_user, indicator_set):
    return services.assessment_start(
        municipality=municipality,
        actor=admin_user,
        title="ประเมินตนเอง 2568",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )


def answer_all(assessment, actor, level: int | dict = 2) -> None:
    from thesaban.readiness.selectors import definition_of

    for indicator in definition_of(assessment).indicators:
        if indicator.is_live:
            continue
        value = level.get(indicator.code, 2) if isinstance(level, dict) else level
        services.assessment_answer_save(
            assessment=assessment, actor=actor, indicator_code=indicator.code, level=value
        )


def report(municipality, category, *, submitted, resolved=None, channel="web", **extra):
    """A report written straight to the table with the given story."""
    return factories.ReportFactory(
        municipality=municipality,
        category=category,
        submitted_at=submitted,
        updated_at=resolved or submitted,
        sla_due_at=submitted + timedelta(hours=72),
        resolved_at=resolved,
        status="resolved" if resolved else "submitted",
        channel=channel,
        **extra,
    )
