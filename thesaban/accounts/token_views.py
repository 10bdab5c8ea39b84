"""A resident's page for their JSON API access tokens: create one (shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from thesaban.accounts import tokens
from thesaban.core.forms import apply_validation_error


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("App or device"),
        max_length=tokens.NAME_MAX_LENGTH,
        help_text=gettext_lazy("For example: my phone, the community's tablet."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def access_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm()
    new_token = ""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        try:
            token_id = int(request.POST.get("token", ""))
        except ValueError:
            raise Http404("No such token") from None
        token = tokens.access_token_of(user=request.user, token_id=token_id)
        if token is None:
            raise Http404("No such token")
        tokens.access_token_revoke(token=token, actor=request.user)
        messages.success(request, _("The token is revoked; apps using it are signed out."))
        return redirect("accounts:tokens")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_token = tokens.access_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": tokens.access_tokens_of(user=request.user),
        },
    )
