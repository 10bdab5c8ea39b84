"""Residents' operations on reports through the JSON API."""

import uuid

import pytest

from tests import factories
from thesaban.channels.services import api_key_create
from thesaban.reports import services
from thesaban.reports.models import Report, ReportComment, ReportFollower
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


def reports_url(slug="alpha", code=""):
    return f"municipalities/{slug}/reports" + (f"/{code}" if code else "")


def body(category, **extra):
    return {
        "category": category.pk,
        "description": "ไฟถนนดับทั้งซอย",
        "lat": 13.005,
        "lng": 100.005,
        **extra,
    }


# --- create ---------------------------------------------------------------------------------


def test_anyone_creates_a_report_and_gets_its_tracking_code_and_follow_token(api, category):
    response = api.post(reports_url(), body(category, reporter_email="a@example.org"))
    assert response.status_code == 201, response.content
    data = response.json()
    report = Report.objects.get(tracking_code=data["tracking_code"])
    assert data["tracking_code"].startswith("ALPHA-")
    assert report.channel == Report.Channel.API
    assert report.reporter is None and report.reporter_email == "a@example.org"
    assert data["follow_token"] == report.follow_token
    assert report.tracking_code in data["follow_url"] and report.follow_token in data["follow_url"]
    assert data["status"] == "submitted" and data["timeline"][0]["kind"] == "created"
    assert "reporter_email" not in data and "a@example.org" not in response.content.decode()


def test_a_signed_in_resident_reports_as_themselves(client_for, category, reporter):
    response = client_for(reporter).post(reports_url(), body(category, is_anonymous=False))
    assert response.status_code == 201
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.reporter == reporter
    assert response.json()["reported_by"] == "Reporter Publicname"
    assert ReportFollower.objects.filter(report=report, user=reporter).exists()


def test_an_integrator_reports_with_its_municipalitys_api_key(client_for, category, municipality):
    api_key, raw = api_key_create(municipality=municipality, name="City app")
    response = client_for(api_key=raw).post(
        reports_url(), body(category, reporter_phone="0812345678")
    )
    assert response.status_code == 201
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.api_key == api_key and report.reporter_phone == "0812345678"


def test_an_api_key_of_another_municipality_is_refused(client_for, category, other_municipality):
    _key, raw = api_key_create(municipality=other_municipality, name="Elsewhere")
    response = client_for(api_key=raw).post(reports_url(), body(category))
    assert response.status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("header", ["Bearer nonsense", "Token abc", "Bearer "])
