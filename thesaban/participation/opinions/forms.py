from django import forms
from django.utils.translation import gettext_lazy as _

from thesaban.participation.opinions.models import STATEMENT_MAX_LENGTH, StatementVote


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX_LENGTH,
        help_text=_(
            "One short idea others can agree or disagree with, at most 140 characters. "
            "A moderator checks it before it is shown."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": STATEMENT_MAX_LENGTH}),
    )


class VoteForm(forms.Form):
    choice = forms.TypedChoiceField(
        choices=StatementVote.Choice.choices, coerce=int, label=_("Your vote")
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Decision")
    )
