"""Every live indicator's formula on fixture data, with the period's edges and the duplicates."""

from datetime import date, timedelta

import pytest

from tests import factories
from tests.readiness.conftest import PERIOD, at, report
from thesaban.readiness import instrument, services
from thesaban.readiness.models import SurveyResponse
from thesaban.readiness.registry import Measurement, live_indicators
from thesaban.reports.models import ReportComment, ReportSupport


def measure(key, municipality, period=PERIOD):
    return live_indicators.measure(key, municipality, *period)


@pytest.fixture
def people(db):
    return {name: factories.UserFactory() for name in "ABCDE"}


@pytest.fixture
def story(municipality, category, other_municipality, people):
    """Six reports in 2025 (one at the last minute), a duplicate, one before the period, and
    the same activity in another municipality that must never count."""
    hours = timedelta(hours=1)
    r1 = report(
        municipality,
        category,
        submitted=at(date(2025, 3, 1)),
        resolved=at(date(2025, 3, 1)) + 10 * hours,
        channel="web",
        satisfaction=5,
        reporter=people["A"],
    )
    report(
        municipality,
        category,
        submitted=at(date(2025, 4, 1)),
        resolved=at(date(2025, 4, 1)) + 100 * hours,
        channel="line",
        satisfaction=2,
        reporter=people["B"],
    )
    r3 = report(
        municipality,
        category,
        submitted=at(date(2025, 5, 1)),
        resolved=at(date(2025, 5, 1)) + 30 * hours,
        channel="phone",
    )
    report(municipality, category, submitted=at(date(2025, 6, 1)), channel="walk_in")
    report(
        municipality,
        category,
        submitted=at(date(2025, 7, 1)),
        resolved=at(date(2025, 7, 1)) + 50 * hours,
        channel="assisted",
        satisfaction=4,
    )
    report(municipality, category, submitted=at(date(2025, 12, 31), 23), channel="api")
    duplicate = report(municipality, category, submitted=at(date(2025, 7, 2)), channel="web")
    duplicate.status = "duplicate"
    duplicate.save()
    report(
        municipality,
        category,
        submitted=at(date(2024, 12, 31), 23),
        resolved=at(date(2024, 12, 31), 23) + hours,
        channel="web",
        satisfaction=1,
        reporter=people["E"],
    )
    report(  # the first moment after the period
        municipality,
        category,
        submitted=at(date(2026, 1, 1), 0),
        channel="web",
        reporter=people["E"],
    )
    other_category = factories.CategoryFactory(municipality=other_municipality)
    report(
        other_municipality,
        other_category,
        submitted=at(date(2025, 3, 1)),
        resolved=at(date(2025, 3, 1)) + 500 * hours,
        channel="phone",
        satisfaction=1,
        reporter=people["E"],
    )
    supports = [
        ReportSupport.objects.create(municipality=municipality, report=r3, user=people["C"]),
        ReportSupport.objects.create(municipality=municipality, report=r3, user=people["A"]),
        ReportSupport.objects.create(municipality=municipality, report=r1, user=people["E"]),
    ]
    ReportSupport.objects.filter(pk__in=[s.pk for s in supports[:2]]).update(
        created_at=at(date(2025, 5, 2))
    )
    ReportSupport.objects.filter(pk=supports[2].pk).update(created_at=at(date(2024, 6, 1)))
    comment = ReportComment.objects.create(
        municipality=municipality, report=r1, author=people["D"], body="ขอบคุณครับ"
    )
    ReportComment.objects.filter(pk=comment.pk).update(created_at=at(date(2025, 3, 2)))
    return people


def test_share_of_requests_received_digitally(story, municipality):
    # web, LINE, assisted and API of six reports; phone and walk-in are not digital.
    m = measure("reports.digital_share", municipality)
    assert (m.numerator, m.denominator) == (4, 6)
    assert m.value == pytest.approx(4 / 6)


def test_sla_compliance(story, municipality):
    # Resolved in 10, 100, 30 and 50 hours with a 72-hour SLA.
    m = measure("reports.sla_compliance", municipality)
    assert (m.value, m.numerator, m.denominator) == (0.75, 3, 4)


