"""Forms of the staff back office. They parse and check input; services do the writing.

Every choice list is built from the request's municipality, so a department, category,
community or officer of another municipality is simply not a valid choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.core.templatetags.thesaban import localized
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.municipalities.selectors import department_list
from thesaban.reports import photos as photo_rules
from thesaban.reports.forms import ReportForm
from thesaban.reports.models import Category
from thesaban.reports.selectors import ReportFilters
from thesaban.reports.workflow import Status

MAX_BULK_REPORTS = 500
NOTE_MAX_LENGTH = 5000
PUBLIC_NOTE_REQUIRED = _("A public note is required to resolve or reject a report.")


class LocalizedModelChoiceField(forms.ModelChoiceField):
    """Shows `name_th` or `name_en` by the active language (and a category's icon)."""

    def label_from_instance(self, obj) -> str:
        icon = getattr(obj, "icon", "")
        return f"{icon} {localized(obj)}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --- The triage queue's filters ---------------------------------------------------------

DEPARTMENT_DEFAULT = ""
DEPARTMENT_ALL = "all"


@dataclass
class QueueScope:
    filters: ReportFilters
    department_id: int | None
    include_unassigned: bool


class QueueFilterForm(forms.Form):
    """GET filters of the queue. Invalid values are reported and ignored, never a 500."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    category = LocalizedModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    community = LocalizedModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    date_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Tracking code or words of the description."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, data=None, *, municipality: Municipality, staff_role: StaffRole | None):
        super().__init__(data)
        self.staff_role = staff_role
        self.own_department_id = (
            staff_role.department_id
            if staff_role is not None and staff_role.role == StaffRole.Role.OFFICER
            else None
        )
        departments = list(department_list(municipality=municipality).order_by("name_th"))
        choices: list[tuple[str, str]] = []
        if self.own_department_id:
            choices.append((DEPARTMENT_DEFAULT, str(_("My department and unassigned"))))
            choices.append((DEPARTMENT_ALL, str(_("All departments"))))
        else:
            choices.append((DEPARTMENT_DEFAULT, str(_("All departments"))))
        choices += [(str(d.pk), localized(d)) for d in departments]
        self.fields["department"].choices = choices
        self.fields["category"].queryset = Category.objects.filter(municipality=municipality)
        self.fields["community"].queryset = Community.objects.filter(municipality=municipality)
        self.fields["status"].choices = [
            ("", str(_("Open (not yet resolved)"))),
            ("done", str(_("Resolved or closed"))),
            *[(value, str(label)) for value, label in Status.choices],
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def _value(self, name: str):
        """A field's cleaned value; None when absent or invalid (its error is shown)."""
        if not self.is_bound:
            return None
        self.is_valid()  # runs the validation once; fields with errors leave cleaned_data
        return self.cleaned_data.get(name)

    def scope(self) -> QueueScope:
        """What the queue shows; a field with an invalid value is left out."""

        def aware(day, extra_days: int = 0) -> datetime | None:
            if not day:
                return None
            return timezone.make_aware(datetime.combine(day + timedelta(days=extra_days), time.min))

        category, community = self._value("category"), self._value("community")
        filters = ReportFilters(
            category=category.pk if category else None,
            status=self._value("status") or None,
            community=community.pk if community else None,
            date_from=aware(self._value("date_from")),
            date_to=aware(self._value("date_to"), extra_days=1),
            q=(self._value("q") or "").strip(),
        )
        department = self._value("department") or DEPARTMENT_DEFAULT
        if department == DEPARTMENT_DEFAULT:
            return QueueScope(filters, self.own_department_id, include_unassigned=True)
        if department == DEPARTMENT_ALL:
            return QueueScope(filters, None, include_unassigned=True)
        return QueueScope(filters, int(department), include_unassigned=False)

    @property
    def scope_label(self) -> str:
        value = self._value("department") or DEPARTMENT_DEFAULT
        return dict(self.fields["department"].choices).get(value, "")


# --- Bulk action --------------------------------------------------------------------------


class ReportIdsField(forms.Field):
    """The ids of the ticked rows (checkboxes named `reports`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one report."),
        "invalid": _("The selection is not valid."),
    }

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return list(dict.fromkeys(ids))[:MAX_BULK_REPORTS]


class BulkActionForm(forms.Form):
    ACCEPT, START, ASSIGN, RESOLVE, REJECT = "accept", "start", "assign", "resolve", "reject"
    TARGETS = {
        ACCEPT: Status.ACCEPTED,
        START: Status.IN_PROGRESS,
        RESOLVE: Status.RESOLVED,
        REJECT: Status.REJECTED,
    }

    reports = ReportIdsField(label=_("Reports"))
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", _("Choose an action")),
            (ACCEPT, _("Accept")),
            (START, _("Start work")),
            (ASSIGN, _("Assign to a department")),
            (RESOLVE, _("Resolve (public note required)")),
            (REJECT, _("Reject (public note required)")),
        ],
        error_messages={"required": _("Choose an action for the selected reports.")},
    )
    department = LocalizedModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("For “Assign to a department”."),
    )
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the reporters and the public. Required to resolve or reject."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_list(municipality=municipality).order_by(
            "name_th"
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.ASSIGN and not cleaned.get("department"):
            self.add_error("department", _("Choose the department to assign the reports to."))
        if action in (self.RESOLVE, self.REJECT) and not (cleaned.get("public_note") or "").strip():
            self.add_error("public_note", PUBLIC_NOTE_REQUIRED)
        return cleaned

    @property
    def to_status(self) -> str | None:
        return self.TARGETS.get(self.cleaned_data["action"])

    @property
    def target_department(self) -> Department | None:
        if self.cleaned_data["action"] == self.ASSIGN:
            return self.cleaned_data["department"]
        return None


# --- One report -----------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultiplePhotoField, self).clean(item, initial) for item in items if item]
        if len(cleaned) > photo_rules.MAX_PHOTOS:
            raise ValidationError(_("At most 3 photos."), code="too_many")
        return cleaned


class TransitionForm(forms.Form):
    """The status buttons post `to_status`; the service decides whether the move is allowed."""

    to_status = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose what to do with the report.")},
    )
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to the reporter, the followers and the public. Required to resolve or reject."
        ),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff see this."),
    )
    photos = MultiplePhotoField(
        label=_("Photos of the work done"),
        required=False,
        help_text=_("Up to 3 photos, JPEG, PNG or WebP."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "transition-%s")  # ids stay unique on the report page
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    department = LocalizedModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("— No department (unassigned) —"),
    )
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Nobody —"),
    )

    def __init__(self, *args, municipality: Municipality, **kwargs):
        kwargs.setdefault("auto_id", "assign-%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_list(municipality=municipality).order_by(
            "name_th"
        )
        # Staff who may act on reports (administrators and officers) of this municipality only.
        roles = (
            StaffRole.objects.filter(
                municipality=municipality,
                role__in=[StaffRole.Role.ADMINISTRATOR, StaffRole.Role.OFFICER],
            )
            .select_related("user", "department")
            .order_by("user__display_name", "user__username")
        )
        officer_field = self.fields["officer"]
        officer_field.queryset = User.objects.filter(
            staff_roles__municipality=municipality,
            staff_roles__role__in=[StaffRole.Role.ADMINISTRATOR, StaffRole.Role.OFFICER],
        )
        # One query for the labels (name and department); the queryset above validates the choice.
        officer_field.choices = [("", officer_field.empty_label)] + [
            (role.user_id, self._officer_label(role)) for role in roles
        ]

    @staticmethod
    def _officer_label(role: StaffRole) -> str:
        name = str(role.user)
        if role.department_id:
            return f"{name} ({localized(role.department)})"
        return f"{name} ({role.get_role_display()})"


class NoteForm(forms.Form):
    PUBLIC, INTERNAL = "public", "internal"

    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("The note is empty.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            (INTERNAL, _("Internal note: only staff")),
            (PUBLIC, _("Public reply: everyone; the reporter and followers are told")),
        ],
        initial=INTERNAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        return self.cleaned_data["visibility"] == self.PUBLIC


class RecategoriseForm(forms.Form):
    """Move a report to another category of this municipality."""

    category = LocalizedModelChoiceField(
        label=_("New category"),
        queryset=Category.objects.none(),
        error_messages={"required": _("Choose a category.")},
    )
    reroute = forms.BooleanField(
        label=_("Also send it to the department of the new category"),
        required=False,
        help_text=_("Otherwise the department stays as it is. The SLA deadline stays as promised."),
    )

    def __init__(self, *args, municipality: Municipality, **kwargs):
        kwargs.setdefault("auto_id", "category-%s")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            municipality=municipality, is_active=True
        )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Tracking code of the report to keep"),
        max_length=32,
        help_text=_(
            "This report becomes a duplicate of that one; its supports and followers move there."
        ),
        error_messages={"required": _("Enter the tracking code of the report to keep.")},
    )
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty for “Merged into <tracking code>”."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "merge-%s")
        super().__init__(*args, **kwargs)

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


class AssistedReportForm(ReportForm):
    """The report form as a digital-centre helper fills it in for a resident.

    The resident's consent to record the report (and to be contacted, when they give
    details) is heard by the helper and recorded with its method; the helper and the time
    are recorded by the service. The report is always anonymous to the public."""

    consent_given = forms.BooleanField(
        label=_(
            "The resident agreed that the municipality records this report and, if they gave "
            "contact details, contacts them about it."
        ),
        error_messages={
            "required": _("Without the resident's consent the report cannot be submitted.")
        },
    )
    consent_method = forms.ChoiceField(
        label=_("How the resident agreed"),
        choices=[
            (ConsentRecord.Method.VERBAL, ConsentRecord.Method.VERBAL.label),
            (ConsentRecord.Method.WRITTEN, ConsentRecord.Method.WRITTEN.label),
        ],
        initial=ConsentRecord.Method.VERBAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Record how the resident gave consent.")},
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, categories=categories, signed_in=False, **kwargs)
        for name in ("contact_consent", "is_anonymous"):
            del self.fields[name]
        self.fields["reporter_name"].label = _("Resident's name")
        self.fields["reporter_email"].label = _("Resident's e-mail")
        self.fields["reporter_email"].help_text = _(
            "If given, the tracking link and every change are sent there."
        )
        self.fields["reporter_phone"].label = _("Resident's phone")
        for name in ("reporter_name", "reporter_email", "reporter_phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self):
        # The parent's check of contact_consent does not apply: consent_given covers it.
        self.signed_in = True
        try:
            return super().clean()
        finally:
            self.signed_in = False
