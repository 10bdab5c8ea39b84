"""The tenant (Municipality) and the areas and units that belong to it.

Every tenant-owned table in the project carries `municipality` itself and includes it in its
unique constraints (docs/decisions/0001-municipality-is-the-distribution-key.md).
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from thesaban.municipalities import geo


def validate_geojson_polygon(value):
    if value in (None, {}):
        return
    if problems := geo.validate_polygon(value):
        raise ValidationError(
            _("Invalid boundary: %(problem)s"), params={"problem": _(problems[0])}
        )


def validate_slug_not_reserved(slug: str) -> None:
    """A slug is the first segment of every municipality URL, so it may not be a site-wide one."""
    from thesaban.core.registry import reserved_path_segments

    if slug.lower() in reserved_path_segments():
        raise ValidationError(
            _("%(slug)s is used by the site itself; choose another short name."),
            params={"slug": slug},
        )


class Municipality(models.Model):
    class Kind(models.TextChoices):
        CITY = "nakhon", _("City municipality (เทศบาลนคร)")
        TOWN = "mueang", _("Town municipality (เทศบาลเมือง)")
        SUBDISTRICT = "tambon", _("Subdistrict municipality (เทศบาลตำบล)")

    slug = models.SlugField(
        _("slug"), max_length=50, unique=True, validators=[validate_slug_not_reserved]
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TOWN)
    province_th = models.CharField(_("province (Thai)"), max_length=100)
    province_en = models.CharField(_("province (English)"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    center_lat = models.FloatField(_("centre latitude"))
    center_lng = models.FloatField(_("centre longitude"))
    default_zoom = models.PositiveSmallIntegerField(_("default map zoom"), default=14)
    boundary = models.JSONField(
        _("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_geojson_polygon]
    )
    tracking_prefix = models.CharField(
        _("tracking code prefix"),
        max_length=10,
        validators=[RegexValidator(r"^[A-Z0-9]{2,10}$", _("2–10 capital letters or digits."))],
        help_text=_("Starts every report's tracking code, e.g. DEMO-2569-000123."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class Department(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_th"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="department_unique_code"),
            # Lets tenant-owned rows point at (municipality, id) if the database is distributed.
            models.UniqueConstraint(
                fields=["municipality", "id"], name="department_unique_muni_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name_th


class Community(models.Model):
    """A named area (ชุมชน) inside a municipality."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="communities",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    boundary = models.JSONField(
        _("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_geojson_polygon]
    )
    # A bounding box kept beside the polygon lets the database pick candidates for a point.
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name_th"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="community_unique_code"),
            models.UniqueConstraint(fields=["municipality", "id"], name="community_unique_muni_id"),
        ]

    def __str__(self) -> str:
        return self.name_th
