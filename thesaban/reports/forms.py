"""Forms of the resident-facing report pages. They check the shape of the input; the rules
(photo hardening, who may rate or reopen, ...) live in services.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thesaban.core.dates import BUDDHIST_ERA_OFFSET
from thesaban.core.forms import apply_validation_error
from thesaban.core.templatetags.thesaban import localized
from thesaban.reports import photos as photo_rules
from thesaban.reports.questions import ordered
from thesaban.reports.selectors import MapBox, ReportFilters
from thesaban.reports.workflow import Status

# Error codes of photos.clean_photo: the service raises them without a field name.
PHOTO_ERROR_CODES = {"too_large", "format", "bomb", "not_image"}
PHOTO_CONTENT_TYPES = "image/jpeg,image/png,image/webp"

LAT_RANGE_MESSAGE = _(
    "Latitude must be a number from -90 to 90 (Thailand lies between about 5.6 and 20.5)."
)
LNG_RANGE_MESSAGE = _(
    "Longitude must be a number from -180 to 180 (Thailand lies between about 97.3 and 105.7)."
)


class LatitudeField(forms.FloatField):
    default_error_messages = {
        "invalid": LAT_RANGE_MESSAGE,
        "min_value": LAT_RANGE_MESSAGE,
        "max_value": LAT_RANGE_MESSAGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -90)
        kwargs.setdefault("max_value", 90)
        kwargs.setdefault(
            "widget",
            forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)


class LongitudeField(LatitudeField):
    default_error_messages = {
        "invalid": LNG_RANGE_MESSAGE,
        "min_value": LNG_RANGE_MESSAGE,
        "max_value": LNG_RANGE_MESSAGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -180)
        kwargs.setdefault("max_value", 180)
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to three files from one `<input type=file multiple>`; their content is checked by
    photos.clean_photo inside services.report_create."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_CONTENT_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > photo_rules.MAX_PHOTOS:
            raise ValidationError(_("At most 3 photos."), code="too_many")
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class BuddhistOrGregorianDateField(forms.DateField):
    """Accepts 2026-11-21 and, as Thai readers often type, 2569-11-21 (Buddhist era)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value):
        if isinstance(value, str):
            value = _BUDDHIST_YEAR.sub(
                lambda m: str(int(m.group(0)) - BUDDHIST_ERA_OFFSET), value.strip()
            )
        return super().to_python(value)


# A four-digit year from 2400 on is a Buddhist-era year (2400 BE is 1857 CE).
_BUDDHIST_YEAR = re.compile(r"(?<!\d)2[4-9]\d\d(?!\d)")


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{7,18}$", _("Enter a phone number of digits, e.g. 0812345678.")
)


_ATTRIBUTE_KEY = re.compile(r"^attribute\[([a-z0-9_-]+)\]$")


