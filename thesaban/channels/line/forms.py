from django import forms
from django.utils.translation import gettext_lazy as _


class LineChannelForm(forms.Form):
    """The secret and the token are write-only: the form never shows a saved value."""

    channel_secret = forms.CharField(
        label=_("Channel secret"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "LINE Developers console → your Messaging API channel → Basic settings. "
            "Leave empty to keep the saved one."
        ),
    )
    access_token = forms.CharField(
        label=_("Channel access token (long-lived)"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "LINE Developers console → Messaging API tab → Channel access token. "
            "Leave empty to keep the saved one."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Answer LINE messages and send LINE notifications"),
        required=False,
        initial=True,
    )