def test_a_wrong_credential_is_401_not_anonymous(api, category, header):
    response = api.post(reports_url(), body(category), headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail", "errors"}
    assert Report.objects.count() == 0


def test_a_wrong_api_key_is_401(api, category):
    response = api.post(reports_url(), body(category), headers={"X-Api-Key": "ths_wrong"})
    assert response.status_code == 401
    assert Report.objects.count() == 0


def test_the_extra_questions_are_answered_and_checked(api, category):
    category.questions = [
        {
            "code": "depth",
            "datatype": "number",
            "required": True,
            "label_th": "ลึกเท่าไร",
            "label_en": "How deep?",
            "order": 1,
        }
    ]
    category.save()
    missing = api.post(reports_url(), body(category), headers={"Accept-Language": "en"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"attribute[depth]": ["This question must be answered."]}
    ok = api.post(reports_url(), body(category, answers={"depth": "12.5"}))
    assert ok.status_code == 201
    assert Report.objects.get().answers == {"depth": 12.5}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"lat": 91}, "lat"),
        ({"lng": None}, "lat"),
        ({"category": 999999}, "category"),
        ({"reporter_email": "not-an-address"}, "reporter_email"),
        ({"description": "nul\x00byte"}, "description"),
        ({"answers": {"nope": "x"}}, "attribute[nope]"),
    ],
)
def test_bad_input_is_422_with_the_field_named(api, category, change, field):
    response = api.post(
        reports_url(), {**body(category), **change}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422, response.content
    data = response.json()
    assert field in data["errors"], data
    assert data["detail"]
    assert Report.objects.count() == 0


def test_errors_are_in_thai_by_default_and_english_on_request(api, category):
    blank = {**body(category), "description": "   "}
    thai = api.post(reports_url(), blank)
    english = api.post(reports_url(), blank, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json()["errors"]["description"] == ["Please describe the problem."]
    assert english.json()["detail"] == "Please describe the problem."
    assert thai.json()["errors"]["description"] == ["กรุณาเล่ารายละเอียดของปัญหา"]
    assert thai["Content-Language"] == "th" and english["Content-Language"] == "en"
    assert "Accept-Language" in english["Vary"]
    assert (
        api.post(reports_url() + "?lang=en", blank).json()["detail"]
        == "Please describe the problem."
    )
    schema_error = api.post(
        reports_url(), {**body(category), "lat": 91}, headers={"Accept-Language": "en"}
    )
    assert schema_error.json()["errors"]["lat"] == ["Give a value of at most 90."]


def test_an_unreadable_body_is_400(api, category):
    response = api.client.post(
        "/api/v1/municipalities/alpha/reports", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_a_category_of_another_municipality_is_refused(api, municipality, other_municipality):
    foreign = factories.CategoryFactory(municipality=other_municipality)
    response = api.post(reports_url(), body(foreign))
    assert response.status_code == 422
    assert "category" in response.json()["errors"]


def test_an_unknown_municipality_is_404(api, category):
    assert api.post(reports_url("nowhere"), body(category)).status_code == 404
    assert api.get(reports_url("nowhere")).status_code == 404


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_returns_the_same_report_without_a_second(api, category):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post(reports_url(), body(category), headers=key)
    again = api.post(reports_url(), body(category), headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_the_same_key_with_a_different_body_is_409_and_creates_nothing(api, category):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post(reports_url(), body(category), headers=key).status_code == 201
    other = api.post(
        reports_url(),
        body(category, description="อย่างอื่น"),
        headers={**key, "Accept-Language": "en"},
    )
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]
    assert "Idempotency-Key" in other.json()["errors"]
    assert Report.objects.count() == 1


def test_keys_are_per_caller(client_for, category, reporter):
    key = {"Idempotency-Key": "shared-key-123"}
    mine = client_for(reporter).post(reports_url(), body(category), headers=key)
    theirs = client_for(factories.UserFactory()).post(reports_url(), body(category), headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["tracking_code"] != theirs.json()["tracking_code"]
    assert mine.json()["follow_token"] != theirs.json()["follow_token"]


def test_a_malformed_idempotency_key_is_422(api, category):
    response = api.post(reports_url(), body(category), headers={"Idempotency-Key": "short"})
    assert response.status_code == 422
    assert Report.objects.count() == 0


def test_a_refused_request_does_not_burn_its_key(api, category):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post(reports_url(), {**body(category), "lat": 91}, headers=key).status_code == 422
    assert api.post(reports_url(), body(category), headers=key).status_code == 201


# --- list and detail ------------------------------------------------------------------------


def test_the_list_is_paginated_filtered_and_public(api, make_report, category, municipality):
    for n in range(5):
        make_report(
            description=f"รายงาน {n}",
            reporter_name="สมศรี ลับเฉพาะ",
            reporter_email=f"s{n}@example.org",
        )
    other_category = factories.CategoryFactory(
        municipality=municipality, department=category.department
    )
    make_report(category=other_category, description="อีกหมวด")
    page = api.get(reports_url(), {"limit": 2}).json()
    assert page["count"] == 6 and len(page["results"]) == 2
    assert page["next"] and page["previous"] is None
    second = api.get(page["next"]).json()
    assert second["offset"] == 2 and second["previous"]
    only = api.get(reports_url(), {"category": other_category.pk}).json()
    assert [r["description"] for r in only["results"]] == ["อีกหมวด"]
    found = api.get(reports_url(), {"q": "รายงาน 3"}).json()
    assert found["count"] == 1
    assert api.get(reports_url(), {"status": "done"}).json()["count"] == 0
    assert api.get(reports_url(), {"status": "open"}).json()["count"] == 6


def test_list_parameters_out_of_range_are_422(api, municipality):
    assert api.get(reports_url(), {"limit": 0}).status_code == 422
    assert api.get(reports_url(), {"limit": 101}).status_code == 422
    assert api.get(reports_url(), {"status": "nope"}).status_code == 422
    assert api.get(reports_url(), {"date_from": "0001-01-01"}).status_code == 422
    reversed_dates = api.get(reports_url(), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert reversed_dates.status_code == 422 and "date_to" in reversed_dates.json()["errors"]
    assert api.get(reports_url(), {"category": 2**70}).status_code == 422


def test_detail_has_the_public_timeline_but_not_internal_notes(api, make_report, admin_user):
    report = make_report()
    services.report_note_add(report=report, actor=admin_user, note="INTERNAL ONLY", is_public=False)
    services.report_note_add(report=report, actor=admin_user, note="กำลังดำเนินการ", is_public=True)
    data = api.get(reports_url(code=report.tracking_code)).json()
    assert [e["kind"] for e in data["timeline"]] == ["created", "note"]
    assert "INTERNAL ONLY" not in str(data)
    assert data["department"] and data["category"]["id"] == report.category_id


def test_a_duplicate_is_hidden_from_the_list_but_readable(api, make_report, admin_user):
    kept, duplicate = make_report(), make_report()
    services.report_merge(duplicate=duplicate, into=kept, actor=admin_user)
    codes = [r["tracking_code"] for r in api.get(reports_url()).json()["results"]]
    assert codes == [kept.tracking_code]
    assert (
        api.get(reports_url(code=duplicate.tracking_code)).json()["duplicate_of"]
        == kept.tracking_code
    )


def test_photos_are_listed_with_urls(api, make_report, jpeg_upload):
    report = make_report(photos=[jpeg_upload()])
    photos = api.get(reports_url(code=report.tracking_code)).json()["photos"]
    assert len(photos) == 1 and photos[0]["url"].startswith("http://testserver/media/")
    assert photos[0]["by_staff"] is False


# --- support, comments, rating, follow ------------------------------------------------------


def test_support_needs_a_person_and_counts_once(api, client_for, make_report, resident):
    report = make_report()
    url = reports_url(code=report.tracking_code) + "/support"
    assert api.post(url).status_code == 401
    client = client_for(resident)
    assert client.post(url).json() == {"supported": True, "created": True, "support_count": 1}
    assert client.post(url).json() == {"supported": True, "created": False, "support_count": 1}


def test_the_reporter_cannot_support_their_own_report(client_for, make_report, reporter):
    report = make_report(reporter=reporter)
    response = client_for(reporter).post(reports_url(code=report.tracking_code) + "/support")
    assert response.status_code == 422


def test_comments_are_created_listed_and_idempotent(api, client_for, make_report, resident):
    report = make_report()
    url = reports_url(code=report.tracking_code) + "/comments"
    assert api.post(url, {"body": "เห็นด้วย"}).status_code == 401
    client = client_for(resident)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(url, {"body": "เห็นด้วย"}, headers=key)
    again = client.post(url, {"body": "เห็นด้วย"}, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert ReportComment.objects.count() == 1
    assert client.post(url, {"body": "  "}).status_code == 422
    listed = api.get(url).json()
    assert [c["body"] for c in listed] == ["เห็นด้วย"]
    assert listed[0]["author"] == resident.display_name


def _resolved(report, admin_user):
    return services.report_transition(
        report=report, actor=admin_user, to_status=Status.RESOLVED, public_note="ซ่อมแล้ว"
    )


def test_only_the_reporter_rates(api, client_for, make_report, reporter, resident, admin_user):
    report = _resolved(make_report(reporter=reporter), admin_user)
    url = reports_url(code=report.tracking_code) + "/rating"
    assert api.post(url, {"score": 5}).status_code == 403
    assert client_for(resident).post(url, {"score": 5}).status_code == 403
    assert api.post(url, {"score": 5, "follow_token": "wrong"}).status_code == 403
    response = client_for(reporter).post(url, {"score": 4, "comment": "ดี"})
    assert response.status_code == 200 and response.json()["satisfaction"] == 4
    assert api.post(url, {"score": 6}).status_code == 422


def test_a_guest_reporter_rates_with_the_follow_token(api, make_report, admin_user, category):
    created = api.post(reports_url(), body(category)).json()
    report = Report.objects.get(tracking_code=created["tracking_code"])
    url = reports_url(code=report.tracking_code) + "/rating"
    assert api.post(url, {"score": 5, "follow_token": created["follow_token"]}).status_code == 422
    _resolved(report, admin_user)
    rated = api.post(url, {"score": 5, "follow_token": created["follow_token"]})
    assert rated.status_code == 200 and rated.json()["satisfaction"] == 5


def test_follow_and_unfollow(api, client_for, make_report, resident):
    report = make_report()
    url = reports_url(code=report.tracking_code) + "/follow"
    client = client_for(resident)
    assert client.post(url).json() == {"following": True}
    assert client.post(url).json() == {"following": True}
    assert ReportFollower.objects.filter(report=report, user=resident).count() == 1
    assert client.delete(url).json() == {"following": False}
    assert not ReportFollower.objects.filter(report=report, user=resident).exists()
    # Without an account: an e-mail address, and the unsubscribe token from the e-mails.
    assert api.post(url).status_code == 422
    assert api.post(url, {"email": "watcher@example.org"}).json() == {"following": True}
    follower = ReportFollower.objects.get(report=report, email="watcher@example.org")
    assert "unsubscribe" not in str(api.post(url, {"email": "watcher@example.org"}).json())
    assert api.delete(url).status_code == 401
    assert api.delete(url, {"token": "wrong"}).status_code == 404
    assert api.delete(url, {"token": follower.unsubscribe_token}).json() == {"following": False}
    assert not ReportFollower.objects.filter(pk=follower.pk).exists()


def test_the_list_costs_the_same_queries_for_2_or_20_reports(api, make_report, municipality):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    community = f.CommunityFactory(municipality=municipality)
    make_report(), make_report()
    with CaptureQueriesContext(connection) as few:
        assert api.get(reports_url()).json()["count"] == 2
    for _n in range(18):
        make_report()
    with CaptureQueriesContext(connection) as many:
        page = api.get(reports_url()).json()
    assert page["count"] == 20 and page["results"][0]["community"] == community.name_th
    assert len(many) == len(few) <= 4