def _question_field(question: dict) -> forms.Field:
    label = localized(question, "label")
    if question.get("required"):
        label = _("%(label)s (required)") % {"label": label}
    help_text = localized(question, "description")
    common = {"label": label, "help_text": help_text, "required": False}
    datatype = question["datatype"]
    if datatype in ("singlevaluelist", "multivaluelist"):
        choices = [(value["key"], localized(value)) for value in question.get("values", [])]
        if datatype == "multivaluelist":
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        return forms.ChoiceField(
            choices=[("", _("Not answered"))] + choices, widget=forms.RadioSelect, **common
        )
    if datatype == "number":
        return forms.CharField(
            max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if datatype == "datetime":
        return forms.CharField(
            max_length=30, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if datatype == "text":
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(max_length=200, **common)


def _category_choices(categories: Iterable) -> list[tuple[str, str]]:
    return [(str(category.pk), f"{category.icon} {localized(category)}") for category in categories]


class ReportForm(forms.Form):
    """The report form. `categories` are the municipality's active categories (a list, so the
    grid and the validation need one query); `signed_in` hides the guest contact fields."""

    category = forms.TypedChoiceField(
        label=_("What is the problem?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("Choose a category."),
        },
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, since when, and how big or dangerous it is."),
        error_messages={"required": _("Please describe the problem.")},
    )
    lat = LatitudeField(label=_("Latitude"), required=False)
    lng = LongitudeField(label=_("Longitude"), required=False)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=300,
        required=False,
        help_text=_("For example: in front of the 7-Eleven on Soi 3, Suk Sabai Road."),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, at most 10 MB each."),
    )
    reporter_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reporter_email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send the tracking link and every change to this address."),
    )
    reporter_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_consent = forms.BooleanField(
        label=_("The municipality may contact me about this report with these details."),
        required=False,
        help_text=_("Your contact details are only for staff and are never shown to the public."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Stay anonymous to the public"),
        required=False,
        initial=True,
        help_text=_(
            "The public never sees your contact details; when ticked, no name is shown either."
        ),
    )
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # One random key per rendered form: a resubmission (double tap, retry after a timeout)
    # returns the report the first attempt created (services.report_create).
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    CONTACT_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "contact_consent")

    def __init__(self, *args, categories: Sequence, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = _category_choices(categories)
        self.signed_in = signed_in
        if signed_in:
            for name in self.CONTACT_FIELDS:
                del self.fields[name]
        self._add_question_fields(categories)

    # --- The chosen category's extra questions (reports/questions.py) ---------------------

    def _add_question_fields(self, categories: Sequence) -> None:
        """One optional field per question of every category: which ones count depends on
        the category chosen, so the service checks required answers, not the form."""
        self.question_groups: list[dict] = []
        for category in categories:
            fields = []
            for question in ordered(category.questions or []):
                name = f"q_{category.pk}_{question['code']}"
                self.fields[name] = _question_field(question)
                fields.append(name)
            if fields:
                self.question_groups.append({"category": category, "names": fields})

    def question_group_fields(self):
        """[(category, [bound fields])] for the template."""
        return [
            (group["category"], [self[name] for name in group["names"]])
            for group in self.question_groups
        ]

    def answers(self) -> dict:
        """The answers to the chosen category's questions, keyed by question code."""
        category = self.cleaned_data.get("category")
        if category is None:
            return {}
        prefix = f"q_{category.pk}_"
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value not in (None, "", [])
        }

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        lat_ok = "lat" not in self.errors
        lng_ok = "lng" not in self.errors
        if lat_ok and lng_ok and (lat is None) != (lng is None):
            self.add_error(
                "lat" if lat is None else "lng", _("Give both latitude and longitude, or neither.")
            )
        elif lat_ok and lng_ok and lat is None and not cleaned.get("address", "").strip():
            self.add_error(
                "address", _("Tap the map, give coordinates or type an address or landmark.")
            )
        if not self.signed_in:
            # PDPA: contact details are kept only with the explicit consent next to them.
            reachable = any(cleaned.get(name) for name in ("reporter_email", "reporter_phone"))
            given = reachable or bool(cleaned.get("reporter_name", "").strip())
            if given and not cleaned.get("contact_consent"):
                self.add_error(
                    "contact_consent",
                    _(
                        "Tick this box so we may keep and use your contact details, or leave them empty."
                    ),
                )
            elif (
                cleaned.get("contact_consent")
                and not reachable
                and not {"reporter_email", "reporter_phone"} & set(self.errors)
            ):
                self.add_error(
                    "reporter_email",
                    _("Give an e-mail address or a phone number so we can contact you."),
                )
        return cleaned

    def apply_service_error(self, error: ValidationError) -> None:
        """A photo rejected by photos.clean_photo comes without a field name: put it on `photos`;
        an answer's error (`attribute[code]`) goes on that question's field."""
        category = self.cleaned_data.get("category")
        if hasattr(error, "error_dict") and category is not None:
            renamed = {}
            for key, errors in error.error_dict.items():
                match = _ATTRIBUTE_KEY.match(key)
                renamed[f"q_{category.pk}_{match.group(1)}" if match else key] = errors
            error = ValidationError(renamed)
        if not hasattr(error, "error_dict"):
            photo_errors = [item for item in error.error_list if item.code in PHOTO_ERROR_CODES]
            other = [item for item in error.error_list if item.code not in PHOTO_ERROR_CODES]
            if photo_errors:
                self.add_error("photos", photo_errors)
            if other:
                self.add_error(None, other)
            return
        apply_validation_error(self, error)


