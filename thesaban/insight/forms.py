"""Forms of the category suggester's staff pages. They parse input; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thesaban.core.templatetags.thesaban import localized
from thesaban.reports.models import Category

AUTOMATIC = ""


class DecideForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("confirm", _("Confirm category")), ("accept", _("Use the suggestion"))]
    )
    reroute = forms.BooleanField(required=False)


class LabelMappingForm(forms.Form):
    """One select per model label: automatic (by code, name or alias) or a chosen category."""

    def __init__(
        self,
        *args,
        labels: list[str],
        categories: list[Category],
        automatic: dict[str, Category | None],
        overrides: dict[str, int],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.labels = labels
        self.categories = {str(c.pk): c for c in categories}
        choices = [(str(c.pk), f"{c.icon} {localized(c)}".strip()) for c in categories]
        for index, label in enumerate(labels):
            guess = automatic.get(label)
            auto_name = localized(guess) if guess else _("no category")
            self.fields[f"label_{index}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[(AUTOMATIC, _("Automatic: %(name)s") % {"name": auto_name}), *choices],
                initial=str(overrides[label]) if label in overrides else AUTOMATIC,
            )

    def mapping(self) -> dict[str, Category | None]:
        return {
            label: self.categories.get(self.cleaned_data.get(f"label_{index}") or "")
            for index, label in enumerate(self.labels)
        }

    def rows(self):
        return [(label, self[f"label_{index}"]) for index, label in enumerate(self.labels)]
