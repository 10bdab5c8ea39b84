"""Writes of the open-data portal: keyword-only, atomic, audited, and logged to the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from thesaban.accounts.rules import is_administrator, is_officer
from thesaban.core.audit import audit_record
from thesaban.opendata import ledger
from thesaban.opendata.budget import ItemKey, item_key_hash, lines_digest, money
from thesaban.opendata.models import (
    Budget,
    BudgetChange,
    BudgetItem,
    BudgetLine,
    BudgetVersion,
    Dataset,
    Disbursement,
    ImportJob,
    ProcurementAward,
    Project,
    Resource,
)


def _check_editor(actor: Any, municipality) -> None:
    """Writers are administrators or officers of the municipality (None: a command-line run)."""
    if actor is None:
        return
    if not (is_administrator(actor, municipality) or is_officer(actor, municipality)):
        raise PermissionDenied(
            _("Only the municipality's administrators and officers may do this.")
        )


# -- budgets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLineInput:
    key: ItemKey
    amount: Decimal


def budget_for_year(*, municipality, fiscal_year: int) -> Budget:
    budget, _created = Budget.objects.get_or_create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        defaults={"population": municipality.population},
    )
    return budget


def _new_version(
    *,
    budget: Budget,
    kind: str,
    lines: dict[BudgetItem, Decimal],
    actor,
    note: str,
    source_name: str = "",
) -> BudgetVersion:
    number = (budget.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = BudgetVersion.objects.create(
        municipality=budget.municipality,
        budget=budget,
        number=number,
        kind=kind,
        note=note[:500],
        source_name=source_name[:255],
        total=sum(lines.values(), Decimal("0.00")),
        line_count=len(lines),
        digest=lines_digest((item.key, amount) for item, amount in lines.items()),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(municipality=budget.municipality, version=version, item=item, amount=amount)
            for item, amount in lines.items()
        ],
        batch_size=1000,
    )
    return version


def current_version(budget: Budget) -> BudgetVersion | None:
    return budget.versions.order_by("-number").first()


@transaction.atomic
def budget_import(
    *,
    municipality,
    fiscal_year: int,
    lines: Sequence[BudgetLineInput],
    actor: Any = None,
    source_name: str = "",
    note: str = "",
) -> BudgetVersion:
    """A new version of the year's budget holding exactly `lines` (already validated).

    Importing the lines of the current or of the last imported version again adds nothing and
    returns the current version.
    """
    _check_editor(actor, municipality)
    if not lines:
        raise ValidationError(_("The budget has no lines."))
    budget = budget_for_year(municipality=municipality, fiscal_year=fiscal_year)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    latest = current_version(budget)
    digest = lines_digest((line.key, line.amount) for line in lines)
    last_import = budget.versions.filter(kind=BudgetVersion.Kind.IMPORT).order_by("-number").first()
    if latest is not None and digest in {latest.digest, getattr(last_import, "digest", None)}:
        # A retry, or the same file imported again after transfers: nothing new (and the
        # transfers made since are not undone).
        return latest
    existing = {item.key: item for item in budget.items.all()}
    position = max((item.position for item in existing.values()), default=0)
    new_items = []
    for line in lines:
        if line.key not in existing:
            position += 1
            plan, work, group, category, name = line.key
            item = BudgetItem(
                municipality=municipality,
                budget=budget,
                plan=plan,
                work=work,
                budget_group=group,
                expense_category=category,
                item=name,
                key_hash=item_key_hash(line.key),
                position=position,
            )
            existing[line.key] = item
            new_items.append(item)
    BudgetItem.objects.bulk_create(new_items, batch_size=1000)
    if new_items and new_items[0].pk is None:  # backends that do not return ids
        existing = {item.key: item for item in budget.items.all()}
    version = _new_version(
        budget=budget,
        kind=BudgetVersion.Kind.IMPORT,
        lines={existing[line.key]: line.amount for line in lines},
        actor=actor,
        note=note,
        source_name=source_name,
    )
    audit_record(
        action="opendata.budget_import",
        actor=actor,
        municipality=municipality,
        target=version,
        data={
            "fiscal_year": fiscal_year,
            "version": version.number,
            "total": money(version.total),
            "lines": version.line_count,
            "digest": version.digest,
        },
    )
    ledger.record(municipality=municipality, record_type=ledger.BUDGET_VERSION, record=version)
    return version


@transaction.atomic
def budget_change_create(
    *,
    budget: Budget,
    kind: str,
    amount: Decimal,
    reason: str,
    approved_on: dt.date,
    from_item: BudgetItem | None = None,
    to_item: BudgetItem | None = None,
    new_item: ItemKey | None = None,
    reference: str = "",
    actor: Any = None,
) -> BudgetChange:
    """A transfer (from one item to another, or to a new item) or an amendment (adds to an item
    when only `to_item`/`new_item` is given, takes from one when only `from_item` is given).
    The result is a new version; every earlier version stays as it was."""
    municipality = budget.municipality
    _check_editor(actor, municipality)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("The amount must be positive, with at most two decimals."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change."))
    for item in (from_item, to_item):
        if item is not None and item.budget_id != budget.pk:
            raise ValidationError(_("The item is not in this budget."))
    if to_item is None and new_item is not None:
        plan, work, group, category, name = new_item
        to_item, _created = BudgetItem.objects.get_or_create(
            municipality=municipality,
            budget=budget,
            key_hash=item_key_hash(new_item),
            defaults={
                "plan": plan,
                "work": work,
                "budget_group": group,
                "expense_category": category,
                "item": name,
                "position": (budget.items.aggregate(p=Max("position"))["p"] or 0) + 1,
            },
        )
    if from_item is None and to_item is None:
        raise ValidationError(_("Choose the item to take from, the item to add to, or both."))
    if from_item is not None and from_item == to_item:
        raise ValidationError(_("A transfer needs two different items."))
    if kind == BudgetVersion.Kind.TRANSFER and (from_item is None or to_item is None):
        raise ValidationError(_("A transfer takes from one item and adds to another."))
    latest = current_version(budget)
    if latest is None:
        raise ValidationError(_("Import the budget before changing it."))
    lines = {line.item: line.amount for line in latest.lines.select_related("item")}
    if from_item is not None:
        available = lines.get(from_item, Decimal("0.00"))
        if available < amount:
            raise ValidationError(
                _("Only %(available)s baht are left on the item to take from.")
                % {"available": f"{available:,.2f}"}
            )
        lines[from_item] = available - amount
    if to_item is not None:
        lines[to_item] = lines.get(to_item, Decimal("0.00")) + amount
    version = _new_version(budget=budget, kind=kind, lines=lines, actor=actor, note=reason)
    change = BudgetChange.objects.create(
        municipality=municipality,
        budget=budget,
        version=version,
        kind=kind,
        from_item=from_item,
        to_item=to_item,
        amount=amount,
        reason=reason.strip()[:500],
        reference=reference.strip()[:100],
        approved_on=approved_on,
    )
    audit_record(
        action="opendata.budget_change",
        actor=actor,
        municipality=municipality,
        target=change,
        data={"kind": kind, "amount": money(amount), "version": version.number},
    )
    ledger.record(municipality=municipality, record_type=ledger.BUDGET_VERSION, record=version)
    ledger.record(municipality=municipality, record_type=ledger.BUDGET_CHANGE, record=change)
    return change


# -- spending ---------------------------------------------------------------------------------


@transaction.atomic
def disbursement_create(
    *,
    budget: Budget,
    item: BudgetItem,
    paid_on: dt.date,
    amount: Decimal,
    reference: str,
    description: str = "",
    project: Project | None = None,
    actor: Any = None,
) -> Disbursement:
    """Records a payment once: the same voucher again returns the first record; a voucher
    number already used with other figures is refused."""
    municipality = budget.municipality
    _check_editor(actor, municipality)
    if item.budget_id != budget.pk:
        raise ValidationError(_("The item is not in this budget."))
    if project is not None and project.municipality_id != municipality.pk:
        raise ValidationError(_("No such project."))
    if amount <= 0:
        raise ValidationError(_("The amount must be positive."))
    existing = Disbursement.objects.filter(
        municipality=municipality, budget=budget, reference=reference
    ).first()
    if existing is not None:
        if (existing.item_id, existing.amount, existing.paid_on) == (item.pk, amount, paid_on):
            return existing
        raise ValidationError(
            _("Voucher %(reference)s is already recorded with other figures.")
            % {"reference": reference}
        )
    disbursement = Disbursement.objects.create(
        municipality=municipality,
        budget=budget,
        item=item,
        project=project,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        description=description[:500],
    )
    audit_record(
        action="opendata.disbursement_create",
        actor=actor,
        municipality=municipality,
        target=disbursement,
        data={"reference": reference, "amount": money(amount)},
    )
    ledger.record(municipality=municipality, record_type=ledger.DISBURSEMENT, record=disbursement)
    return disbursement


@transaction.atomic
def procurement_award_create(
    *,
    budget: Budget,
    reference: str,
    title: str,
    method: str,
    winner_name: str,
    winner_kind: str,
    amount: Decimal,
    awarded_on: dt.date,
    project: Project | None = None,
    actor: Any = None,
) -> ProcurementAward:
    municipality = budget.municipality
    _check_editor(actor, municipality)
    if project is not None and project.municipality_id != municipality.pk:
        raise ValidationError(_("No such project."))
    existing = ProcurementAward.objects.filter(
        municipality=municipality, reference=reference
    ).first()
    if existing is not None:
        if (existing.amount, existing.winner_name, existing.awarded_on) == (
            amount,
            winner_name,
            awarded_on,
        ):
            return existing
        raise ValidationError(
            _("Procurement %(reference)s is already recorded with other figures.")
            % {"reference": reference}
        )
    award = ProcurementAward.objects.create(
        municipality=municipality,
        budget=budget,
        reference=reference,
        title=title,
        method=method,
        winner_name=winner_name,
        winner_kind=winner_kind,
        amount=amount,
        awarded_on=awarded_on,
        project=project,
    )
    audit_record(
        action="opendata.procurement_award_create",
        actor=actor,
        municipality=municipality,
        target=award,
        data={"reference": reference, "amount": money(amount)},
    )
    ledger.record(municipality=municipality, record_type=ledger.PROCUREMENT_AWARD, record=award)
    return award


PROJECT_FIELDS = (
    "name_th",
    "name_en",
    "description",
    "budget_item",
    "planned_amount",
    "status",
    "progress",
    "community",
    "lat",
    "lng",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def project_save(*, municipality, code: str, actor: Any = None, **fields: Any) -> Project:
    """Creates the project with this code or updates the fields given."""
    _check_editor(actor, municipality)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    item = fields.get("budget_item")
    if item is not None and item.municipality_id != municipality.pk:
        raise ValidationError(_("The item is not in this budget."))
    community = fields.get("community")
    if community is not None and community.municipality_id != municipality.pk:
        raise ValidationError(_("No such community."))
    progress = fields.get("progress")
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage from 0 to 100."))
    project, created = Project.objects.select_for_update().get_or_create(
        municipality=municipality, code=code, defaults=fields
    )
    if not created:
        changed = {k: v for k, v in fields.items() if getattr(project, k) != v}
        for key, value in changed.items():
            setattr(project, key, value)
        if changed:
            project.save()
    audit_record(
        action="opendata.project_save",
        actor=actor,
        municipality=municipality,
        target=project,
        data={
            "code": code,
            "created": created,
            "progress": project.progress,
            "status": project.status,
        },
    )
    return project


# -- imports ----------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *, municipality, kind: str, upload: UploadedFile, actor: Any = None, note: str = ""
) -> ImportJob:
    _check_editor(actor, municipality)
    job = ImportJob.objects.create(
        municipality=municipality,
        kind=kind,
        file=upload,
        original_name=(upload.name or "upload")[:255],
        note=note[:500],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="opendata.import_upload",
        actor=actor,
        municipality=municipality,
        target=job,
        data={"kind": kind, "file": job.original_name},
    )
    from thesaban.opendata import tasks

    job_id = job.pk
    transaction.on_commit(lambda: tasks.run_import.enqueue(job_id=job_id))
    return job


# -- datasets ---------------------------------------------------------------------------------


DATASET_FIELDS = (
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "keywords",
    "license_id",
    "frequency",
    "temporal_start",
    "temporal_end",
    "source",
    "is_published",
)


@transaction.atomic
def dataset_save(
    *, municipality, slug: str, actor: Any = None, live_formats: Sequence[str] = (), **fields: Any
) -> Dataset:
    """Creates or updates a catalogue entry; a live source gets one resource per format."""
    _check_editor(actor, municipality)
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise TypeError(f"unknown dataset fields: {sorted(unknown)}")
    dataset, created = Dataset.objects.get_or_create(
        municipality=municipality, slug=slug, defaults=fields
    )
    if not created:
        for key, value in fields.items():
            setattr(dataset, key, value)
        dataset.save()
    have = set(dataset.resources.filter(is_live=True).values_list("format", flat=True))
    for position, fmt in enumerate(live_formats):
        if fmt not in have:
            Resource.objects.create(
                municipality=municipality,
                dataset=dataset,
                name_th=f"{dataset.title_th} ({fmt})",
                name_en=f"{dataset.title_en} ({fmt})",
                format=fmt,
                is_live=True,
                position=position,
            )
    audit_record(
        action="opendata.dataset_save",
        actor=actor,
        municipality=municipality,
        target=dataset,
        data={"slug": slug, "created": created},
    )
    return dataset


MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_FORMATS = {
    ".csv": Resource.Format.CSV,
    ".json": Resource.Format.JSON,
    ".geojson": Resource.Format.GEOJSON,
    ".xlsx": Resource.Format.XLSX,
    ".pdf": Resource.Format.PDF,
}


@transaction.atomic
def resource_upload(
    *, dataset: Dataset, upload: UploadedFile, name_th: str, name_en: str = "", actor: Any = None
) -> Resource:
    municipality = dataset.municipality
    _check_editor(actor, municipality)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."))
    suffix = (
        "." + (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    )
    fmt = UPLOAD_FORMATS.get(suffix)
    if fmt is None:
        raise ValidationError(_("Upload CSV, JSON, GeoJSON, XLSX or PDF files."))
    resource = Resource.objects.create(
        municipality=municipality,
        dataset=dataset,
        name_th=name_th.strip() or upload.name,
        name_en=name_en.strip(),
        format=fmt,
        file=upload,
        size=upload.size,
        position=dataset.resources.count(),
    )
    dataset.save(update_fields=["modified_at"])
    audit_record(
        action="opendata.resource_upload",
        actor=actor,
        municipality=municipality,
        target=resource,
        data={"dataset": dataset.slug, "format": fmt, "size": upload.size},
    )
    return resource


def datasets_publish_standard(*, municipality, actor: Any = None) -> list[Dataset]:
    """The catalogue entries of every registered live source (idempotent)."""
    from thesaban.opendata.sources import sources

    published = []
    for source in sources.all():
        exists = Dataset.objects.filter(municipality=municipality, slug=source.key).exists()
        # Staff may have edited the wording since: only a new entry takes the defaults.
        fields = {} if exists else source.catalogue_defaults()
        published.append(
            dataset_save(
                municipality=municipality,
                slug=source.key,
                actor=actor,
                live_formats=source.formats,
                **fields,
            )
        )
    return published
