from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from thesaban.accounts import services
from thesaban.accounts.identity import normalize_thai_mobile
from thesaban.accounts.models import StaffRole, User
from thesaban.core.admin_scoping import MunicipalityScopedAdmin, ScopedModelForm


def _user_by_identifier(identifier: str) -> User | None:
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    phone = normalize_thai_mobile(identifier)
    return User.objects.filter(phone=phone).first() if phone else None


class StaffRoleAddForm(ScopedModelForm):
    """A new role is given by the person's login (e-mail or mobile number), never by picking
    from a list of every account of the deployment."""

    identifier = forms.CharField(
        label=_("E-mail or mobile number of the person"),
        max_length=254,
        help_text=_("The person signs up first; then give them a role here."),
    )

    class Meta:
        model = StaffRole
        fields = ["municipality", "role", "department"]

    def clean_identifier(self) -> User:
        user = _user_by_identifier(self.cleaned_data["identifier"])
        if user is None:
            raise forms.ValidationError(_("No account has this e-mail or mobile number."))
        return user

    def clean(self):
        cleaned = super().clean()
        user, municipality = cleaned.get("identifier"), cleaned.get("municipality")
        if (
            user
            and municipality
            and StaffRole.objects.filter(user=user, municipality=municipality).exists()
        ):
            self.add_error(
                "identifier", _("This person already has a role here; change that role instead.")
            )
        return cleaned


class StaffRoleChangeForm(ScopedModelForm):
    class Meta:
        model = StaffRole
        fields = ["role", "department"]


@admin.register(StaffRole)
class StaffRoleAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Roles are granted and revoked through the services, which keep the permission groups
    and admin-site access in step. Nobody changes or removes their own role here."""

    list_display = ["user", "role", "department", "municipality", "created_at"]
    list_filter = ["role", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__display_name", "user__email", "user__phone"]
    list_select_related = ["user", "department", "municipality"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StaffRoleChangeForm if obj is not None else StaffRoleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["municipality", "identifier", "role", "department"]
        return ["municipality", "user", "role", "department", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["municipality", "user", "created_at"] if obj is not None else []

    def _is_own(self, request, obj) -> bool:
        return obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_own(request, obj)

    def save_model(self, request, obj, form, change):
        user = obj.user if change else form.cleaned_data["identifier"]
        saved = services.staff_role_grant(
            municipality=obj.municipality,
            user=user,
            role=obj.role,
            department=obj.department,
            actor=request.user,
        )
        obj.pk, obj.user, obj.created_at = saved.pk, saved.user, saved.created_at

    def delete_model(self, request, obj):
        services.staff_role_revoke(staff_role=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for staff_role in queryset.select_related("user", "municipality"):
            if not self._is_own(request, staff_role):
                services.staff_role_revoke(staff_role=staff_role, actor=request.user)


class PhoneFieldMixin:
    """Accepts a Thai mobile number in any common spelling and stores 0XXXXXXXXX (as at sign-up)."""

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if not phone:
            return None
        normalized = normalize_thai_mobile(phone)
        if normalized is None:
            raise forms.ValidationError(_("Enter a Thai mobile number, e.g. 081 234 5678."))
        return normalized


def _phone_field() -> forms.CharField:
    return forms.CharField(label=_("mobile number"), max_length=20, required=False)


class ThesabanUserChangeForm(PhoneFieldMixin, UserChangeForm):
    phone = _phone_field()

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "phone",
            "display_name",
            "preferred_language",
            "national_id_verified",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]


class ThesabanUserCreationForm(PhoneFieldMixin, AdminUserCreationForm):
    """The login is the e-mail address, else the mobile number (as at sign-up)."""

    phone = _phone_field()

    class Meta:
        model = User
        fields = ["email", "phone", "display_name"]

    def clean_email(self):
        email = self.cleaned_data.get("email")
        return email.strip().lower() if email else None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(_("Give an e-mail address or a mobile number."))
        return cleaned

    def _post_clean(self):
        self.instance.username = (
            self.cleaned_data.get("email") or self.cleaned_data.get("phone") or ""
        )
        super()._post_clean()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts of the whole deployment: superusers only. The national-ID fingerprint is never
    shown (it is not a form field and not listed anywhere here)."""

    form = ThesabanUserChangeForm
    add_form = ThesabanUserCreationForm
    list_display = [
        "username",
        "display_name",
        "email",
        "phone",
        "national_id_verified",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "national_id_verified", "groups"]
    search_fields = ["username", "email", "phone", "display_name"]
    ordering = ["username"]
    readonly_fields = ["username", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Person"),
            {
                "fields": [
                    "email",
                    "phone",
                    "display_name",
                    "preferred_language",
                    "national_id_verified",
                ]
            },
        ),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "phone",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)
