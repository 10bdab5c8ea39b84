"""A category's extra questions: their format, the validation of answers, and the report
form asking the chosen category's questions (Open311 calls them attributes)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from thesaban.reports import services
from thesaban.reports.models import Report
from thesaban.reports.questions import answered, clean_answers, validate_questions

QUESTIONS = [
    {
        "code": "colour",
        "datatype": "singlevaluelist",
        "required": True,
        "label_th": "น้ำมีสีอะไร",
        "label_en": "What colour is the water?",
        "order": 1,
        "values": [
            {"key": "brown", "name_th": "น้ำตาล", "name_en": "Brown"},
            {"key": "clear", "name_th": "ใส", "name_en": "Clear"},
        ],
    },
    {
        "code": "smells",
        "datatype": "multivaluelist",
        "label_th": "กลิ่น",
        "label_en": "Smell",
        "order": 2,
        "values": [
            {"key": "sewage", "name_th": "ท่อ", "name_en": "Sewage"},
            {"key": "chlorine", "name_th": "คลอรีน", "name_en": "Chlorine"},
        ],
    },
    {
        "code": "households",
        "datatype": "number",
        "label_th": "กี่หลัง",
        "label_en": "Homes",
        "order": 3,
    },
    {"code": "since", "datatype": "datetime", "label_th": "ตั้งแต่", "label_en": "Since", "order": 4},
    {"code": "note", "datatype": "text", "label_th": "หมายเหตุ", "label_en": "Note", "order": 5},
]


def test_the_documented_format_validates():
    validate_questions(QUESTIONS)
    for broken in (
        "not a list",
        [{"code": "Bad Code", "datatype": "string", "label_th": "x", "label_en": "x"}],
        [{"code": "a", "datatype": "colour", "label_th": "x", "label_en": "x"}],
        [{"code": "a", "datatype": "string", "label_th": "x"}],
        [{"code": "a", "datatype": "singlevaluelist", "label_th": "x", "label_en": "x"}],
        [
            {"code": "a", "datatype": "string", "label_th": "x", "label_en": "x"},
            {"code": "a", "datatype": "string", "label_th": "y", "label_en": "y"},
        ],
    ):
        with pytest.raises(ValidationError):
            validate_questions(broken)


def test_answers_are_typed_and_checked():
    answers = clean_answers(
        QUESTIONS,
        {
            "colour": "brown",
            "smells": ["sewage", "sewage", "chlorine"],
            "households": "12",
            "since": "2026-11-20T08:30",
            "note": "  เริ่มหลังฝนตก ",
        },
    )
    assert answers == {
        "colour": "brown",
        "smells": ["sewage", "chlorine"],
        "households": 12,
        "since": "2026-11-20T08:30:00",
        "note": "เริ่มหลังฝนตก",
    }


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({}, "attribute[colour]"),
        ({"colour": "purple"}, "attribute[colour]"),
        ({"colour": "brown", "smells": ["roses"]}, "attribute[smells]"),
        ({"colour": "brown", "households": "many"}, "attribute[households]"),
        ({"colour": "brown", "households": "nan"}, "attribute[households]"),
        ({"colour": "brown", "since": "yesterday"}, "attribute[since]"),
        ({"colour": "brown", "note": "x" * 2001}, "attribute[note]"),
        ({"colour": "brown", "unknown": "1"}, "attribute[unknown]"),
    ],
)
def test_bad_answers_name_the_question(raw, key):
    with pytest.raises(ValidationError) as caught:
        clean_answers(QUESTIONS, raw)
    assert key in caught.value.message_dict


@pytest.mark.django_db
def test_report_create_stores_clean_answers_and_refuses_bad_ones(municipality, category):
    category.questions = QUESTIONS
    category.save()
    with pytest.raises(ValidationError):
        services.report_create(
            municipality=municipality, category=category, description="น้ำขุ่น", address="ซอย 1"
        )
    report = services.report_create(
        municipality=municipality,
        category=category,
        description="น้ำขุ่น",
        address="ซอย 1",
        answers={"colour": "brown", "smells": ["sewage"]},
    )
    assert report.answers == {"colour": "brown", "smells": ["sewage"]}
    with translation.override("th"):
        names = [text for _question, text in answered(QUESTIONS, report.answers)]
    assert names == ["น้ำตาล", "ท่อ"]


@pytest.mark.django_db
def test_the_web_form_asks_the_chosen_categorys_questions(client, municipality, category):
    category.questions = QUESTIONS
    category.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("reports:new", kwargs={"municipality": municipality.slug})
    page = client.get(url).content.decode()
    assert "What colour is the water? (required)" in page
    data = {
        "category": category.pk,
        "description": "น้ำประปาขุ่น",
        "address": "หน้าตลาด",
        "is_anonymous": "on",
        "confirm_new": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"q_{category.pk}_colour"]
    assert not Report.objects.exists()
    data[f"q_{category.pk}_colour"] = "clear"
    data[f"q_{category.pk}_smells"] = ["chlorine"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert Report.objects.get().answers == {"colour": "clear", "smells": ["chlorine"]}
