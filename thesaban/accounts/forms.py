import copy

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from thesaban.accounts.models import User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The e-mail or mobile number and password do not match an account."),
        "inactive": _("This account is inactive."),
    }


class SignupForm(forms.Form):
    identifier = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        help_text=_("You sign in with this. We never show it to the public."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("Shown beside your comments. Leave empty to appear as “Resident”."),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    national_id = forms.CharField(
        label=_("Thai national ID (optional)"),
        max_length=17,
        required=False,
        help_text=_(
            "Verifies you once so nobody asks for ID-card copies again. We keep only a keyed fingerprint, never the number."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the municipality keeps my account data to run this service, as the privacy notice describes."
        ),
        required=True,
        error_messages={
            "required": _("You must agree to the privacy notice to create an account.")
        },
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        # An unsaved user carrying the identifier, so the similarity validator can compare.
        identifier = self.cleaned_data.get("identifier", "").strip()
        candidate = User(username=identifier, email=identifier if "@" in identifier else None)
        password_validation.validate_password(password, user=candidate)
        return password


class NationalIdForm(forms.Form):
    # A copy: setting `required` on the sign-up form's own field would make the ID mandatory there.
    national_id = copy.deepcopy(SignupForm.base_fields["national_id"])
    national_id.required = True
