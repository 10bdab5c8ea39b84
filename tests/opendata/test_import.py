"""Budget import: the round trip (explorer totals equal the file's sums) and all-or-nothing errors."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from tests.opendata.conftest import csv_sum, sample_bytes
from thesaban.core.models import AuditEntry
from thesaban.opendata import importers, selectors
from thesaban.opendata.models import Budget, BudgetItem, BudgetLine, BudgetVersion, ImportJob

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_budget_round_trip_explorer_totals_equal_the_files_sums(municipality, budget_2570, client):
    file_total = csv_sum(budget_2570)
    assert file_total == Decimal("180805000.00")
    view = selectors.budget_explore(municipality=municipality, fiscal_year=2570)
    assert view.total == file_total
    assert sum(r.planned for r in view.rows) == file_total
    assert sum(r.planned for r in view.by_group) == file_total
    rows = _rows(budget_2570)
    for row in view.rows:  # every plan
        assert row.planned == csv_sum(budget_2570, แผนงาน=row.key)
    thai_group = {
        "central": "งบกลาง",
        "personnel": "งบบุคลากร",
        "operating": "งบดำเนินงาน",
        "investment": "งบลงทุน",
        "subsidy": "งบเงินอุดหนุน",
        "other": "งบรายจ่ายอื่น",
    }
    for row in view.by_group:
        assert row.planned == csv_sum(budget_2570, งบ=thai_group[row.key])
    # drill down: every work of every plan, and the items of one work
    for plan in {r["แผนงาน"] for r in rows}:
        works = selectors.budget_explore(municipality=municipality, fiscal_year=2570, plan=plan)
        for work in works.rows:
            assert work.planned == csv_sum(budget_2570, แผนงาน=plan, งาน=work.key)
    items = selectors.budget_explore(
        municipality=municipality, fiscal_year=2570, plan="แผนงานงบกลาง", work="งบกลาง"
    )
    assert len(items.rows) == 10
    assert items.level_total == csv_sum(budget_2570, แผนงาน="แผนงานงบกลาง")
    # and the page shows the same figure
    page = client.get(
        reverse("opendata:budget", kwargs={"municipality": municipality.slug, "year": 2570})
    )
    assert page.status_code == 200
    assert "180,805,000.00" in page.content.decode()


def test_xlsx_imports_the_same_as_csv(municipality, other_municipality):
    data = sample_bytes("budget-2570.csv")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["งบประมาณรายจ่ายประจำปี (หัวกระดาษที่ไม่ใช่ตาราง)"])
    sheet.append([])
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    sheet.append(
        ["fiscal year", "plan", "work", "budget group", "expense category", "item", "amount"]
    )
    next(reader)
    for row in reader:
        sheet.append([int(row[0]), *row[1:6], float(row[6].replace(",", ""))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = importers.import_budget(
        municipality=other_municipality, name="budget.xlsx", data=buffer.getvalue()
    )
    assert result.ok, result.errors.items[:3]
    assert Decimal(result.summary["total"]) == csv_sum(data)
    importers.import_budget(municipality=municipality, name="budget.csv", data=data)
    a = BudgetVersion.objects.get(municipality=municipality)
    b = BudgetVersion.objects.get(municipality=other_municipality)
    assert a.digest == b.digest  # the same lines, whatever the file format and column names


BAD_FILE = """ปีงบประมาณ,แผนงาน,งาน,งบ,หมวด,รายการ,จำนวนเงิน
2570,แผนงานบริหารงานทั่วไป,งานบริหารทั่วไป,งบบุคลากร,เงินเดือน,เงินเดือนพนักงาน,"1,000,000.00"
2570,แผนงานบริหารงานทั่วไป,งานบริหารทั่วไป,งบพิเศษ,ค่าใช้สอย,รายจ่ายเพื่อให้ได้มาซึ่งบริการ,50000
2027,แผนงานการศึกษา,งานระดับก่อนวัยเรียนและประถมศึกษา,งบดำเนินงาน,ค่าวัสดุ,ค่าอาหารเสริม (นม),สองแสน
2570,แผนงานสาธารณสุข,,งบดำเนินงาน,ค่าวัสดุ,วัสดุวิทยาศาสตร์หรือการแพทย์,-500
2570,แผนงานบริหารงานทั่วไป,งานบริหารทั่วไป,งบบุคลากร,เงินเดือน,เงินเดือนพนักงาน,20.555
2569,แผนงานงบกลาง,งบกลาง,งบกลาง,งบกลาง,เบี้ยยังชีพผู้สูงอายุ,100
"""


def test_a_file_with_errors_imports_nothing_and_lists_every_error(municipality):
    result = importers.import_budget(
        municipality=municipality, name="bad.csv", data=BAD_FILE.encode()
    )
    assert not result.ok
    found = {(e["row"], e["column"].split(" / ")[0]) for e in result.errors.items}
    assert found == {
        (3, "งบ"),  # unknown budget group
        (4, "ปีงบประมาณ"),  # a Christian-era year
        (4, "จำนวนเงิน"),  # not a number
        (5, "งาน"),  # empty
        (5, "จำนวนเงิน"),  # negative
        (6, "จำนวนเงิน"),  # three decimals
        (7, "ปีงบประมาณ"),  # another fiscal year in the same file
    }
    by_cell = {(e["row"], e["column"].split(" / ")[0]): e for e in result.errors.items}
    assert "2570" in by_cell[(4, "ปีงบประมาณ")]["en"]  # it suggests the B.E. year
    for error in result.errors.items:
        assert error["th"] and error["en"]
    assert not Budget.objects.filter(municipality=municipality).exists()
    assert not BudgetItem.objects.exists() and not BudgetLine.objects.exists()


def test_duplicate_items_and_missing_columns_are_errors(municipality):
    missing = "ปีงบประมาณ,แผนงาน,งาน,หมวด,รายการ\n2570,a,b,c,d\n"
    result = importers.import_budget(municipality=municipality, name="x.csv", data=missing.encode())
    assert [(e["row"], e["column"]) for e in result.errors.items] == [
        (1, "งบ / budget group"),
        (1, "จำนวนเงิน / amount"),
    ]
    duplicate = (
        "year,plan,work,budget group,expense category,item,amount\n"
        "2570,P,W,operating,C,I,10\n2570,P,W,งบดำเนินงาน,C,I,20\n"
    )
    result = importers.import_budget(
        municipality=municipality, name="x.csv", data=duplicate.encode()
    )
    assert [(e["row"], "row 2" in e["en"]) for e in result.errors.items] == [(3, True)]
    assert not Budget.objects.exists()


def test_reimporting_the_same_file_adds_no_version_and_a_changed_file_adds_one(
    municipality, budget_2570
):
    again = importers.import_budget(municipality=municipality, name="again.csv", data=budget_2570)
    assert again.ok and again.summary["version"] == 1
    changed = budget_2570.decode().replace('"1,528,000.00"', '"1,600,000.00"').encode()
    result = importers.import_budget(municipality=municipality, name="changed.csv", data=changed)
    assert result.summary["version"] == 2
    versions = list(BudgetVersion.objects.filter(municipality=municipality).order_by("number"))
    assert [v.total for v in versions] == [Decimal("180805000.00"), Decimal("180877000.00")]
    # the first version is intact
    assert versions[0].lines.count() == versions[1].lines.count() == 197
    assert AuditEntry.objects.filter(action="opendata.budget_import").count() == 2


def test_cp874_csv_with_semicolons_is_read(municipality):
    text = "ปีงบประมาณ;แผนงาน;งาน;งบ;หมวด;รายการ;จำนวนเงิน\n2570;แผนงานการศึกษา;งานระดับก่อนวัยเรียน;งบลงทุน;ค่าครุภัณฑ์;โต๊ะ;1 234,50\n"
    # "1 234,50" is not a Thai way of writing money: refused with a reason, nothing imported
    result = importers.import_budget(
        municipality=municipality, name="x.csv", data=text.encode("cp874")
    )
    assert [e["column"] for e in result.errors.items] == ["จำนวนเงิน / amount"]
    result = importers.import_budget(
        municipality=municipality,
        name="x.csv",
        data=text.replace("1 234,50", "1234.50").encode("cp874"),
    )
    assert result.ok and result.summary["total"] == "1234.50"


def test_staff_upload_runs_the_import_job_and_shows_every_error(
    municipality, admin_user, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    url = reverse("staff:opendata:import_new", kwargs={"municipality": municipality.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": "budget",
                "file": SimpleUploadedFile("bad.csv", BAD_FILE.encode(), "text/csv"),
            },
        )
    job = ImportJob.objects.get(municipality=municipality)
    assert response.status_code == 302 and response.url.endswith(f"/imports/{job.pk}/")
    assert job.state == ImportJob.State.FAILED and len(job.errors) == 7
    page = client.get(response.url).content.decode()
    assert page.count("<tr>") == 8  # header + 7 errors
    assert "Not an amount of money: สองแสน." in page
    assert not Budget.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "kind": "budget",
                "file": SimpleUploadedFile(
                    "budget.csv", sample_bytes("budget-2570.csv"), "text/csv"
                ),
            },
        )
    job = ImportJob.objects.filter(municipality=municipality).first()
    assert job.state == ImportJob.State.DONE and job.rows_done == job.rows_total == 197
    assert job.result["total"] == "180805000.00"


def test_viewers_cannot_import(municipality, viewer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(viewer)
    url = reverse("staff:opendata:import_new", kwargs={"municipality": municipality.slug})
    response = client.post(
        url, {"kind": "budget", "file": SimpleUploadedFile("b.csv", b"x", "text/csv")}
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_progress_is_reported_while_checking(municipality):
    lines = ["year,plan,work,budget group,expense category,item,amount"]
    lines += [f"2570,P,W,operating,C,item {n},{n}.25" for n in range(1, 1201)]
    calls = []
    result = importers.import_budget(
        municipality=municipality,
        name="big.csv",
        data="\n".join(lines).encode(),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result.ok
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
    assert Decimal(result.summary["total"]) == sum(Decimal(f"{n}.25") for n in range(1, 1201))
