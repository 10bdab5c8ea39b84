"""Forms of the voting pages. They only parse and check input; services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thesaban.core.templatetags.thesaban import localized
from thesaban.participation.voting import selectors
from thesaban.participation.voting.models import Budget, BudgetProject, Poll, PollOption

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


# --- residents ------------------------------------------------------------------------------


class PollVoteForm(forms.Form):
    """The ballot paper. Single choice: radio buttons; multiple: check boxes; ranked: one
    "rank" select per option (1 = first choice), so it works without JavaScript."""

    def __init__(self, *args, poll: Poll, options: list[PollOption], **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.options = options
        choices = [(str(option.pk), localized(option, "title")) for option in options]
        if poll.kind == Poll.Kind.SINGLE:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Your choice"),
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one option.")},
            )
        elif poll.kind == Poll.Kind.MULTIPLE:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=_("Your choices"),
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose up to %(count)s options.") % {"count": poll.max_choices},
                error_messages={"required": _("Choose at least one option.")},
            )
        else:
            limit = poll.max_choices or len(options)
            rank_choices = [("", _("not ranked"))] + [
                (str(rank), str(rank)) for rank in range(1, min(limit, len(options)) + 1)
            ]
            for option in options:
                self.fields[f"rank_{option.pk}"] = forms.ChoiceField(
                    label=localized(option, "title"), choices=rank_choices, required=False
                )

    @classmethod
    def initial_for(cls, poll: Poll, option_ids: list[int]) -> dict:
        if poll.kind == Poll.Kind.SINGLE:
            return {"choice": str(option_ids[0])} if option_ids else {}
        if poll.kind == Poll.Kind.MULTIPLE:
            return {"choices": [str(i) for i in option_ids]}
        return {f"rank_{option_id}": str(rank) for rank, option_id in enumerate(option_ids, 1)}

    def choice_field(self):
        """The radio buttons or check boxes (single and multiple choice)."""
        return self["choice"] if "choice" in self.fields else self["choices"]

    def rank_fields(self):
        return [self[f"rank_{option.pk}"] for option in self.options]

    def clean(self):
        data = super().clean()
        if self.poll.kind != Poll.Kind.RANKED:
            return data
        ranked = [
            (int(data[f"rank_{option.pk}"]), option.pk)
            for option in self.options
            if data.get(f"rank_{option.pk}")
        ]
        if not ranked:
            raise ValidationError(_("Give rank 1 to your first choice."))
        ranks = [rank for rank, _option in ranked]
        if len(set(ranks)) != len(ranks):
            raise ValidationError(_("Each rank may be given to only one option."))
        data["ranking"] = [option_id for _rank, option_id in sorted(ranked)]
        return data

    def option_ids(self) -> list[int]:
        if self.poll.kind == Poll.Kind.SINGLE:
            return [int(self.cleaned_data["choice"])]
        if self.poll.kind == Poll.Kind.MULTIPLE:
            return [int(value) for value in self.cleaned_data["choices"]]
        return self.cleaned_data["ranking"]


class ProjectFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import translation

        english = (translation.get_language() or "th").startswith("en")
        self.fields["category"].choices = [("", _("All categories"))] + [
            (thai, (english and english_name) or thai)
            for thai, english_name in selectors.budget_categories(budget=budget)
        ]


# --- staff ------------------------------------------------------------------------------------


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class _WindowForm(forms.ModelForm):
    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = selectors.process_choices(municipality=municipality)
        self.fields["community"].queryset = selectors.community_choices(municipality=municipality)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = _("Bangkok time.")


class PollForm(_WindowForm):
    class Meta:
        model = Poll
        fields = [
            "process",
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "kind",
            "max_choices",
            "allows_change",
            "eligibility",
            "community",
            "community_check",
            "results_visibility",
            "opens_at",
            "closes_at",
            "is_published",
        ]
        widgets = {"opens_at": _datetime_widget(), "closes_at": _datetime_widget()}


class BudgetForm(_WindowForm):
    class Meta:
        model = Budget
        fields = [
            "process",
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "total",
            "min_spend_percent",
            "min_projects",
            "max_projects",
            "eligibility",
            "community",
            "community_check",
            "results_visibility",
            "opens_at",
            "closes_at",
            "is_published",
        ]
        widgets = {"opens_at": _datetime_widget(), "closes_at": _datetime_widget()}


class OptionForm(forms.ModelForm):
    class Meta:
        model = PollOption
        fields = ["title_th", "title_en", "description_th", "description_en", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Empty: after the last option.")


class ProjectForm(forms.ModelForm):
    proposal_numbers = forms.CharField(
        label=_("Proposals it comes from"),
        required=False,
        help_text=_("Proposal numbers of this process, separated by commas, e.g. 3, 12."),
    )

    class Meta:
        model = BudgetProject
        fields = [
            "title_th",
            "title_en",
            "description_th",
            "description_en",
            "cost",
            "category_th",
            "category_en",
            "address",
            "lat",
            "lng",
        ]

    def __init__(self, *args, **kwargs):
        initial = kwargs.get("initial") or {}
        numbers = initial.get("proposal_numbers")
        if isinstance(numbers, list):
            kwargs["initial"] = {**initial, "proposal_numbers": ", ".join(map(str, numbers))}
        super().__init__(*args, **kwargs)

    def clean_proposal_numbers(self) -> list[int]:
        text = (self.cleaned_data.get("proposal_numbers") or "").replace(" ", "")
        if not text:
            return []
        try:
            numbers = sorted({int(part) for part in text.split(",") if part})
        except ValueError:
            raise ValidationError(_("Write proposal numbers separated by commas.")) from None
        if any(number <= 0 for number in numbers):
            raise ValidationError(_("Write proposal numbers separated by commas."))
        return numbers

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class PublishPollForm(forms.Form):
    create_result = forms.BooleanField(
        label=_("Make the winning option an implementation result (“you said, we did”)"),
        required=False,
    )
