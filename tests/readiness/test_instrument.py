"""The indicator file: valid as shipped, and every kind of mistake is refused with a message."""

import copy

import pytest
from django.core.exceptions import ValidationError

from thesaban.readiness import instrument
from thesaban.readiness.registry import live_indicators


@pytest.fixture
def data():
    return copy.deepcopy(instrument.definition_files()[0][1])


def test_the_shipped_set_covers_every_layer_and_dimension(data):
    definition = instrument.parse_definition(data)
    assert {i.layer for i in definition.indicators} == set(instrument.LAYERS)
    assert {i.dimension for i in definition.indicators} == set(instrument.DIMENSIONS)
    assert all(len(i.rubric_th) == len(i.rubric_en) == 5 for i in definition.indicators)
    # Seed 000's policy proposals are all there.
    assert {
        "dto",
        "leadership",
        "data_platform",
        "multichannel",
        "partnerships",
        "literacy",
    } <= set(definition.recommendations)
    assert len(definition.survey_items) == 5


def test_live_measures_computable_now_are_registered(data):
    definition = instrument.parse_definition(data)
    measures = {i.measure for i in definition.indicators if i.is_live}
    assert {
        "reports.digital_share",
        "reports.sla_compliance",
        "reports.median_resolution_hours",
        "reports.satisfaction",
        "accounts.active_participants_per_1000",
        "readiness.survey_trust",
        "readiness.survey_satisfaction",
    } <= set(live_indicators.keys())
    # The ones other apps will provide are declared, waiting for them.
    assert {
        "participation.proposals_answered_share",
        "opendata.datasets_published",
        "opendata.datasets_fresh_share",
        "opendata.budget_published_share",
        "ledger.public_records_share",
    } <= measures


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["indicators"][0].update(layer="economy"), "layer must be one of"),
        (lambda d: d["indicators"][0].update(dimension="x"), "dimension must be one of"),
        (lambda d: d["indicators"][0].update(rubric_th=["a", "b"]), "one description per level"),
        (lambda d: d["indicators"][0].update(recommendation="nope"), "is not defined"),
        (lambda d: d["indicators"][1].update(code=d["indicators"][0]["code"]), "used twice"),
        (lambda d: d["indicators"][0].update(question_en=""), "non-empty text"),
        (lambda d: d["indicators"][0].update(weight=0), "positive number"),
        (
            lambda d: next(i for i in d["indicators"] if i["kind"] == "live").update(
                thresholds=[0.8, 0.6, 0.4, 0.2]
            ),
            "thresholds must rise",
        ),
        (
            lambda d: next(i for i in d["indicators"] if i["kind"] == "live").update(
                thresholds=[1, 2]
            ),
            "four numbers",
        ),
        (lambda d: d.update(indicators=[]), "non-empty list"),
    ],
)
def test_mistakes_are_refused(data, change, message):
    change(data)
    with pytest.raises(ValidationError) as error:
        instrument.parse_definition(data)
    assert message in " ".join(error.value.messages)


def test_checksum_ignores_key_order(data):
    reordered = dict(reversed(list(data.items())))
    assert instrument.checksum(reordered) == instrument.checksum(data)
    data["label_en"] += "!"
    assert instrument.checksum(reordered) != instrument.checksum(data)
