"""PDPA: a reporter's personal data never reaches a public page, feed or JSON."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from thesaban.accounts import services as account_services
from thesaban.accounts.identity import national_id_hash
from thesaban.reports import services

NATIONAL_ID = "1101700230716"
PHONE_SPELLINGS = ["0898765432", "089-876-5432", "089 876 5432", "+66898765432", "898765432"]
ACCOUNT_PHONE = "0861112222"


@pytest.fixture
def people(municipality, category):
    """Reports by people whose contact data must stay private, in every combination."""
    account = account_services.user_register(
        identifier="prasert.private@example.org",
        password="a-long-unusual-passphrase",
        display_name="Prasert Publicname",
        consent=True,
    )
    account.phone = ACCOUNT_PHONE
    account.save(update_fields=["phone"])
    account_services.user_set_national_id(user=account, national_id=NATIONAL_ID)
    common = {"municipality": municipality, "category": category, "lat": 13.005, "lng": 100.005}
    reports = {
        "anonymous_guest": services.report_create(
            description="ท่อระบายน้ำอุดตัน",
            reporter_name="สมศรี ลับเฉพาะ",
            reporter_email="somsri.secret@example.org",
            reporter_phone="089-876-5432",
            contact_consent=True,
            **common,
        ),
        "named_guest": services.report_create(
            description="ต้นไม้ล้มขวางถนน",
            reporter_name="Anan Guestname",
            reporter_email="anan.secret@example.org",
            reporter_phone="0898765432",
            is_anonymous=False,
            contact_consent=True,
            **common,
        ),
        "anonymous_account": services.report_create(
            description="ไฟถนนดับทั้งซอย",
            reporter=account,
            **common,
        ),
        "named_account": services.report_create(
            description="ขยะไม่ถูกเก็บ",
            reporter=account,
            is_anonymous=False,
            **common,
        ),
    }
    return account, reports


def public_pages(municipality, reports) -> list[tuple[str, dict]]:
    slug = municipality.slug
    pages = [
        ("/", {}),
        (reverse("municipality_home", kwargs={"municipality": slug}), {}),
        (reverse("reports:list", kwargs={"municipality": slug}), {}),
        (reverse("reports:map", kwargs={"municipality": slug}), {}),
        (reverse("reports:map_data", kwargs={"municipality": slug}), {"zoom": 18}),
        (reverse("reports:map_data", kwargs={"municipality": slug}), {"zoom": 10}),
        (
            reverse("reports:duplicates", kwargs={"municipality": slug}),
            {"category": next(iter(reports.values())).category_id, "lat": 13.005, "lng": 100.005},
        ),
    ]
    pages += [
        (reverse("reports:detail", kwargs={"municipality": slug, "code": report.tracking_code}), {})
        for report in reports.values()
    ]
    return pages


def secrets_of(account, reports) -> list[str]:
    values = [
        "somsri.secret@example.org",
        "anan.secret@example.org",
        "prasert.private@example.org",
        "สมศรี ลับเฉพาะ",
        "Anan Guestname",
        ACCOUNT_PHONE,
        "086-111-2222",
        *PHONE_SPELLINGS,
        NATIONAL_ID,
        "1-1017-00230-71-6",
        national_id_hash(NATIONAL_ID),
        account.national_id_hash,
        account.password,
    ]
    values += [report.follow_token for report in reports.values()]
    return values


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", ["anonymous", "resident", "staff_elsewhere"])
def test_no_personal_data_on_any_public_page(
    people, municipality, other_municipality, make_staff, visitor
):
    account, reports = people
    client = Client()
    if visitor == "resident":
        client.force_login(factories.UserFactory())
    elif visitor == "staff_elsewhere":
        client.force_login(make_staff(other_municipality, "administrator"))
    fetched = 0
    for url, params in public_pages(municipality, reports):
        response = client.get(url, params)
        assert response.status_code == 200, f"{url} {params}"
        body = response.content.decode()
        for secret in secrets_of(account, reports):
            assert secret not in body, f"{url} {params} shows {secret!r}"
        fetched += 1
    assert fetched == 11


@pytest.mark.django_db
def test_the_pages_do_show_the_reports(people, municipality):
    # Guards the test above: the pages render the reports whose data must stay hidden.
    _account, reports = people
    for report in reports.values():
        url = reverse(
            "reports:detail",
            kwargs={"municipality": municipality.slug, "code": report.tracking_code},
        )
        assert report.description in Client().get(url).content.decode()
    listing = (
        Client()
        .get(reverse("reports:list", kwargs={"municipality": municipality.slug}))
        .content.decode()
    )
    assert all(report.tracking_code in listing for report in reports.values())


@pytest.mark.django_db
def test_named_account_report_shows_only_the_display_name(people, municipality):
    account, reports = people
    named = reverse(
        "reports:detail",
        kwargs={"municipality": municipality.slug, "code": reports["named_account"].tracking_code},
    )
    anonymous = reverse(
        "reports:detail",
        kwargs={
            "municipality": municipality.slug,
            "code": reports["anonymous_account"].tracking_code,
        },
    )
    assert account.display_name in Client().get(named).content.decode()
    assert account.display_name not in Client().get(anonymous).content.decode()


@pytest.mark.django_db
def test_the_stored_report_does_keep_the_contact_data_for_staff(people):
    # Guards the test above: the secrets are really in the database, just not on the pages.
    account, reports = people
    assert reports["anonymous_guest"].reporter_email == "somsri.secret@example.org"
    assert reports["named_guest"].reporter_phone == "0898765432"
    assert reports["anonymous_account"].reporter_phone == ACCOUNT_PHONE
    assert account.national_id_hash == national_id_hash(NATIONAL_ID)
