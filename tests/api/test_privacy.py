"""PDPA: no personal data in any public answer of the JSON API."""

import pytest

from tests import factories
from thesaban.accounts import services as account_services
from thesaban.reports import services
from thesaban.reports.workflow import Status

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

SECRETS = [
    "somsri.secret@example.org",
    "สมศรี ลับเฉพาะ",
    "0898765432",
    "089-876-5432",
    "prasert.private@example.org",
    "0861112222",
]


@pytest.fixture
def reports(municipality, category, admin_user):
    account = account_services.user_register(
        identifier="prasert.private@example.org",
        password="a-long-unusual-passphrase",
        display_name="Prasert Publicname",
        consent=True,
    )
    account.phone = "0861112222"
    account.save(update_fields=["phone"])
    common = {"municipality": municipality, "category": category, "lat": 13.005, "lng": 100.005}
    made = [
        services.report_create(
            description="ท่อระบายน้ำอุดตัน",
            reporter_name="สมศรี ลับเฉพาะ",
            reporter_email="somsri.secret@example.org",
            reporter_phone="089-876-5432",
            contact_consent=True,
            is_anonymous=False,
            **common,
        ),
        services.report_create(description="ไฟถนนดับ", reporter=account, **common),
        services.report_create(
            description="ขยะไม่ถูกเก็บ", reporter=account, is_anonymous=False, **common
        ),
    ]
    services.report_comment_create(report=made[0], author=account, body="เห็นด้วย")
    services.report_follow(report=made[0], email="somsri.secret@example.org")
    services.report_transition(
        report=made[0], actor=admin_user, to_status=Status.RESOLVED, public_note="ซ่อมแล้ว"
    )
    return account, made


def public_answers(client: ApiClient, reports) -> list:
    pages = [
        client.get("municipalities"),
        client.get("municipalities/alpha"),
        client.get("municipalities/alpha/categories"),
        client.get("municipalities/alpha/reports"),
        client.get("municipalities/alpha/reports", {"q": "ท่อ"}),
    ]
    for report in reports:
        pages.append(client.get(f"municipalities/alpha/reports/{report.tracking_code}"))
        pages.append(client.get(f"municipalities/alpha/reports/{report.tracking_code}/comments"))
    return pages


@pytest.mark.parametrize("visitor", ["anonymous", "resident", "staff_elsewhere"])
def test_no_personal_data_in_public_answers(
    reports, client_for, other_municipality, make_staff, visitor
):
    account, made = reports
    client = {
        "anonymous": lambda: ApiClient(),
        "resident": lambda: client_for(factories.UserFactory()),
        "staff_elsewhere": lambda: client_for(make_staff(other_municipality, "administrator")),
    }[visitor]()
    answers = public_answers(client, made)
    assert all(answer.status_code == 200 for answer in answers)
    secrets = [*SECRETS, *(r.follow_token for r in made), account.password]
    for answer in answers:
        body = answer.content.decode("unicode_escape") + answer.content.decode()
        for secret in secrets:
            assert secret not in body, f"{answer.request['PATH_INFO']} shows {secret!r}"
    # Guards the test: the answers really contain the reports.
    listing = answers[3].json()
    assert {r["tracking_code"] for r in listing["results"]} == {r.tracking_code for r in made}


def test_only_a_publicly_named_account_report_shows_the_display_name(api, reports):
    account, made = reports
    guest, anonymous_account, named_account = made
    assert (
        api.get(f"municipalities/alpha/reports/{named_account.tracking_code}").json()["reported_by"]
        == "Prasert Publicname"
    )
    assert (
        api.get(f"municipalities/alpha/reports/{anonymous_account.tracking_code}").json()[
            "reported_by"
        ]
        is None
    )
    # A guest is never named, even when they chose not to be anonymous: they have no display name.
    assert (
        api.get(f"municipalities/alpha/reports/{guest.tracking_code}").json()["reported_by"] is None
    )


def test_answers_to_extra_questions_are_for_staff_only(
    api, client_for, make_report, category, admin_user
):
    category.questions = [
        {"code": "who", "datatype": "string", "label_th": "ใคร", "label_en": "Who", "order": 1}
    ]
    category.save()
    report = make_report(answers={"who": "บ้านเลขที่ 12 นายสมชาย"})
    assert (
        "สมชาย"
        not in api.get(f"municipalities/alpha/reports/{report.tracking_code}").content.decode()
    )
    staff = (
        client_for(admin_user)
        .get(f"municipalities/alpha/staff/reports/{report.tracking_code}")
        .json()
    )
    assert staff["answers"] == {"who": "บ้านเลขที่ 12 นายสมชาย"}
