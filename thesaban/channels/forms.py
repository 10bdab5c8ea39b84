"""Forms of the API key page: they check input; services issue and revoke."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Integrator"),
        max_length=100,
        help_text=_("Who will use the key, e.g. “City app” or “FixMyStreet Thailand”."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the integrator's name."))
        return name


class ApiKeyRevokeForm(forms.Form):
    key = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