def test_median_time_to_resolution_even_and_odd(story, municipality):
    m = measure("reports.median_resolution_hours", municipality)
    assert m.value == pytest.approx(40.0, abs=0.01)  # (30 + 50) / 2
    assert m.denominator == 4
    odd = measure(
        "reports.median_resolution_hours", municipality, (date(2025, 1, 1), date(2025, 5, 31))
    )
    assert odd.value == pytest.approx(30.0, abs=0.01)  # 10, 30, 100


def test_average_satisfaction(story, municipality):
    m = measure("reports.satisfaction", municipality)
    assert m.value == pytest.approx(11 / 3)
    assert m.denominator == 3


def test_active_participants_per_1000_residents(story, municipality):
    # A and B reported, C supported (A again), D commented; E only acted outside the period
    # or in another municipality.
    m = measure("accounts.active_participants_per_1000", municipality)
    assert (m.numerator, m.denominator) == (4, 40000)
    assert m.value == pytest.approx(0.1)


def test_no_population_or_no_data_gives_no_measurement(municipality, category):
    empty = (date(2020, 1, 1), date(2020, 12, 31))
    for key in (
        "reports.digital_share",
        "reports.sla_compliance",
        "reports.median_resolution_hours",
        "reports.satisfaction",
        "readiness.survey_trust",
        "readiness.survey_satisfaction",
    ):
        assert measure(key, municipality, empty) is None, key
    municipality.population = 0
    assert measure("accounts.active_participants_per_1000", municipality) is None


def test_survey_trust_and_satisfaction(story, municipality, admin_user, indicator_set):
    survey_round = services.survey_round_start(
        municipality=municipality,
        actor=admin_user,
        title="สำรวจ 2568",
        opens_on=date(2025, 5, 1),
        closes_on=date(2025, 6, 30),
        sample_size=10,
        seed=7,
    )
    # The frame: A, B and E took part in the twelve months before the round opened (C only
    # afterwards, D only commented).
    assert survey_round.sample_size == 3
    people = story
    answers = {
        people["A"]: {
            "trust": 4,
            "transparency": 2,
            "satisfaction": 5,
            "responsiveness": 3,
            "social_capital": 3,
        },
        people["B"]: {
            "trust": 5,
            "transparency": 5,
            "satisfaction": 1,
            "responsiveness": 2,
            "social_capital": 4,
        },
    }
    for user, values in answers.items():
        services.survey_response_submit(
            survey_round=survey_round, user=user, answers=values, now=at(date(2025, 6, 1))
        )
    trust = measure("readiness.survey_trust", municipality)
    assert trust.value == pytest.approx((3 + 5) / 2)  # per-respondent means of the trust items
    assert (trust.numerator, trust.denominator) == (2, 3)  # respondents, invited
    satisfaction = measure("readiness.survey_satisfaction", municipality)
    assert satisfaction.value == pytest.approx((4 + 1.5) / 2)
    # Responses outside the period do not count.
    SurveyResponse.objects.filter(respondent=people["B"]).update(submitted_at=at(date(2026, 2, 1)))
    assert measure("readiness.survey_trust", municipality).value == pytest.approx(3)


def _definition_with(measure_key):
    data = instrument.definition_files()[0][1]
    live = next(i for i in data["indicators"] if i["kind"] == "live")
    return instrument.parse_definition(
        {**data, "indicators": [{**live, "code": "x.test", "measure": measure_key}]}
    )


def test_unregistered_measures_are_not_available_until_an_app_registers_them(municipality, db):
    definition = _definition_with("test.not_built_yet")
    assert services.measure_live(
        municipality=municipality, definition=definition, period=PERIOD
    ) == {"x.test": None}

    @live_indicators.register(
        "test.not_built_yet", label="Test", formula="always 0.5", unit="ratio"
    )
    def half(municipality, period_start, period_end):
        return Measurement(value=0.5, numerator=1, denominator=2)

    try:
        measured = services.measure_live(
            municipality=municipality, definition=definition, period=PERIOD
        )["x.test"]
        assert measured["available"] and measured["value"] == 0.5
        assert measured["level"] == 2  # digital-share thresholds 0.2 0.4 0.6 0.8
        assert measured["formula_en"] == "always 0.5"
    finally:
        live_indicators.unregister("test.not_built_yet")


def test_registry_refuses_unknown_units():
    with pytest.raises(ValueError):
        live_indicators.register("x", label="x", formula="x", unit="furlongs")
