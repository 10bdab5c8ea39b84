from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from thesaban.accounts import services
from thesaban.accounts.forms import NationalIdForm, SignupForm
from thesaban.core.forms import apply_validation_error
from thesaban.reports.selectors import report_list_of_reporter


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                national_id=form.cleaned_data["national_id"],
                preferred_language=translation.get_language() or "th",
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            login(request, user, backend="thesaban.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(request.GET.get("next") or "accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    reports = report_list_of_reporter(user=request.user)
    roles = request.user.staff_roles.select_related("municipality", "department")
    return render(request, "accounts/profile.html", {"reports": reports, "roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
def national_id(request):
    form = NationalIdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_national_id(
                user=request.user, national_id=form.cleaned_data["national_id"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your national ID is verified."))
            return redirect("accounts:profile")
    return render(request, "accounts/national_id.html", {"form": form})
