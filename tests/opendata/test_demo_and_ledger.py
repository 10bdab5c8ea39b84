"""The demo loader, budget transfers as versions, and the transparency-ledger integration."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.opendata.conftest import csv_sum, sample_bytes
from thesaban.ledger.models import LedgerEntry
from thesaban.ledger.verification import ledger_verify
from thesaban.opendata import demo, selectors, services
from thesaban.opendata.ledger import entry_for
from thesaban.opendata.models import (
    Budget,
    BudgetChange,
    BudgetVersion,
    Dataset,
    Disbursement,
    ProcurementAward,
    Project,
)

pytestmark = pytest.mark.django_db


def test_demo_loads_everything_once(municipality, demo_data):
    assert demo_data["fiscal_year"] == 2570
    assert Decimal(demo_data["budget_2570"]) == csv_sum(sample_bytes("budget-2570.csv"))
    assert Budget.objects.filter(municipality=municipality).count() == 2
    assert Project.objects.filter(municipality=municipality).count() == 8
    assert ProcurementAward.objects.filter(municipality=municipality).count() == 6
    assert BudgetChange.objects.filter(municipality=municipality).count() == 1
    payments = Disbursement.objects.filter(municipality=municipality).count()
    assert payments > 100
    assert Dataset.objects.filter(municipality=municipality).count() == 5
    again = demo.load(municipality, today=dt.date(2026, 11, 21))
    assert Disbursement.objects.filter(municipality=municipality).count() == payments
    assert BudgetVersion.objects.filter(municipality=municipality).count() == 3
    assert again["fiscal_year"] == 2570


def test_demo_moves_the_sample_years_to_the_current_fiscal_year(municipality):
    summary = demo.load(municipality, today=dt.date(2028, 3, 1))
    assert summary["fiscal_year"] == 2571
    assert set(
        Budget.objects.filter(municipality=municipality).values_list("fiscal_year", flat=True)
    ) == {2570, 2571}
    # 1/10/2569 in the sample becomes 1/10/2570 B.E.: the start of that year's fiscal year
    assert Project.objects.get(municipality=municipality, code="P70-001").starts_on == dt.date(
        2027, 10, 1
    )


def test_transfer_is_a_new_version_and_keeps_the_total(municipality, budget_2570, admin_user):
    budget = Budget.objects.get(municipality=municipality, fiscal_year=2570)
    items = {item.item: item for item in budget.items.all()}
    reserve, roads = items["สำรองจ่าย"], items["ค่าบำรุงรักษาและซ่อมแซมถนนและรางระบายน้ำ"]
    change = services.budget_change_create(
        budget=budget,
        kind=BudgetVersion.Kind.TRANSFER,
        amount=Decimal("350000.00"),
        reason="ซ่อมถนนหลังน้ำท่วม",
        approved_on=dt.date(2026, 11, 1),
        from_item=reserve,
        to_item=roads,
        actor=admin_user,
    )
    first, second = BudgetVersion.objects.filter(budget=budget).order_by("number")
    assert second == change.version and second.total == first.total
    assert first.lines.get(item=reserve).amount == Decimal("1500000.00")  # untouched
    assert second.lines.get(item=reserve).amount == Decimal("1150000.00")
    assert second.lines.get(item=roads).amount == Decimal("1850000.00")
    view = selectors.budget_explore(municipality=municipality, fiscal_year=2570)
    assert view.version == second and view.total == csv_sum(budget_2570)
    with pytest.raises(ValidationError):
        services.budget_change_create(
            budget=budget,
            kind=BudgetVersion.Kind.TRANSFER,
            amount=Decimal("2000000.00"),
            reason="มากเกินไป",
            approved_on=dt.date(2026, 11, 2),
            from_item=reserve,
            to_item=roads,
        )
    amendment = services.budget_change_create(
        budget=budget,
        kind=BudgetVersion.Kind.AMENDMENT,
        amount=Decimal("500000.00"),
        reason="งบประมาณรายจ่ายเพิ่มเติม",
        approved_on=dt.date(2026, 11, 3),
        new_item=(
            "แผนงานสาธารณสุข",
            "งานบริการสาธารณสุขและงานสาธารณสุขอื่น",
            "operating",
            "ค่าใช้สอย",
            "โครงการรับมือ PM2.5",
        ),
    )
    assert amendment.version.total == first.total + Decimal("500000.00")


def test_every_public_record_is_in_the_ledger_without_personal_data(municipality, demo_data):
    versions = BudgetVersion.objects.filter(municipality=municipality)
    for record in [
        *versions,
        *BudgetChange.objects.all(),
        *Disbursement.objects.all()[:20],
        *ProcurementAward.objects.all(),
    ]:
        entry = entry_for(record)
        assert entry is not None, record
    natural = ProcurementAward.objects.get(winner_kind="natural")
    leaf = json.loads(entry_for(natural).leaf)
    assert leaf["winner"] is None and "ธนกร" not in entry_for(natural).leaf
    juristic = ProcurementAward.objects.filter(winner_kind="juristic").first()
    assert json.loads(entry_for(juristic).leaf)["winner"] == juristic.winner_name
    current = versions.order_by("-budget__fiscal_year", "-number").first()
    leaf = json.loads(entry_for(current).leaf)
    assert leaf["total"] == f"{current.total}" and leaf["lines_sha256"] == current.digest
    assert sum(Decimal(v) for v in leaf["by_plan"].values()) == current.total
    result = ledger_verify(municipality=municipality)
    assert result.problems == []
    assert result.tree_size == LedgerEntry.objects.filter(municipality=municipality).count()
    # tampering with a payment afterwards is detected
    payment = Disbursement.objects.filter(municipality=municipality).first()
    Disbursement.objects.filter(pk=payment.pk).update(amount=payment.amount + 1)
    problems = ledger_verify(municipality=municipality).problems
    assert problems and any(str(payment.pk) in str(p) for p in problems)


def test_explorer_and_pages_link_figures_to_the_ledger(municipality, demo_data):
    client = Client()
    page = client.get(
        reverse("opendata:budget", kwargs={"municipality": municipality.slug, "year": 2570})
    )
    html = page.content.decode()
    version = selectors.budget_version_current(
        budget=Budget.objects.get(municipality=municipality, fiscal_year=2570)
    )
    url = entry_for(version).get_absolute_url()
    assert html.count(f'href="{url}"') >= 10  # the total, every group, every plan
    assert client.get(url).status_code == 200
    drill = client.get(
        reverse("opendata:budget", kwargs={"municipality": municipality.slug, "year": 2570}),
        {"plan": "แผนงานงบกลาง", "work": "งบกลาง"},
    ).content.decode()
    assert "เบี้ยยังชีพผู้สูงอายุ" in drill and f'href="{url}"' in drill
    procurement = client.get(
        reverse("opendata:procurement", kwargs={"municipality": municipality.slug, "year": 2570})
    )
    award = ProcurementAward.objects.filter(winner_kind="juristic").first()
    assert entry_for(award).get_absolute_url() in procurement.content.decode()
    assert "ธนกร" not in procurement.content.decode()
    _public_pages_render_in_both_languages(municipality)
    _staff_pages_work_for_staff_and_writes_need_an_editor(municipality)


def _public_pages_render_in_both_languages(municipality):
    client = Client()
    slug = municipality.slug
    urls = [
        reverse("opendata:home", kwargs={"municipality": slug}),
        reverse("opendata:budget", kwargs={"municipality": slug, "year": 2569}),
        reverse("opendata:disbursements", kwargs={"municipality": slug, "year": 2570}),
        reverse("opendata:projects", kwargs={"municipality": slug}),
        reverse("opendata:project", kwargs={"municipality": slug, "project": "P70-002"}),
        reverse("opendata:datasets", kwargs={"municipality": slug}),
        reverse("opendata:dataset", kwargs={"municipality": slug, "dataset": "projects"}),
    ]
    for url in urls:
        for lang in ("th", "en"):
            response = client.get(url, {"lang": lang})
            assert response.status_code == 200, url
            assert response["Content-Language"] == lang
    home = client.get(urls[0]).content.decode()
    assert '<svg class="od-chart"' in home and "2569" in home and "2570" in home
    project = client.get(urls[4]).content.decode()
    assert "บริษัท บางปะกงคอนสตรัคชั่น จำกัด" in project and 'value="35"' in project
    assert (
        client.get(
            reverse("opendata:budget", kwargs={"municipality": slug, "year": 2570}),
            {"plan": "ไม่มีแผนนี้"},
        ).status_code
        == 404
    )


def _staff_pages_work_for_staff_and_writes_need_an_editor(municipality):
    from tests.conftest import _staff

    admin_user, viewer = _staff(municipality, "administrator"), _staff(municipality, "viewer")
    admin = Client()
    admin.force_login(admin_user)
    slug = municipality.slug
    for name, kwargs in [
        ("index", {}),
        ("import_new", {}),
        ("budget", {"year": 2570}),
        ("budget_change", {"year": 2570}),
        ("payment_new", {"year": 2570}),
        ("award_new", {"year": 2570}),
        ("project_new", {}),
        ("project", {"project": "P70-001"}),
        ("dataset_new", {}),
        ("dataset", {"dataset": "budget"}),
    ]:
        assert (
            admin.get(
                reverse(f"staff:opendata:{name}", kwargs={"municipality": slug, **kwargs})
            ).status_code
            == 200
        ), name
    response = admin.post(
        reverse("staff:opendata:project", kwargs={"municipality": slug, "project": "P70-002"}),
        {
            "code": "P70-002",
            "name_th": "รางระบายน้ำ",
            "status": "in_progress",
            "progress": "80",
            "planned_amount": "4150000.00",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(municipality=municipality, code="P70-002").progress == 80
    looker = Client()
    looker.force_login(viewer)
    assert (
        looker.get(reverse("staff:opendata:index", kwargs={"municipality": slug})).status_code
        == 200
    )
    assert (
        looker.post(
            reverse("staff:opendata:project", kwargs={"municipality": slug, "project": "P70-002"}),
            {"progress": "0"},
        ).status_code
        == 403
    )
