"""Scores, maturity-level boundaries and recommendations: pure functions of levels."""

import pytest

from thesaban.readiness import instrument, scoring


@pytest.fixture(scope="module")
def definition():
    name, data = instrument.definition_files()[0]
    assert name == "v1.json"
    return instrument.parse_definition(data)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "initial"),
        (19.9, "initial"),
        (20, "developing"),
        (39.99, "developing"),
        (40, "defined"),
        (59.9, "defined"),
        (60, "managed"),
        (79.9, "managed"),
        (80, "optimising"),
        (100, "optimising"),
        (None, None),
    ],
)
def test_maturity_level_boundaries(score, level):
    assert scoring.maturity_level(score) == level


@pytest.mark.parametrize("score", [-0.1, 100.1])
def test_scores_outside_0_100_are_refused(score):
    with pytest.raises(ValueError):
        scoring.maturity_level(score)


def test_indicator_score_is_level_times_25():
    assert [scoring.indicator_score(level) for level in range(5)] == [0, 25, 50, 75, 100]
    assert scoring.indicator_score(None) is None
    with pytest.raises(ValueError):
        scoring.indicator_score(5)


def test_live_level_counts_the_thresholds_reached(definition):
    share = definition.indicator("live.digital_share")  # higher is better: 0.2 0.4 0.6 0.8
    assert [scoring.live_level(v, share) for v in (0, 0.19, 0.2, 0.4, 0.59, 0.6, 0.8, 1)] == [
        0,
        0,
        1,
        2,
        2,
        3,
        4,
        4,
    ]
    median = definition.indicator("live.median_resolution")  # lower is better: 168 96 48 24
    assert [scoring.live_level(v, median) for v in (500, 168, 100, 96, 48, 24, 1)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        4,
    ]


def test_dimension_layer_and_dmi_scores(definition):
    self_assessed = [i for i in definition.indicators if not i.is_live]
    levels = {i.code: 4 if i.dimension == "technology" else 0 for i in self_assessed}
    scores = scoring.compute_scores(definition, levels)
    assert scores.dimensions["technology"] == 100
    assert scores.dimensions["culture"] == 0
    assert scores.dimensions["participation"] == 0
    assert scores.dimensions["public_value"] == 0  # gov.feedback_loop, the only one answered
    assert scores.dmi == 25  # the mean of the four dimensions
    assert scores.maturity == "developing"
    assert scores.layers["technology"] == 100
    # Unmeasured live indicators have no score and do not pull the means down.
    assert scores.indicators["live.digital_share"] is None


def test_weights_count_in_the_means():
    data = {
        "label_th": "ทดสอบ",
        "label_en": "Test",
        "recommendations": {
            "r": {"title_th": "ก", "title_en": "A", "body_th": "ข", "body_en": "B"}
        },
        "indicators": [
            {
                "code": code,
                "layer": "technology",
                "dimension": "technology",
                "weight": weight,
                "question_th": "คำถาม",
                "question_en": "Question",
                "rubric_th": ["0", "1", "2", "3", "4"],
                "rubric_en": ["0", "1", "2", "3", "4"],
                "recommendation": "r",
            }
            for code, weight in (("a", 3), ("b", 1))
        ],
    }
    definition = instrument.parse_definition(data)
    scores = scoring.compute_scores(definition, {"a": 4, "b": 0})
    assert scores.dimensions["technology"] == 75  # (100 × 3 + 0 × 1) / 4
    assert scores.dmi == 75  # the only dimension with a score; the others are left out
    assert scores.maturity == "managed"


def test_no_score_at_all():
    scores = scoring.Scores()
    assert scores.maturity is None and scores.dmi is None


def test_recommendations_come_from_the_weakest_indicators(definition):
    levels = {i.code: 4 for i in definition.indicators if not i.is_live}
    levels.update({"cul.digital_literacy": 0, "gov.partnerships": 1, "tech.data_platform": 1})
    levels["cul.leadership"] = 2  # 50: not weak
    scores = scoring.compute_scores(definition, levels)
    advice = scoring.recommend(definition, scores)
    assert [a.recommendation.key for a in advice] == ["literacy", "partnerships", "data_platform"]
    assert [i.code for i in advice[0].because] == ["cul.digital_literacy"]


def test_recommendations_are_capped_and_grouped(definition):
    levels = {i.code: 0 for i in definition.indicators if not i.is_live}
    advice = scoring.recommend(definition, scoring.compute_scores(definition, levels))
    assert len(advice) == scoring.MAX_RECOMMENDATIONS
    keys = [a.recommendation.key for a in advice]
    assert len(keys) == len(set(keys))
    # Both governance indicators of the DTO proposal are named under one recommendation.
    dto = next(a for a in advice if a.recommendation.key == "dto")
    assert [i.code for i in dto.because] == ["gov.digital_plan", "gov.dto"]


def test_no_recommendation_when_nothing_is_weak(definition):
    levels = {i.code: 3 for i in definition.indicators if not i.is_live}
    assert scoring.recommend(definition, scoring.compute_scores(definition, levels)) == []


def test_competition_ranks_and_distribution():
    from thesaban.readiness.selectors import competition_ranks, distribution

    assert competition_ranks([50, 70, 70, None, 10]) == [3, 1, 1, None, 4]
    assert competition_ranks([5.0, 2.0], higher_is_better=False) == [2, 1]
    d = distribution([10, None, 20, 30, 40])
    assert (d.count, d.minimum, d.median, d.maximum, d.mean) == (4, 10, 25, 40, 25)
    assert (d.lower_quartile, d.upper_quartile) == (17.5, 32.5)
    assert distribution([None]).count == 0
    one = distribution([42])
    assert one.median == one.lower_quartile == 42
