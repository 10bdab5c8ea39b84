"""Forms of subscriptions, announcements and webhooks: the shape of the input only; the rules
are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thesaban.core.templatetags.thesaban import localized
from thesaban.notifications.models import EVENT_TYPES


class LocalizedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return localized(obj)


class LocalizedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return localized(obj)


SCOPES = [
    ("community", _("A community: announcements and new reports there")),
    ("category", _("A kind of problem: new reports of that category")),
    ("report", _("One report: its status changes")),
    ("municipality", _("The whole municipality: its announcements")),
]


class SubscribeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("What do you want to hear about?"),
        choices=SCOPES,
        initial="community",
        widget=forms.RadioSelect,
    )
    community = LocalizedChoiceField(label=_("Community"), queryset=None, required=False)
    category = LocalizedChoiceField(label=_("Category"), queryset=None, required=False)
    tracking_code = forms.CharField(
        label=_("Tracking code of the report"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ABC-2569-000123"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We first send a link to confirm that the address is yours."),
    )

    def __init__(self, *args, communities, categories, needs_email: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["category"].queryset = categories
        if needs_email:
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = _(
                "Enter the e-mail address that should receive the news."
            )
        else:
            del self.fields["email"]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "community" and not data.get("community"):
            self.add_error("community", _("Choose a community."))
        if scope == "category" and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        if scope == "report" and not (data.get("tracking_code") or "").strip():
            self.add_error("tracking_code", _("Enter the tracking code of the report."))
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=[("th", "ไทย"), ("en", "English")]
    )


class AnnouncementForm(forms.Form):
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=200)
    body_th = forms.CharField(
        label=_("Message (Thai)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Message (English)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    whole_municipality = forms.BooleanField(label=_("The whole municipality"), required=False)
    communities = LocalizedMultipleChoiceField(
        label=_("Communities concerned"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("http:// or https:// only; we POST signed JSON to it."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENT_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every event."),
    )


class IdForm(forms.Form):
    id = forms.IntegerField(min_value=1)
