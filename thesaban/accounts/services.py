from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thesaban.accounts.identity import national_id_hash, national_id_is_valid, normalize_thai_mobile
from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.core.audit import audit_record

ACCOUNT_POLICY_VERSION = "2026-11"


@transaction.atomic
def user_register(
    *,
    identifier: str,
    password: str,
    display_name: str = "",
    national_id: str = "",
    preferred_language: str = "th",
    consent: bool,
) -> User:
    """Sign a resident up with an e-mail address or a Thai mobile number; records PDPA consent."""
    if not consent:
        raise ValidationError(
            {"consent": _("You must agree to the privacy notice to create an account.")}
        )
    identifier = identifier.strip()
    email = phone = None
    if "@" in identifier:
        email = identifier.lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"identifier": _("An account with this e-mail address already exists.")}
            )
    else:
        phone = normalize_thai_mobile(identifier)
        if phone is None:
            raise ValidationError(
                {
                    "identifier": _(
                        "Enter an e-mail address or a Thai mobile number (e.g. 081 234 5678)."
                    )
                }
            )
        if User.objects.filter(phone=phone).exists():
            raise ValidationError(
                {"identifier": _("An account with this mobile number already exists.")}
            )
    user = User.objects.create_user(
        email=email,
        phone=phone,
        password=password,
        display_name=display_name.strip(),
        preferred_language=preferred_language,
    )
    if national_id:
        user_set_national_id(user=user, national_id=national_id)
    ConsentRecord.objects.create(
        user=user, purpose=ConsentRecord.Purpose.ACCOUNT, policy_version=ACCOUNT_POLICY_VERSION
    )
    audit_record(action="user.register", actor=user, target=user)
    return user


@transaction.atomic
def user_set_national_id(*, user: User, national_id: str) -> User:
    """Keep only a keyed hash of the ID; an ID with a valid checksum counts as verified once.

    A valid checksum shows the number is well-formed; linking it to the person is done by the
    municipality's counter staff or a government identity provider, which set the flag.
    """
    if not national_id_is_valid(national_id):
        raise ValidationError(
            {
                "national_id": _(
                    "This is not a valid Thai national ID number (13 digits, check digit)."
                )
            }
        )
    user.national_id_hash = national_id_hash(national_id)
    user.national_id_verified = True
    try:
        with transaction.atomic():
            user.save(update_fields=["national_id_hash", "national_id_verified"])
    except IntegrityError:
        raise ValidationError(
            {"national_id": _("This national ID is already linked to another account.")}
        ) from None
    audit_record(action="user.national_id_set", actor=user, target=user)
    return user


@transaction.atomic
def staff_role_grant(
    *, municipality, user: User, role: str, department=None, actor=None
) -> StaffRole:
    if department is not None and department.municipality_id != municipality.id:
        raise ValidationError({"department": _("This department belongs to another municipality.")})
    staff_role, _created = StaffRole.objects.update_or_create(
        municipality=municipality, user=user, defaults={"role": role, "department": department}
    )
    _sync_role_groups(user)
    audit_record(
        action="staff.grant",
        actor=actor,
        municipality=municipality,
        target=staff_role,
        data={"role": role},
    )
    return staff_role


@transaction.atomic
def staff_role_revoke(*, staff_role: StaffRole, actor=None) -> None:
    """Remove a person's role in one municipality; their groups and admin-site access follow."""
    user, municipality, role = staff_role.user, staff_role.municipality, staff_role.role
    audit_record(
        action="staff.revoke",
        actor=actor,
        municipality=municipality,
        target=staff_role,
        data={"role": role},
    )
    staff_role.delete()
    _sync_role_groups(user)


def _sync_role_groups(user: User) -> None:
    """The role groups are exactly those of the roles held anywhere; administrators (and
    superusers) may use the admin site (DTO), nobody else."""
    from django.contrib.auth.models import Group

    from thesaban.accounts.roles import ROLE_GROUPS

    held = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    wanted = {ROLE_GROUPS[role] for role in held}
    user.groups.remove(*Group.objects.filter(name__in=set(ROLE_GROUPS.values()) - wanted))
    user.groups.add(*[Group.objects.get(name=name) for name in wanted])
    is_staff = StaffRole.Role.ADMINISTRATOR in held or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
