"""The resident-facing report pages: form, duplicates, list, map, detail, follow link,
support, follow, comment, rate, reopen, unfollow, e-mails, and what they never show (PDPA)."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories
from tests.conftest import image_bytes
from thesaban.reports import services
from thesaban.reports.models import Report, ReportComment, ReportFollower, ReportSupport
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so the assertions hold whatever the Thai catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


SECRET_NAME = "สมหญิง ลับมาก"
SECRET_EMAIL = "hidden.reporter@example.org"
SECRET_PHONE = "0899999999"


def url(name, municipality, **kwargs):
    return reverse(f"reports:{name}", kwargs={"municipality": municipality.slug, **kwargs})


def form_data(cat, **overrides):
    data = {
        "category": str(cat.pk),
        "description": "ไฟฟ้าส่องสว่างดับทั้งซอย",
        "lat": "13.005",
        "lng": "100.005",
        "address": "",
        "is_anonymous": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def secret_report(municipality, category, **kwargs):
    kwargs.setdefault("reporter_name", SECRET_NAME)
    kwargs.setdefault("reporter_email", SECRET_EMAIL)
    kwargs.setdefault("reporter_phone", SECRET_PHONE)
    return factories.ReportFactory(municipality=municipality, category=category, **kwargs)


def assert_no_secrets(content: str):
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_PHONE):
        assert secret not in content


# --- the report form -------------------------------------------------------------------------


def test_form_renders_the_category_grid_and_works_without_javascript(
    client, municipality, category
):
    response = client.get(url("new", municipality))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert (
        f'value="{category.pk}"' in content
        and category.icon in content
        and category.name_en in content
    )
    # Without JavaScript the map stays hidden and the coordinate fields are there.
    assert 'id="pick-map" class="map" hidden' in content
    assert 'name="lat"' in content and 'name="lng"' in content
    assert "vendor/leaflet/leaflet.js" in content and "unpkg" not in content
    assert 'name="contact_consent"' in content
    assert 'name="is_anonymous"' in content and "checked" in content


def test_submitting_with_a_photo_creates_the_report_and_shows_the_follow_link(
    client, municipality, category, jpeg_upload, django_capture_on_commit_callbacks, mailoutbox
):
    data = form_data(
        category,
        reporter_name="Somchai",
        reporter_email="somchai@example.org",
        reporter_phone="0812345678",
        contact_consent="on",
    )
    data["photos"] = jpeg_upload()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("new", municipality), data)
    report = Report.objects.get(municipality=municipality)
    follow_link = url(
        "follow_link", municipality, code=report.tracking_code, token=report.follow_token
    )
    assert response.status_code == 302
    assert response["Location"] == follow_link
    assert report.photos.count() == 1
    assert report.reporter_email == "somchai@example.org" and report.is_anonymous
    assert ReportFollower.objects.filter(report=report, email="somchai@example.org").exists()

    page = client.get(follow_link)
    content = page.content.decode()
    assert page.status_code == 200
    assert report.tracking_code in content
    assert follow_link in content  # the private link to bookmark
    assert (
        "somchai@example.org" in content
    )  # the reporter's own contact data, on the private page only
    assert "no-store" in page["Cache-Control"]

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["somchai@example.org"]
    assert report.tracking_code in mail.subject and report.tracking_code in mail.body
    assert follow_link in mail.body
    assert "&amp;" not in mail.body


def test_a_signed_in_resident_is_linked_as_reporter(client, municipality, category, resident):
    client.force_login(resident)
    response = client.post(url("new", municipality), form_data(category, is_anonymous=None))
    report = Report.objects.get(municipality=municipality)
    assert response.status_code == 302
    assert report.reporter == resident
    assert report.is_anonymous is False
    assert ReportFollower.objects.filter(report=report, user=resident).exists()


def test_an_address_instead_of_coordinates_is_enough(client, municipality, category):
    response = client.post(
        url("new", municipality), form_data(category, lat="", lng="", address="หน้าตลาดสด ซอย 3")
    )
    assert response.status_code == 302
    assert Report.objects.get(municipality=municipality).address == "หน้าตลาดสด ซอย 3"


def test_a_resubmitted_form_creates_one_report(client, municipality, category):
    data = form_data(category, idempotency_key="same-form-rendered-once")
    first = client.post(url("new", municipality), data)
    second = client.post(url("new", municipality), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.filter(municipality=municipality).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": None}, "category", "Choose a category."),
        ({"category": "999999"}, "category", "Choose a category."),
        ({"description": " "}, "description", "Please describe the problem."),
        ({"lat": "123"}, "lat", "Latitude must be a number from -90 to 90"),
        ({"lat": "abc"}, "lat", "Latitude must be a number from -90 to 90"),
        ({"lng": "-200"}, "lng", "Longitude must be a number from -180 to 180"),
        ({"lng": ""}, "lng", "Give both latitude and longitude, or neither."),
        (
            {"lat": "", "lng": ""},
            "address",
            "Tap the map, give coordinates or type an address or landmark.",
        ),
        (
            {"reporter_email": "a@example.org"},
            "contact_consent",
            "Tick this box so we may keep and use your contact details",
        ),
        (
            {"reporter_name": "Somchai"},
            "contact_consent",
            "Tick this box so we may keep and use your contact details",
        ),
        (
            {"contact_consent": "on"},
            "reporter_email",
            "Give an e-mail address or a phone number so we can contact you.",
        ),
        (
            {"reporter_phone": "call me", "contact_consent": "on"},
            "reporter_phone",
            "Enter a phone number of digits",
        ),
        (
            {"reporter_email": "not-an-address", "contact_consent": "on"},
            "reporter_email",
            "Enter a valid email address.",
        ),
    ],
)
def test_bad_input_is_shown_on_its_field(client, municipality, category, overrides, field, message):
    response = client.post(url("new", municipality), form_data(category, **overrides))
    assert response.status_code == 200
    assert not Report.objects.exists()
    errors = response.context["form"].errors
    assert field in errors and any(message in error for error in errors[field])
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content and 'role="alert"' in content
    assert "error-summary" in content


def test_a_file_that_is_not_an_image_is_refused_on_the_photos_field(client, municipality, category):
    data = form_data(category)
    data["photos"] = SimpleUploadedFile(
        "virus.jpg", b"MZ\x90\x00 definitely not a picture", "image/jpeg"
    )
    response = client.post(url("new", municipality), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == ["This file is not an image we can read."]
    content = response.content.decode()
    assert 'id="id_photos_error"' in content
    assert "Your photos were not kept" in content
    assert not Report.objects.exists()


def test_a_gif_is_refused_and_more_than_three_photos_too(
    client, municipality, category, jpeg_upload
):
    data = form_data(category)
    data["photos"] = SimpleUploadedFile("anim.gif", image_bytes(fmt="GIF"), "image/gif")
    response = client.post(url("new", municipality), data)
    assert response.context["form"].errors["photos"] == ["Photos must be JPEG, PNG or WebP."]

    data = form_data(category)
    data["photos"] = [jpeg_upload(name=f"p{i}.jpg") for i in range(4)]
    response = client.post(url("new", municipality), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == ["At most 3 photos."]
    assert not Report.objects.exists()


def test_a_category_of_another_municipality_is_refused(
    client, municipality, other_municipality, category
):
    foreign = factories.CategoryFactory(municipality=other_municipality)
    response = client.post(url("new", municipality), form_data(foreign))
    assert response.status_code == 200
    assert "category" in response.context["form"].errors


# --- possible duplicates ---------------------------------------------------------------------


def test_without_javascript_candidates_are_shown_before_creating(client, municipality, category):
    existing = secret_report(municipality, category, lat=13.0051, lng=100.0051, support_count=4)
    data = form_data(category, description="ไฟดับอีกแล้ว", address="ซอย 5")
    response = client.post(url("new", municipality), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert existing.tracking_code in content
    assert "Support it instead" in content
    assert 'name="confirm_new" value="1"' in content
    # Nothing typed is lost.
    assert "ไฟดับอีกแล้ว" in content and 'value="ซอย 5"' in content and 'value="13.005"' in content
    assert_no_secrets(content)
    assert Report.objects.filter(municipality=municipality).count() == 1

    response = client.post(url("new", municipality), {**data, "confirm_new": "1"})
    assert response.status_code == 302
    assert Report.objects.filter(municipality=municipality).count() == 2


def test_candidates_ask_to_select_photos_again(client, municipality, category, jpeg_upload):
    secret_report(municipality, category)
    data = form_data(category)
    data["photos"] = jpeg_upload()
    response = client.post(url("new", municipality), data)
    assert response.status_code == 200
    assert "Your photos were not kept" in response.content.decode()


def test_far_away_or_closed_reports_are_not_candidates(client, municipality, category):
    secret_report(municipality, category, lat=13.01, lng=100.01)  # about 1.5 km away
    secret_report(
        municipality,
        category,
        status=Status.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=30),
    )
    response = client.post(url("new", municipality), form_data(category))
    assert response.status_code == 302


def test_duplicates_json(client, municipality, category):
    existing = secret_report(municipality, category, lat=13.0051, lng=100.0051, support_count=2)
    response = client.get(
        url("duplicates", municipality),
        {"category": category.pk, "lat": "13.005", "lng": "100.005"},
    )
    assert response.status_code == 200
    [candidate] = response.json()["candidates"]
    assert candidate["tracking_code"] == existing.tracking_code
    assert candidate["support_count"] == 2
    assert 0 < candidate["distance_m"] <= 50
    assert candidate["url"] == url("detail", municipality, code=existing.tracking_code)
    # Why it is offered: the score and its parts (no text typed yet: the words are not scored).
    assert 0.5 <= candidate["score"] <= 1
    assert candidate["text_similarity"] is None and candidate["same_category"] is True
    assert candidate["hours_apart"] < 1 and candidate["reason"]
    assert_no_secrets(response.content.decode())

    with translation.override("en"):
        response = client.get(
            url("duplicates", municipality),
            {"category": category.pk, "lat": "13.005", "lng": "100.005", "text": "ถนนเป็นหลุม"},
        )
    [candidate] = response.json()["candidates"]
    assert candidate["text_similarity"] > 0.2
    assert "similar description" in candidate["reason"] and "m away" in candidate["reason"]


@pytest.mark.parametrize(
    "params",
    [
        {"category": "x", "lat": "13", "lng": "100"},
        {"category": "1", "lat": "95", "lng": "100"},
        {"category": "1", "lat": "13"},
        {"category": "999999", "lat": "13", "lng": "100"},
    ],
)
def test_duplicates_json_refuses_bad_parameters(client, municipality, category, params):
    response = client.get(url("duplicates", municipality), params)
    assert response.status_code == 400
    assert "error" in response.json()


# --- list and map ----------------------------------------------------------------------------


def test_list_filters(client, municipality, category):
    other_category = factories.CategoryFactory(
        municipality=municipality, name_th="ขยะ", name_en="Garbage"
    )
    community = factories.CommunityFactory(municipality=municipality)
    now = timezone.now()
    road_open = factories.ReportFactory(
        municipality=municipality, category=category, description="หลุมใหญ่ ABC"
    )
    road_done = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.RESOLVED
    )
    garbage = factories.ReportFactory(
        municipality=municipality,
        category=other_category,
        community=community,
        submitted_at=now - timedelta(days=40),
    )
    duplicate = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.DUPLICATE
    )
    foreign = factories.ReportFactory(municipality=factories.MunicipalityFactory())

    def codes(**params):
        response = client.get(url("list", municipality), params)
        assert response.status_code == 200
        return {report.tracking_code for report in response.context["page"]}

    assert codes() == {road_open.tracking_code, road_done.tracking_code, garbage.tracking_code}
    assert duplicate.tracking_code not in codes() and foreign.tracking_code not in codes()
    assert codes(category=category.pk) == {road_open.tracking_code, road_done.tracking_code}
    assert codes(status="open") == {road_open.tracking_code, garbage.tracking_code}
    assert codes(status="done") == {road_done.tracking_code}
    assert codes(status="resolved") == {road_done.tracking_code}
    assert codes(community=community.pk) == {garbage.tracking_code}
    assert codes(q="ABC") == {road_open.tracking_code}
    assert codes(q=garbage.tracking_code) == {garbage.tracking_code}
    month_ago = (now - timedelta(days=30)).date()
    assert codes(date_to=month_ago.isoformat()) == {garbage.tracking_code}
    assert garbage.tracking_code not in codes(date_from=month_ago.isoformat())
    # A Buddhist-era date is understood too.
    assert codes(date_to=f"{month_ago.year + 543}-{month_ago:%m-%d}") == {garbage.tracking_code}
    # A wrong value is reported and ignored, not a 500 and not an empty page.
    response = client.get(url("list", municipality), {"status": "nonsense", "category": "abc"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    assert 'role="alert"' in response.content.decode()


def test_list_paginates_by_twenty_and_keeps_filters(client, municipality, category):
    factories.ReportFactory.create_batch(45, municipality=municipality, category=category)
    response = client.get(url("list", municipality), {"status": "open"})
    assert len(response.context["page"]) == 20
    assert "status=open&amp;page=2" in response.content.decode()
    response = client.get(url("list", municipality), {"status": "open", "page": "3"})
    assert len(response.context["page"]) == 5
    response = client.get(url("list", municipality), {"page": "zzz"})
    assert response.status_code == 200


def _list_queries(client, municipality):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("list", municipality))
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(
    client, municipality, category, django_assert_max_num_queries
):
    community = factories.CommunityFactory(municipality=municipality)
    factories.ReportFactory.create_batch(
        20, municipality=municipality, category=category, community=community
    )
    with_20 = _list_queries(client, municipality)
    other = factories.CategoryFactory(municipality=municipality)
    factories.ReportFactory.create_batch(
        40, municipality=municipality, category=other, community=community
    )
    with_60 = _list_queries(client, municipality)
    assert with_20 == with_60
    with django_assert_max_num_queries(with_20):
        client.get(url("list", municipality), {"page": "3"})


def test_map_page_has_a_list_fallback(client, municipality):
    response = client.get(url("map", municipality), {"status": "open"})
    assert response.status_code == 200
    content = response.content.decode()
    assert url("list", municipality) + "?status=open" in content
    assert url("map_data", municipality) in content
    assert "vendor/leaflet/leaflet.css" in content


def test_map_data_clusters_at_low_zoom(client, municipality, category):
    secret_report(municipality, category, lat=13.001, lng=100.001)
    secret_report(municipality, category, lat=13.0011, lng=100.0011)
    secret_report(municipality, category, lat=13.009, lng=100.009)
    factories.ReportFactory(municipality=municipality, category=category, status=Status.DUPLICATE)
    response = client.get(url("map_data", municipality), {"zoom": "5"})
    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "clusters"
    assert sum(cluster["count"] for cluster in data["clusters"]) == 3
    assert data["clusters"][0]["label"]
    assert_no_secrets(response.content.decode())


def test_map_data_points_at_high_zoom_within_the_box_and_filters(client, municipality, category):
    inside = secret_report(municipality, category, lat=13.005, lng=100.005)
    secret_report(municipality, category, lat=13.5, lng=100.5)
    done = secret_report(municipality, category, lat=13.0051, lng=100.0051, status=Status.RESOLVED)
    box = {"south": "13.0", "west": "100.0", "north": "13.01", "east": "100.01"}
    response = client.get(url("map_data", municipality), {"zoom": "18", **box})
    data = response.json()
    assert data["kind"] == "points"
    assert {point["code"] for point in data["points"]} == {inside.tracking_code, done.tracking_code}
    point = next(p for p in data["points"] if p["code"] == inside.tracking_code)
    assert point["url"] == url("detail", municipality, code=inside.tracking_code)
    assert point["category"] == category.name_en and point["status_label"]
    assert_no_secrets(response.content.decode())

    response = client.get(url("map_data", municipality), {"zoom": "18", "status": "open", **box})
    assert {point["code"] for point in response.json()["points"]} == {inside.tracking_code}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"zoom": "abc"},
        {"zoom": "40"},
        {"zoom": "10", "south": "13.1", "west": "100", "north": "13.0", "east": "100.1"},
        {"zoom": "10", "south": "13", "west": "100.2", "north": "13.1", "east": "100.1"},
        {"zoom": "10", "south": "-95", "west": "100", "north": "13.1", "east": "100.1"},
        {"zoom": "10", "south": "13", "west": "100", "north": "13.1", "east": "nan"},
        {"zoom": "10", "south": "13", "west": "100"},
        {"zoom": "10", "category": "abc"},
    ],
)
def test_map_data_refuses_bad_parameters_with_json(client, municipality, params):
    response = client.get(url("map_data", municipality), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


# --- one report ------------------------------------------------------------------------------


def test_detail_page(client, municipality, category, officer):
    report = secret_report(municipality, category, address="หน้าวัด")
    services.report_transition(
        report=report,
        actor=officer,
        to_status=Status.IN_PROGRESS,
        public_note="ทีมช่างออกตรวจแล้ว",
        internal_note="ภายในเท่านั้น",
    )
    response = client.get(url("detail", municipality, code=report.tracking_code))
    assert response.status_code == 200
    content = response.content.decode()
    assert report.tracking_code in content and category.name_th in content
    assert "status-in_progress" in content
    assert "หน้าวัด" in content
    assert "ทีมช่างออกตรวจแล้ว" in content and "ภายในเท่านั้น" not in content
    assert (
        'id="report-map"' in content
        and url("support", municipality, code=report.tracking_code) in content
    )
    assert "Reported anonymously" in content
    assert_no_secrets(content)


def test_detail_of_another_municipality_is_404(client, municipality, other_municipality):
    report = factories.ReportFactory(municipality=other_municipality)
    assert client.get(url("detail", municipality, code=report.tracking_code)).status_code == 404


def test_detail_shows_photos_and_merged_into(client, municipality, category, officer, jpeg_upload):
    kept = services.report_create(
        municipality=municipality,
        category=category,
        description="ถนนพัง",
        lat=13.005,
        lng=100.005,
        photos=[jpeg_upload()],
    )
    duplicate = factories.ReportFactory(municipality=municipality, category=category)
    services.report_merge(duplicate=duplicate, into=kept, actor=officer)
    content = client.get(url("detail", municipality, code=kept.tracking_code)).content.decode()
    photo = kept.photos.get()
    assert f'href="{photo.image.url}"' in content and f'src="{photo.thumbnail.url}"' in content
    assert duplicate.tracking_code in content  # the merge is on the timeline
    content = client.get(url("detail", municipality, code=duplicate.tracking_code)).content.decode()
    assert (
        "Merged into" in content and url("detail", municipality, code=kept.tracking_code) in content
    )


def test_a_non_anonymous_reporter_shows_the_display_name_only(client, municipality, category):
    user = factories.UserFactory(display_name="Khun Dao", phone="0811111111")
    report = factories.ReportFactory(
        municipality=municipality,
        category=category,
        reporter=user,
        is_anonymous=False,
        reporter_name=SECRET_NAME,
        reporter_email=user.email,
        reporter_phone=user.phone,
    )
    content = client.get(url("detail", municipality, code=report.tracking_code)).content.decode()
    assert "Khun Dao" in content
    assert user.email not in content and user.phone not in content and SECRET_NAME not in content


def test_an_anonymous_reporter_is_not_named_anywhere(client, municipality, category):
    user = factories.UserFactory(display_name="Khun Secret")
    report = secret_report(municipality, category, reporter=user, is_anonymous=True)
    pages = [
        client.get(url("list", municipality)),
        client.get(url("detail", municipality, code=report.tracking_code)),
        client.get(url("map_data", municipality), {"zoom": "18"}),
        client.get(url("map_data", municipality), {"zoom": "3"}),
        client.get(
            url("duplicates", municipality),
            {"category": category.pk, "lat": "13.005", "lng": "100.005"},
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        content = response.content.decode()
        assert_no_secrets(content)
        assert "Khun Secret" not in content and user.email not in content


def test_follow_link_with_a_wrong_token_is_404(client, municipality, category):
    report = factories.ReportFactory(municipality=municipality, category=category)
    assert (
        client.get(
            url("follow_link", municipality, code=report.tracking_code, token="guess")
        ).status_code
        == 404
    )
    wrong = report.follow_token[:-1] + ("A" if report.follow_token[-1] != "A" else "B")
    assert (
        client.get(
            url("follow_link", municipality, code=report.tracking_code, token=wrong)
        ).status_code
        == 404
    )


# --- support, follow, comment ----------------------------------------------------------------


def test_support_needs_sign_in_and_is_idempotent(client, municipality, category, resident):
    report = factories.ReportFactory(municipality=municipality, category=category)
    support_url = url("support", municipality, code=report.tracking_code)
    detail = url("detail", municipality, code=report.tracking_code)

    assert client.get(support_url).status_code == 405
    response = client.post(support_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert response["Location"].endswith("?next=" + detail)

    client.force_login(resident)
    for _attempt in range(2):
        response = client.post(support_url, follow=True)
        assert response.status_code == 200
    report.refresh_from_db()
    assert report.support_count == 1
    assert ReportSupport.objects.filter(report=report).count() == 1
    assert "You already support this report." in response.content.decode()
    assert "You support this report." in response.content.decode()


def test_the_reporter_cannot_support_their_own_report(client, municipality, category, resident):
    report = factories.ReportFactory(
        municipality=municipality, category=category, reporter=resident
    )
    client.force_login(resident)
    response = client.post(url("support", municipality, code=report.tracking_code), follow=True)
    assert response.status_code == 200
    assert "You reported this yourself" in response.content.decode()
    report.refresh_from_db()
    assert report.support_count == 0


def test_follow_without_an_account(client, municipality, category):
    report = factories.ReportFactory(municipality=municipality, category=category)
    follow_url = url("follow", municipality, code=report.tracking_code)
    assert client.get(follow_url).status_code == 405

    response = client.post(follow_url, {"email": "neighbour@example.org"})
    assert response.status_code == 200
    assert "Tick this box" in response.content.decode()
    assert not ReportFollower.objects.filter(report=report).exists()

    for _attempt in range(2):
        response = client.post(follow_url, {"email": "Neighbour@Example.org", "consent": "on"})
        assert response.status_code == 302
    assert ReportFollower.objects.filter(report=report, email="neighbour@example.org").count() == 1


def test_follow_with_one_click_when_signed_in(client, municipality, category, resident):
    report = factories.ReportFactory(municipality=municipality, category=category)
    client.force_login(resident)
    for _attempt in range(2):
        response = client.post(url("follow", municipality, code=report.tracking_code), follow=True)
    assert ReportFollower.objects.filter(report=report, user=resident).count() == 1
    follower = ReportFollower.objects.get(report=report, user=resident)
    content = response.content.decode()
    assert (
        url("unfollow", municipality, code=report.tracking_code, token=follower.unsubscribe_token)
        in content
    )


def test_comments(client, municipality, category, resident):
    report = factories.ReportFactory(municipality=municipality, category=category)
    comment_url = url("comment", municipality, code=report.tracking_code)
    assert client.get(comment_url).status_code == 405
    response = client.post(comment_url, {"body": "ผมเห็นด้วย"})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )

    resident.display_name = "Khun Neighbour"
    resident.save()
    client.force_login(resident)
    response = client.post(comment_url, {"body": " "})
    assert response.status_code == 200
    assert "The comment is empty." in response.content.decode()

    data = {"body": "ผมเห็นด้วย", "once": "form-key-1"}
    client.post(comment_url, data)
    response = client.post(comment_url, data, follow=True)
    assert ReportComment.objects.filter(report=report).count() == 1
    content = response.content.decode()
    assert "ผมเห็นด้วย" in content and "Khun Neighbour" in content and resident.email not in content


# --- rate, reopen, unfollow ------------------------------------------------------------------


def resolved_report(municipality, category, **kwargs):
    now = timezone.now()
    return factories.ReportFactory(
        municipality=municipality,
        category=category,
        status=Status.RESOLVED,
        resolved_at=kwargs.pop("resolved_at", now),
        **kwargs,
    )


def test_rate_with_the_follow_token(client, municipality, category):
    report = resolved_report(municipality, category)
    page = client.get(
        url("follow_link", municipality, code=report.tracking_code, token=report.follow_token)
    )
    assert 'name="score"' in page.content.decode() and 'name="reason"' in page.content.decode()

    rate_url = url("rate", municipality, code=report.tracking_code)
    assert client.get(rate_url).status_code == 405
    response = client.post(
        rate_url, {"score": "4", "comment": "เร็วดี", "token": report.follow_token}
    )
    assert response.status_code == 302
    assert response["Location"] == url(
        "follow_link", municipality, code=report.tracking_code, token=report.follow_token
    )
    report.refresh_from_db()
    assert report.satisfaction == 4 and report.satisfaction_comment == "เร็วดี"


def test_rate_refuses_strangers_and_bad_scores(client, municipality, category, resident):
    report = resolved_report(municipality, category)
    rate_url = url("rate", municipality, code=report.tracking_code)
    assert client.post(rate_url, {"score": "4", "token": "wrong"}).status_code == 403
    client.force_login(resident)
    assert client.post(rate_url, {"score": "4"}).status_code == 403

    response = client.post(rate_url, {"score": "9", "token": report.follow_token})
    assert response.status_code == 200
    assert "Choose from 1 to 5." in response.content.decode()
    report.refresh_from_db()
    assert report.satisfaction is None


def test_rating_an_open_report_is_a_message_not_an_error(client, municipality, category):
    report = factories.ReportFactory(municipality=municipality, category=category)
    response = client.post(
        url("rate", municipality, code=report.tracking_code),
        {"score": "5", "token": report.follow_token},
        follow=True,
    )
    assert response.status_code == 200
    assert "A report can be rated once it is resolved." in response.content.decode()


def test_the_signed_in_reporter_rates_and_reopens_from_the_detail_page(
    client, municipality, category, resident
):
    report = resolved_report(municipality, category, reporter=resident)
    client.force_login(resident)
    content = client.get(url("detail", municipality, code=report.tracking_code)).content.decode()
    assert 'name="score"' in content and 'name="reason"' in content
    response = client.post(url("rate", municipality, code=report.tracking_code), {"score": "2"})
    assert response["Location"] == url("detail", municipality, code=report.tracking_code)
    response = client.post(
        url("reopen", municipality, code=report.tracking_code), {"reason": "ยังมีหลุมอยู่"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.satisfaction == 2 and report.status == Status.ACCEPTED


def test_strangers_see_no_rate_or_reopen_form(client, municipality, category):
    report = resolved_report(municipality, category)
    content = client.get(url("detail", municipality, code=report.tracking_code)).content.decode()
    assert 'name="score"' not in content and 'name="reason"' not in content


def test_reopen_with_the_follow_token(
    client, municipality, category, django_capture_on_commit_callbacks
):
    report = resolved_report(municipality, category)
    reopen_url = url("reopen", municipality, code=report.tracking_code)
    response = client.post(reopen_url, {"reason": " ", "token": report.follow_token})
    assert response.status_code == 200
    assert "Please say why the problem is not solved." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reopen_url, {"reason": "น้ำยังท่วม", "token": report.follow_token})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED and report.reopen_count == 1
    content = client.get(url("detail", municipality, code=report.tracking_code)).content.decode()
    assert "Reopened by the reporter" in content and "น้ำยังท่วม" in content


def test_reopen_after_the_window_is_refused_with_a_message(client, municipality, category):
    report = resolved_report(
        municipality, category, resolved_at=timezone.now() - timedelta(days=15)
    )
    page = client.get(
        url("follow_link", municipality, code=report.tracking_code, token=report.follow_token)
    )
    assert 'name="reason"' not in page.content.decode()
    response = client.post(
        url("reopen", municipality, code=report.tracking_code),
        {"reason": "ยังไม่เสร็จ", "token": report.follow_token},
        follow=True,
    )
    assert response.status_code == 200
    assert "only within 14 days" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_reopen_refuses_a_wrong_token(client, municipality, category):
    report = resolved_report(municipality, category)
    response = client.post(
        url("reopen", municipality, code=report.tracking_code), {"reason": "x", "token": "nope"}
    )
    assert response.status_code == 403


def test_unfollow_from_the_email_link(client, municipality, category):
    report = factories.ReportFactory(municipality=municipality, category=category)
    follower = services.report_follow(report=report, email="neighbour@example.org")
    unfollow_url = url(
        "unfollow", municipality, code=report.tracking_code, token=follower.unsubscribe_token
    )
    # Opening the link (as a mail scanner would) only asks for confirmation.
    response = client.get(unfollow_url)
    assert response.status_code == 200
    assert "Stop e-mails" in response.content.decode()
    assert ReportFollower.objects.filter(pk=follower.pk).exists()
    response = client.post(unfollow_url)
    assert response.status_code == 200
    assert "You will no longer receive e-mails" in response.content.decode()
    assert not ReportFollower.objects.filter(pk=follower.pk).exists()
    response = client.get(unfollow_url)
    assert response.status_code == 200
    assert "already used" in response.content.decode()


def test_change_email_has_status_note_link_and_unsubscribe(
    municipality, category, officer, mailoutbox, django_capture_on_commit_callbacks
):
    report = factories.ReportFactory(municipality=municipality, category=category)
    follower = services.report_follow(report=report, email="neighbour@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transition(
            report=report,
            actor=officer,
            to_status=Status.RESOLVED,
            public_note="ซ่อมเสร็จแล้ว & เรียบร้อย",
        )
    [mail] = mailoutbox
    assert mail.to == ["neighbour@example.org"]
    assert report.tracking_code in mail.subject
    assert "ซ่อมเสร็จแล้ว & เรียบร้อย" in mail.body
    assert url("detail", municipality, code=report.tracking_code) in mail.body
    assert (
        url("unfollow", municipality, code=report.tracking_code, token=follower.unsubscribe_token)
        in mail.body
    )


def test_pages_have_unique_ids_for_labels_and_errors(client, municipality, category):
    """Several forms share the report page; duplicate ids would break label and error links."""
    report = resolved_report(municipality, category)
    pages = [
        client.get(
            url("follow_link", municipality, code=report.tracking_code, token=report.follow_token)
        ),
        client.get(url("new", municipality)),
        client.post(url("new", municipality), {}),
        client.get(url("list", municipality)),
        client.get(url("map", municipality)),
    ]
    for response in pages:
        ids = Counter(re.findall(r'\sid="([^"]+)"', response.content.decode()))
        assert [name for name, count in ids.items() if count > 1] == []
