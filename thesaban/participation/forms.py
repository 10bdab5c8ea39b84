"""Forms of participation pages: they check the shape of input; services.py decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thesaban.core.templatetags.thesaban import localized
from thesaban.participation.models import (
    Comment,
    Flag,
    Phase,
    Process,
    Proposal,
    Result,
    SectionPosition,
    Topic,
)
from thesaban.reports.forms import PHOTO_CONTENT_TYPES, LatitudeField, LongitudeField


class ParticipantForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Public name"),
        max_length=50,
        required=False,
        help_text=_(
            "Shown with your proposals and comments instead of your real name. Leave it empty "
            "to take part only where anonymous participation is allowed."
        ),
    )
    community = forms.TypedChoiceField(
        label=_("Community where you live"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {community.pk: community for community in communities}
        self.fields["community"].choices = [("", _("Not given"))] + [
            (community.pk, localized(community)) for community in communities
        ]

    def clean_community(self):
        value = self.cleaned_data["community"]
        return self.communities.get(value) if value else None


class AnonymityMixin(forms.Form):
    is_anonymous = forms.BooleanField(
        label=_("Take part without my public name"),
        required=False,
        help_text=_("Your voice still counts once; nobody sees who wrote it."),
    )

    def __init__(self, *args, allows_anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allows_anonymous:
            del self.fields["is_anonymous"]


class ProposalForm(AnonymityMixin):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Your proposal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should be done, where, and who would it help?"),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    lat = LatitudeField(label=_("Latitude"), required=False)
    lng = LongitudeField(label=_("Longitude"), required=False)
    address = forms.CharField(label=_("Place"), max_length=300, required=False)
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_CONTENT_TYPES}),
        help_text=_("Optional: one JPEG, PNG or WebP image, at most 10 MB."),
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class DebateForm(AnonymityMixin):
    title = forms.CharField(label=_("Question or title"), max_length=150)
    body = forms.CharField(
        label=_("Opening statement"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class CommentForm(AnonymityMixin):
    body = forms.CharField(
        label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    alignment = forms.ChoiceField(
        label=_("Your position"),
        choices=Comment.Alignment.choices,
        initial=Comment.Alignment.NEUTRAL,
        widget=forms.RadioSelect,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class PositionForm(forms.Form):
    stance = forms.ChoiceField(choices=SectionPosition.Stance.choices)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(label=_("Details"), max_length=500, required=False)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[c for c in Proposal.Answer.choices if c[0]],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (public)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("hide", _("Hide it")), ("keep", _("Keep it"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason shown in its place"), max_length=300, required=False)


class ResultForm(forms.Form):
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_th = forms.CharField(
        label=_("Description (Thai)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget = forms.DecimalField(
        label=_("Budget (baht)"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    proposals = forms.CharField(
        label=_("Proposal numbers it comes from"),
        required=False,
        help_text=_("Separated by commas, e.g. 3, 12"),
    )

    reports = forms.CharField(
        label=_("Problem reports it answers"),
        required=False,
        help_text=_("Tracking codes separated by commas, e.g. DEMO-2569-000123"),
    )

    def clean_reports(self) -> list[str]:
        return [
            code.strip().upper() for code in self.cleaned_data["reports"].split(",") if code.strip()
        ]

    def clean_proposals(self) -> list[int]:
        raw = self.cleaned_data["proposals"]
        numbers = []
        for part in raw.replace(" ", "").split(","):
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(_("Give proposal numbers separated by commas."))
            numbers.append(int(part))
        return numbers


class ResultUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Result.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    spent = forms.DecimalField(
        label=_("Spent so far (baht)"), max_digits=14, decimal_places=2, min_value=0
    )
    note_th = forms.CharField(
        label=_("What happened (Thai)"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    note_en = forms.CharField(
        label=_("What happened (English)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


__all__ = [
    "AnswerForm",
    "CommentForm",
    "DebateForm",
    "FlagForm",
    "ModerationForm",
    "ParticipantForm",
    "PositionForm",
    "ProposalForm",
    "ResultForm",
    "ResultUpdateForm",
]


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title_th",
            "title_en",
            "slug",
            "kind",
            "summary_th",
            "summary_en",
            "description_th",
            "description_en",
            "support_threshold",
            "allows_anonymous",
            "is_published",
        ]
        widgets = {
            "summary_th": forms.Textarea(attrs={"rows": 2}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "description_th": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }


class PhaseForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("What residents can do in this phase"),
        choices=Phase.Action.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = Phase
        fields = [
            "kind",
            "order",
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "starts_at",
            "ends_at",
            "actions",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A phase must end after it starts."))
        return cleaned
