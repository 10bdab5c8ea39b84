"""Forms of the readiness pages. They only parse input; the services decide."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thesaban.readiness import instrument


def field_prefix(code: str) -> str:
    """`gov.dto` → `gov_dto`: indicator codes as form field names."""
    return code.replace(".", "_").replace("-", "_")


class AnswersForm(forms.Form):
    """Every self-assessed indicator of an assessment: level, evidence text, link and a file."""

    def __init__(self, *args, definition: instrument.Definition, answers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = [i for i in definition.indicators if not i.is_live]
        for indicator in self.indicators:
            prefix = field_prefix(indicator.code)
            answer = answers.get(indicator.code)
            self.fields[f"{prefix}__level"] = forms.TypedChoiceField(
                label=indicator.question,
                choices=[
                    (
                        str(level),
                        _("Level %(level)s: %(description)s")
                        % {"level": level, "description": indicator.rubric[level]},
                    )
                    for level in instrument.LEVELS
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=None if answer is None or answer.level is None else str(answer.level),
            )
            self.fields[f"{prefix}__evidence_text"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.evidence_text if answer else "",
                help_text=_("What shows this level: a decision, a document, a figure."),
            )
            self.fields[f"{prefix}__evidence_link"] = forms.URLField(
                label=_("Link to evidence"),
                required=False,
                max_length=500,
                assume_scheme="https",
                initial=answer.evidence_link if answer else "",
            )
            self.fields[f"{prefix}__evidence_file"] = forms.FileField(
                label=_("Attach a file"),
                required=False,
                help_text=_("PDF, image, text or office document, at most 5 MB."),
            )

    def bound_groups(self):
        """(indicator, level field, text field, link field, file field) in the set's order."""
        for indicator in self.indicators:
            prefix = field_prefix(indicator.code)
            yield (
                indicator,
                self[f"{prefix}__level"],
                self[f"{prefix}__evidence_text"],
                self[f"{prefix}__evidence_link"],
                self[f"{prefix}__evidence_file"],
            )

    def answers(self) -> list[dict]:
        return [
            {
                "indicator_code": indicator.code,
                "level": self.cleaned_data[f"{field_prefix(indicator.code)}__level"],
                "evidence_text": self.cleaned_data[
                    f"{field_prefix(indicator.code)}__evidence_text"
                ],
                "evidence_link": self.cleaned_data[
                    f"{field_prefix(indicator.code)}__evidence_link"
                ],
                "files": [
                    upload
                    for upload in [
                        self.cleaned_data[f"{field_prefix(indicator.code)}__evidence_file"]
                    ]
                    if upload
                ],
            }
            for indicator in self.indicators
        ]


def _year_start(today: date) -> date:
    return (
        date(today.year - 1, today.month, today.day)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - 1, 2, 28)
    )


class AssessmentStartForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Period end"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Live indicators are computed from the platform's data of this period."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_end"].initial = today
        self.fields["period_start"].initial = _year_start(today)
        self.fields["title"].initial = _("Self-assessment %(year)s") % {"year": today.year + 543}


class PublicationForm(forms.Form):
    results_public = forms.BooleanField(
        label=_("Publish our readiness results on the network pages and our public page"),
        required=False,
    )


class SurveyRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sample_size = forms.IntegerField(
        label=_("Residents to invite"),
        min_value=1,
        max_value=100_000,
        help_text=_(
            "Drawn at random within each community in proportion to its residents who took "
            "part in the last twelve months."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timezone.timedelta(days=30)
        self.fields["sample_size"].initial = 200
        self.fields["title"].initial = _("Resident survey %(year)s") % {"year": today.year + 543}


class SurveyAnswerForm(forms.Form):
    def __init__(self, *args, items: list[dict], scale: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        language = instrument._language()
        for item in items:
            self.fields[item["code"]] = forms.TypedChoiceField(
                label=item[f"text_{language}"],
                choices=[(str(n), f"{n} – {scale[n - 1]}") for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer from 1 to 5.")},
            )