STATUS_FILTER_CHOICES = [
    ("", _("Any status")),
    ("open", _("Open (not yet solved)")),
    ("done", _("Done (resolved or closed)")),
] + [(value, label) for value, label in Status.choices if value != Status.DUPLICATE]


class ReportFilterForm(forms.Form):
    """Filters of the public list and map; invalid values are reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER_CHOICES)
    community = forms.TypedChoiceField(
        label=_("Community"), required=False, coerce=int, empty_value=None
    )
    date_from = BuddhistOrGregorianDateField(label=_("From"), required=False)
    date_to = BuddhistOrGregorianDateField(label=_("To"), required=False)

    def __init__(self, *args, categories: Sequence, communities: Sequence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("All categories")),
            *_category_choices(categories),
        ]
        self.fields["community"].choices = [("", _("All communities"))] + [
            (str(community.pk), localized(community)) for community in communities
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def filters(self) -> ReportFilters:
        """The valid filters only: a wrong value in one field does not empty the page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ReportFilters(
            category=data.get("category"),
            status=data.get("status") or None,
            community=data.get("community"),
            date_from=_day_start(data.get("date_from")),
            date_to=_day_start(data["date_to"] + dt.timedelta(days=1))
            if data.get("date_to")
            else None,
            q=(data.get("q") or "").strip(),
        )


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class MapDataForm(forms.Form):
    """Query parameters of map.json: the zoom and, optionally, the visible box."""

    zoom = forms.IntegerField(min_value=0, max_value=22)
    south = LatitudeField(required=False)
    north = LatitudeField(required=False)
    west = LongitudeField(required=False)
    east = LongitudeField(required=False)

    BOX = ("south", "west", "north", "east")

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.BOX):
            return cleaned
        given = [cleaned.get(name) is not None for name in self.BOX]
        if any(given) and not all(given):
            raise ValidationError(_("Give all four of south, west, north and east, or none."))
        if all(given):
            if cleaned["south"] > cleaned["north"]:
                raise ValidationError(_("South must not be greater than north."))
            if cleaned["west"] > cleaned["east"]:
                raise ValidationError(_("West must not be greater than east."))
        return cleaned

    def box(self) -> MapBox | None:
        if self.cleaned_data.get("south") is None:
            return None
        return MapBox(**{name: self.cleaned_data[name] for name in self.BOX})


class DuplicatesQueryForm(forms.Form):
    category = forms.IntegerField()
    lat = LatitudeField()
    lng = LongitudeField()


class ReportPageForm(forms.Form):
    """A form on the report page, which shows several: each prefixes its ids so that labels and
    error links never collide (`id_token` twice)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CommentForm(ReportPageForm):
    id_prefix = "comment"

    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone with your display name. Do not write personal data."),
        error_messages={"required": _("The comment is empty.")},
    )
    # A fresh random key per rendered form: a second POST of the same form is not a second comment.
    once = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


class FollowForm(ReportPageForm):
    id_prefix = "follow"

    """Following without an account: an e-mail address and consent to be written to."""

    email = forms.EmailField(
        label=_("Your e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter an e-mail address to follow this report.")},
    )
    consent = forms.BooleanField(
        label=_(
            "Send me an e-mail when this report changes. I can stop with the link in every e-mail."
        ),
        error_messages={
            "required": _("Tick this box to agree to receive e-mails about this report.")
        },
    )


SCORE_CHOICES = [
    (5, _("5 – very satisfied")),
    (4, _("4 – satisfied")),
    (3, _("3 – neither")),
    (2, _("2 – dissatisfied")),
    (1, _("1 – very dissatisfied")),
]


class RateForm(ReportPageForm):
    id_prefix = "rate"

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose from 1 to 5."),
            "invalid_choice": _("Choose from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment on the result"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


class ReopenForm(ReportPageForm):
    id_prefix = "reopen"

    reason = forms.CharField(
        label=_("Why is the problem not solved?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly on the report's timeline. Do not write personal data."),
        error_messages={"required": _("Please say why the problem is not solved.")},
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
