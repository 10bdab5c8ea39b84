from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, *, email=None, phone=None, password=None, **extra):
        if not email and not phone:
            raise ValueError("A user needs an e-mail address or a mobile number.")
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, phone=phone or None, username=email or phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username=None, password=None, *, email=None, phone=None, **extra):
        if username and not email and not phone:
            email, phone = (username, None) if "@" in username else (None, username)
        return self._create(email=email, phone=phone, password=password, **extra)

    def create_superuser(self, username=None, password=None, *, email=None, phone=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, email=email, phone=phone, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a resident, a volunteer, a staff member. Not tenant-owned: one account can
    report to several municipalities; staff rights come from StaffRole rows."""

    # The login identifier: the e-mail address, else the mobile number.
    username = models.CharField(_("login"), max_length=254, unique=True)
    email = models.EmailField(_("e-mail"), null=True, blank=True, unique=True)
    phone = models.CharField(_("mobile number"), max_length=10, null=True, blank=True, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    national_id_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    national_id_verified = models.BooleanField(_("national ID verified"), default=False)
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="th")
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        """What others see: the chosen display name only, never the e-mail or phone."""
        return self.display_name or str(_("Resident"))


class StaffRole(models.Model):
    """A person's role in one municipality's staff."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        OFFICER = "officer", _("Department officer")
        VIEWER = "viewer", _("Viewer")
        DIGITAL_CENTRE = "digital_centre", _("Digital centre volunteer")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("municipality"),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "municipalities.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user"], name="staffrole_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.municipality.slug})"


class ConsentRecord(models.Model):
    """PDPA: what a person agreed to, for which purpose, under which text version, and when."""

    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Keeping an account and contacting me about my reports")
        REPORT_CONTACT = "report_contact", _("Contacting me about this report")
        ASSISTED = "assisted", _("A volunteer submits on my behalf")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online (ticked by the person)")
        VERBAL = "verbal", _("Verbally, to a helper")
        WRITTEN = "written", _("In writing, on paper")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="consents"
    )
    subject_email = models.EmailField(blank=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    policy_version = models.CharField(_("policy version"), max_length=20)
    method = models.CharField(
        _("how consent was given"), max_length=10, choices=Method.choices, default=Method.ONLINE
    )
    # Assisted intake: the volunteer or officer who heard the consent, and what they noted.
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="consents"
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.purpose} {self.policy_version} {self.given_at:%Y-%m-%d}"


class AccessToken(models.Model):
    """A personal token with which an app uses the JSON API as this person.

    Shown once when created; only its SHA-256 digest is stored (see channels/keys.py).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("app or device"), max_length=100)
    prefix = models.CharField(_("token starts with"), max_length=16, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
