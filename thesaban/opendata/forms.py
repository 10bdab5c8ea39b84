"""Back-office forms of the open-data portal. Choices are always limited to the municipality."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from thesaban.opendata.budget import GROUP_ORDER
from thesaban.opendata.metadata import LICENSE_CHOICES
from thesaban.opendata.models import (
    BudgetGroup,
    BudgetVersion,
    Dataset,
    ImportJob,
    ProcurementAward,
    Project,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Column names in Thai or English; see the file format in the documentation."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def _item_label(item) -> str:
    return f"{item.plan} › {item.work} › {item.item}"


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _item_label(obj)


class BudgetChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, v) for k, v in BudgetVersion.Kind.choices if k != BudgetVersion.Kind.IMPORT],
    )
    from_item = ItemChoiceField(label=_("Take from"), queryset=None, required=False)
    to_item = ItemChoiceField(label=_("Add to"), queryset=None, required=False)
    new_plan = forms.CharField(label=_("or a new item: plan"), max_length=200, required=False)
    new_work = forms.CharField(label=_("work"), max_length=200, required=False)
    new_group = forms.ChoiceField(
        label=_("budget group"),
        choices=[("", "—"), *[(g, BudgetGroup(g).label) for g in GROUP_ORDER]],
        required=False,
    )
    new_category = forms.CharField(label=_("expense category"), max_length=200, required=False)
    new_item = forms.CharField(label=_("item"), max_length=500, required=False)
    amount = forms.DecimalField(
        label=_("Amount (baht)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    reference = forms.CharField(
        label=_("Reference (council resolution, order)"), max_length=100, required=False
    )
    approved_on = forms.DateField(
        label=_("Approved on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        items = budget.items.order_by("position", "id")
        self.fields["from_item"].queryset = items
        self.fields["to_item"].queryset = items

    def clean(self):
        data = super().clean()
        new = [
            data.get(k) for k in ("new_plan", "new_work", "new_group", "new_category", "new_item")
        ]
        if any(new) and not all(new):
            raise forms.ValidationError(
                _("A new item needs its plan, work, budget group, category and name.")
            )
        if any(new) and data.get("to_item"):
            raise forms.ValidationError(
                _("Choose an item to add to, or describe a new one, not both.")
            )
        data["new_key"] = tuple(v.strip() for v in new) if all(new) else None
        return data


class DisbursementForm(forms.Form):
    item = ItemChoiceField(label=_("Budget item"), queryset=None)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("Amount (baht)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(label=_("Voucher number"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        help_text=_("Not published: it may name a payee."),
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)

    def __init__(self, *args, budget, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = budget.items.order_by("position", "id")
        self.fields["project"].queryset = projects


class AwardForm(forms.Form):
    reference = forms.CharField(label=_("e-GP project number"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=500)
    method = forms.ChoiceField(label=_("Method"), choices=ProcurementAward.Method.choices)
    winner_name = forms.CharField(label=_("Winner"), max_length=300)
    winner_kind = forms.ChoiceField(
        label=_("Winner type"),
        choices=ProcurementAward.WinnerKind.choices,
        help_text=_("A natural person's name is kept for staff and never published."),
    )
    amount = forms.DecimalField(
        label=_("Contract amount (baht)"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    awarded_on = forms.DateField(
        label=_("Awarded on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name_th",
            "name_en",
            "description",
            "status",
            "progress",
            "planned_amount",
            "budget_item",
            "community",
            "lat",
            "lng",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"budget_item": ItemChoiceField}

    def __init__(self, *args, municipality, items, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["budget_item"].queryset = items
        self.fields["community"].queryset = communities
        if self.instance.pk:
            self.fields["code"].disabled = True

    def validate_unique(self):
        # The service creates or updates by (municipality, code); nothing else is unique here.
        pass


class DatasetForm(forms.ModelForm):
    license_id = forms.ChoiceField(label=_("Licence"), choices=LICENSE_CHOICES)

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "keywords",
            "license_id",
            "frequency",
            "temporal_start",
            "temporal_end",
            "is_published",
        ]
        widgets = {
            "temporal_start": forms.DateInput(attrs={"type": "date"}),
            "temporal_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True

    def validate_unique(self):
        pass


class ResourceUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, JSON, GeoJSON, XLSX or PDF, up to 50 MB)"))
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
