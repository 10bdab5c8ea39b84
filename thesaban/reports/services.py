"""Every write to reports. Keyword-only, typed, atomic, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.core.audit import audit_record
from thesaban.core.dates import buddhist_year
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.municipalities.selectors import community_at
from thesaban.reports import photos as photo_rules
from thesaban.reports.models import (
    Category,
    Report,
    ReportComment,
    ReportEvent,
    ReportFollower,
    ReportPhoto,
    ReportSequence,
    ReportSupport,
    RoutingRule,
)
from thesaban.reports.questions import clean_answers
from thesaban.reports.signals import report_event_recorded
from thesaban.reports.workflow import (
    OPEN_STATUSES,
    REOPEN_WINDOW_DAYS,
    Actor,
    Status,
    find_transition,
)

PRIVACY_POLICY_VERSION = "2026-11"


def _next_tracking_code(*, municipality: Municipality, when: datetime) -> str:
    year_be = buddhist_year(timezone.localtime(when))
    ReportSequence.objects.get_or_create(municipality=municipality, year_be=year_be)
    # The row lock serialises numbering per municipality and year without a global lock.
    sequence = ReportSequence.objects.select_for_update().get(
        municipality=municipality, year_be=year_be
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{municipality.tracking_prefix}-{year_be}-{sequence.last_number:06d}"


def route_department(*, category: Category, community: Community | None) -> Department | None:
    if community is not None:
        rule = (
            RoutingRule.objects.filter(
                municipality=category.municipality_id, category=category, community=community
            )
            .select_related("department")
            .first()
        )
        if rule:
            return rule.department
    return category.department


def _event(
    report: Report,
    *,
    kind: str,
    actor: Any = None,
    note: str = "",
    is_public: bool = True,
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    when: datetime | None = None,
) -> ReportEvent:
    if to_status:
        # The category at the time of a status change is part of the public record (the
        # transparency ledger's leaf); keep it with the event so a later recategorisation
        # does not rewrite history.
        data = {"category": report.category.code, **(data or {})}
    event = ReportEvent.objects.create(
        municipality_id=report.municipality_id,
        report=report,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        is_public=is_public,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        created_at=when or timezone.now(),
    )
    report_event_recorded.send(sender=Report, report=report, event=event)
    return event


@transaction.atomic
def report_create(
    *,
    municipality: Municipality,
    category: Category,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    is_anonymous: bool = True,
    photos: Sequence[Any] = (),
    channel: str = Report.Channel.WEB,
    contact_consent: bool = False,
    submitted_at: datetime | None = None,
    idempotency_key: str = "",
    answers: dict[str, Any] | None = None,
    media_url: str = "",
    api_key: Any = None,
    assisted_by: User | None = None,
    external_ref: dict[str, str] | None = None,
    consent_method: str = ConsentRecord.Method.ONLINE,
) -> Report:
    """Create a report. With an `idempotency_key`, a retry of the same submission returns the
    report the first attempt created."""
    idempotency_key = idempotency_key.strip()[:64]
    if idempotency_key:
        existing = Report.objects.filter(
            municipality=municipality, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if category.municipality_id != municipality.id:
        raise ValidationError(
            {"category": _("This category does not belong to this municipality.")}
        )
    if not description.strip():
        raise ValidationError({"description": _("Please describe the problem.")})
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if lat is None and not address.strip():
        raise ValidationError(
            {"address": _("Tap the map, give coordinates or type an address or landmark.")}
        )
    if len(photos) > photo_rules.MAX_PHOTOS:
        raise ValidationError({"photos": _("At most 3 photos.")})
    cleaned_answers = clean_answers(category.questions or [], answers)
    cleaned = [photo_rules.clean_photo(upload) for upload in photos]

    now = submitted_at or timezone.now()
    community = (
        community_at(municipality=municipality, lat=lat, lng=lng) if lat is not None else None
    )
    if reporter is not None:
        reporter_email = reporter_email or (reporter.email or "")
        reporter_phone = reporter_phone or (reporter.phone or "")
    fields = dict(
        municipality=municipality,
        tracking_code=_next_tracking_code(municipality=municipality, when=now),
        category=category,
        department=route_department(category=category, community=community),
        community=community,
        description=description.strip(),
        lat=lat,
        lng=lng,
        address=address.strip(),
        reporter=reporter,
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip().lower(),
        reporter_phone=reporter_phone.strip(),
        is_anonymous=is_anonymous,
        channel=channel,
        idempotency_key=idempotency_key,
        answers=cleaned_answers,
        media_url=media_url.strip(),
        api_key=api_key,
        assisted_by=assisted_by,
        external_ref=external_ref or {},
        submitted_at=now,
        updated_at=now,
        sla_due_at=now + timedelta(hours=category.sla_hours),
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(**fields)
    except IntegrityError:
        # Two simultaneous retries of one submission: the other one won.
        if idempotency_key:
            # This transaction still holds the sequence row's lock: give the unused number back
            # so tracking codes stay gap-free.
            ReportSequence.objects.filter(
                municipality=municipality, year_be=buddhist_year(timezone.localtime(now))
            ).update(last_number=F("last_number") - 1)
            return Report.objects.get(municipality=municipality, idempotency_key=idempotency_key)
        raise
    for position, photo in enumerate(cleaned):
        item = ReportPhoto(
            municipality=municipality,
            report=report,
            width=photo.width,
            height=photo.height,
            position=position,
        )
        item.image.save(f"{report.tracking_code}-{position}.jpg", photo.image, save=False)
        item.thumbnail.save(f"{report.tracking_code}-{position}-t.jpg", photo.thumbnail, save=False)
        item.save()
    _event(
        report, kind=ReportEvent.Kind.CREATED, actor=reporter, to_status=Status.SUBMITTED, when=now
    )
    if reporter is not None:
        ReportFollower.objects.get_or_create(
            municipality=municipality, report=report, user=reporter
        )
    elif reporter_email and contact_consent:
        ReportFollower.objects.get_or_create(
            municipality=municipality, report=report, user=None, email=report.reporter_email
        )
    if (reporter_email or reporter_phone or reporter_name) and contact_consent:
        ConsentRecord.objects.create(
            municipality=municipality,
            user=reporter,
            subject_email=report.reporter_email,
            purpose=ConsentRecord.Purpose.REPORT_CONTACT,
            policy_version=PRIVACY_POLICY_VERSION,
            method=consent_method,
            recorded_by=assisted_by,
            report=report,
        )
    audit_record(
        action="report.create",
        actor=assisted_by or reporter,
        municipality=municipality,
        target=report,
        data={"channel": channel, **({"api_key": api_key.pk} if api_key else {})},
    )
    return report


ASSISTED_CONSENT_METHODS = (ConsentRecord.Method.VERBAL, ConsentRecord.Method.WRITTEN)


@transaction.atomic
def report_create_assisted(
    *,
    municipality: Municipality,
    helper: User,
    consent_method: str,
    category: Category,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    resident_name: str = "",
    resident_email: str = "",
    resident_phone: str = "",
    photos: Sequence[Any] = (),
    idempotency_key: str = "",
    answers: dict[str, Any] | None = None,
) -> Report:
    """A digital-centre volunteer or an officer submits a report for a resident without a
    smartphone. The resident's consent, given to the helper verbally or on paper, is recorded
    with its time and the helper; the report stays anonymous to the public."""
    if not helper.has_perm("reports.assist_intake", municipality):
        raise PermissionDenied(_("Your role does not allow submitting reports for residents."))
    if consent_method not in ASSISTED_CONSENT_METHODS:
        raise ValidationError(
            {"consent_method": _("Record how the resident gave consent: verbally or in writing.")}
        )
    has_contact = bool(resident_name.strip() or resident_email.strip() or resident_phone.strip())
    report = report_create(
        municipality=municipality,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        reporter_name=resident_name,
        reporter_email=resident_email,
        reporter_phone=resident_phone,
        is_anonymous=True,
        photos=photos,
        channel=Report.Channel.ASSISTED,
        contact_consent=has_contact,
        consent_method=consent_method,
        assisted_by=helper,
        idempotency_key=idempotency_key,
        answers=answers,
    )
    # A retried submission returns the first report: keep one consent record for it.
    ConsentRecord.objects.get_or_create(
        report=report,
        purpose=ConsentRecord.Purpose.ASSISTED,
        defaults=dict(
            municipality=municipality,
            subject_email=report.reporter_email,
            policy_version=PRIVACY_POLICY_VERSION,
            method=consent_method,
            recorded_by=helper,
        ),
    )
    return report


def _require_staff(actor: User, municipality: Municipality, *, write: bool = True) -> StaffRole:
    role = (
        StaffRole.objects.filter(user=actor, municipality=municipality).first() if actor else None
    )
    if role is None or (write and role.role == StaffRole.Role.VIEWER):
        raise PermissionDenied(_("You are not allowed to change reports of this municipality."))
    return role


@transaction.atomic
def report_transition(
    *,
    report: Report,
    actor: User | None,
    to_status: str,
    public_note: str = "",
    internal_note: str = "",
    actor_kind: str = Actor.STAFF,
    photos: Sequence[Any] = (),
) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if actor_kind == Actor.STAFF:
        _require_staff(actor, report.municipality)
    transition = find_transition(report.status, to_status, actor_kind)
    if transition is None:
        raise ValidationError(
            _("A report cannot go from “%(source)s” to “%(target)s”.")
            % {
                "source": Status(report.status).label,
                "target": Status(to_status).label if to_status in Status.values else to_status,
            }
        )
    if transition.public_note_required and not public_note.strip():
        raise ValidationError(
            {"public_note": _("A public note is required to resolve or reject a report.")}
        )
    cleaned = [photo_rules.clean_photo(upload) for upload in photos[: photo_rules.MAX_PHOTOS]]

    now = timezone.now()
    source = report.status
    report.status = to_status
    report.updated_at = now
    if actor_kind == Actor.STAFF and report.first_response_at is None:
        report.first_response_at = now
    if to_status == Status.RESOLVED:
        report.resolved_at = now
    if to_status == Status.CLOSED:
        report.closed_at = now
    if to_status in OPEN_STATUSES and source in (Status.RESOLVED,):
        report.resolved_at = None
        report.reopen_count += 1
    report.save()
    start = report.photos.count()
    for offset, photo in enumerate(cleaned):
        item = ReportPhoto(
            municipality_id=report.municipality_id,
            report=report,
            width=photo.width,
            height=photo.height,
            position=start + offset,
            by_staff=True,
        )
        item.image.save(f"{report.tracking_code}-s{start + offset}.jpg", photo.image, save=False)
        item.thumbnail.save(
            f"{report.tracking_code}-s{start + offset}-t.jpg", photo.thumbnail, save=False
        )
        item.save()
    _event(
        report,
        kind=ReportEvent.Kind.STATUS,
        actor=actor,
        note=public_note.strip(),
        from_status=source,
        to_status=to_status,
        when=now,
    )
    if internal_note.strip():
        _event(
            report,
            kind=ReportEvent.Kind.NOTE,
            actor=actor,
            note=internal_note.strip(),
            is_public=False,
            when=now,
        )
    audit_record(
        action="report.transition",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={"from": source, "to": to_status, "by": actor_kind},
    )
    return report


@transaction.atomic
def report_note_add(*, report: Report, actor: User, note: str, is_public: bool) -> ReportEvent:
    _require_staff(actor, report.municipality)
    if not note.strip():
        raise ValidationError({"note": _("The note is empty.")})
    event = _event(
        report, kind=ReportEvent.Kind.NOTE, actor=actor, note=note.strip(), is_public=is_public
    )
    Report.objects.filter(pk=report.pk).update(updated_at=event.created_at)
    if report.first_response_at is None and is_public:
        Report.objects.filter(pk=report.pk).update(first_response_at=event.created_at)
    audit_record(
        action="report.note",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={"public": is_public},
    )
    return event


@transaction.atomic
def report_assign(
    *, report: Report, actor: User, department: Department | None, officer: User | None = None
) -> Report:
    _require_staff(actor, report.municipality)
    if department is not None and department.municipality_id != report.municipality_id:
        raise ValidationError({"department": _("This department belongs to another municipality.")})
    if (
        officer is not None
        and not StaffRole.objects.filter(user=officer, municipality=report.municipality_id).exists()
    ):
        raise ValidationError({"officer": _("This person is not staff of this municipality.")})
    before = {"department": report.department_id, "officer": report.assigned_to_id}
    report.department = department
    report.assigned_to = officer
    report.updated_at = timezone.now()
    report.save(update_fields=["department", "assigned_to", "updated_at"])
    _event(
        report,
        kind=ReportEvent.Kind.ASSIGNED,
        actor=actor,
        is_public=False,
        data={
            "department": department.id if department else None,
            "officer": officer.id if officer else None,
        },
    )
    audit_record(
        action="report.assign",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={
            "before": before,
            "after": {"department": report.department_id, "officer": report.assigned_to_id},
        },
    )
    return report


@transaction.atomic
def report_recategorise(
    *, report: Report, actor: User, category: Category, reroute: bool = False
) -> Report:
    """Move a report to another category. The department changes only when staff ask
    (`reroute`: the new category's routing); the SLA deadline stays as it was promised. An
    internal CATEGORY event records it (insight learns from it, see docs/insight-categoriser.md)."""
    _require_staff(actor, report.municipality)
    report = Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    if category.municipality_id != report.municipality_id:
        raise ValidationError({"category": _("This category belongs to another municipality.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    if category.pk == report.category_id:
        raise ValidationError({"category": _("The report is already in this category.")})
    before = {"category": report.category.code, "department": report.department_id}
    report.category = category
    fields = ["category", "updated_at"]
    if reroute:
        report.department = route_department(category=category, community=report.community)
        fields.append("department")
    report.updated_at = timezone.now()
    report.save(update_fields=fields)
    _event(
        report,
        kind=ReportEvent.Kind.CATEGORY,
        actor=actor,
        is_public=False,
        data={
            "from": before["category"],
            "to": category.code,
            "rerouted": reroute,
            "department": report.department_id,
        },
        when=report.updated_at,
    )
    audit_record(
        action="report.recategorise",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={
            "before": before,
            "after": {"category": category.code, "department": report.department_id},
        },
    )
    return report


def report_bulk_action(
    *,
    municipality: Municipality,
    actor: User,
    report_ids: Sequence[int],
    to_status: str | None = None,
    department: Department | None = None,
    public_note: str = "",
) -> tuple[int, list[str]]:
    """Apply one action to many reports; each report is its own transaction, so one refused
    transition does not undo the others. Returns (changed, errors)."""
    changed, errors = 0, []
    reports = Report.objects.filter(municipality=municipality, pk__in=list(report_ids)[:500])
    for report in reports:
        try:
            # One transaction per report: a refused transition also undoes its reassignment.
            with transaction.atomic():
                if department is not None:
                    report_assign(report=report, actor=actor, department=department, officer=None)
                if to_status:
                    report_transition(
                        report=report, actor=actor, to_status=to_status, public_note=public_note
                    )
            changed += 1
        except ValidationError as error:
            errors.append(f"{report.tracking_code}: {' '.join(error.messages)}")
    return changed, errors


@transaction.atomic
def report_support(*, report: Report, user: User) -> bool:
    """Record a "me too". Returns False when this person already supported it (idempotent)."""
    if report.reporter_id == user.id:
        raise ValidationError(_("You reported this yourself; your report already counts."))
    try:
        with transaction.atomic():
            ReportSupport.objects.create(
                municipality_id=report.municipality_id, report=report, user=user
            )
    except IntegrityError:
        return False
    Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
    ReportFollower.objects.get_or_create(
        municipality_id=report.municipality_id, report=report, user=user
    )
    audit_record(
        action="report.support", actor=user, municipality=report.municipality, target=report
    )
    return True


@transaction.atomic
def report_follow(*, report: Report, user: User | None = None, email: str = "") -> ReportFollower:
    if user is None and not email:
        raise ValidationError({"email": _("Enter an e-mail address to follow this report.")})
    if user is not None:
        follower, _created = ReportFollower.objects.get_or_create(
            municipality_id=report.municipality_id, report=report, user=user
        )
    else:
        follower, _created = ReportFollower.objects.get_or_create(
            municipality_id=report.municipality_id,
            report=report,
            user=None,
            email=email.strip().lower(),
        )
        ConsentRecord.objects.get_or_create(
            municipality_id=report.municipality_id,
            subject_email=email.strip().lower(),
            purpose=ConsentRecord.Purpose.REPORT_CONTACT,
            policy_version=PRIVACY_POLICY_VERSION,
        )
    return follower


@transaction.atomic
def report_unfollow(*, report: Report, token: str) -> bool:
    deleted, _rows = ReportFollower.objects.filter(
        municipality_id=report.municipality_id, report=report, unsubscribe_token=token
    ).delete()
    return bool(deleted)


@transaction.atomic
def report_comment_create(*, report: Report, author: User, body: str) -> ReportComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("The comment is empty.")})
    comment = ReportComment.objects.create(
        municipality_id=report.municipality_id, report=report, author=author, body=body
    )
    Report.objects.filter(pk=report.pk).update(comment_count=F("comment_count") + 1)
    audit_record(
        action="report.comment", actor=author, municipality=report.municipality, target=comment
    )
    return comment


def _reporter_may_act(report: Report, *, user: User | None, follow_token: str) -> bool:
    if follow_token and secrets_compare(follow_token, report.follow_token):
        return True
    return user is not None and user.is_authenticated and report.reporter_id == user.id


def secrets_compare(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


@transaction.atomic
def report_rate(
    *, report: Report, user: User | None, follow_token: str = "", score: int, comment: str = ""
) -> Report:
    if not _reporter_may_act(report, user=user, follow_token=follow_token):
        raise PermissionDenied(_("Only the person who reported this can rate it."))
    if report.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("A report can be rated once it is resolved."))
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": _("Choose from 1 to 5.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    report.satisfaction = int(score)
    report.satisfaction_comment = comment.strip()
    report.rated_at = timezone.now()
    report.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at"])
    _event(
        report, kind=ReportEvent.Kind.RATED, actor=user, data={"score": int(score)}, is_public=True
    )
    audit_record(
        action="report.rate",
        actor=user,
        municipality=report.municipality,
        target=report,
        data={"score": int(score)},
    )
    return report


@dataclass
class ReopenWindow:
    open: bool
    until: datetime | None


def reopen_window(report: Report) -> ReopenWindow:
    if report.status != Status.RESOLVED or report.resolved_at is None:
        return ReopenWindow(False, None)
    until = report.resolved_at + timedelta(days=REOPEN_WINDOW_DAYS)
    return ReopenWindow(timezone.now() <= until, until)


@transaction.atomic
def report_reopen(
    *, report: Report, user: User | None, follow_token: str = "", reason: str
) -> Report:
    if not _reporter_may_act(report, user=user, follow_token=follow_token):
        raise PermissionDenied(_("Only the person who reported this can reopen it."))
    if not reopen_window(report).open:
        raise ValidationError(_("A report can be reopened only within 14 days of being resolved."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please say why the problem is not solved.")})
    report = report_transition(
        report=report,
        actor=user,
        to_status=Status.ACCEPTED,
        public_note=reason,
        actor_kind=Actor.REPORTER,
    )
    return report


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, actor: User, public_note: str = "") -> Report:
    """Mark `duplicate` as a duplicate of `into`; its supports and followers move to `into`."""
    _require_staff(actor, duplicate.municipality)
    if duplicate.municipality_id != into.municipality_id:
        raise ValidationError(_("Reports of different municipalities cannot be merged."))
    if duplicate.pk == into.pk:
        raise ValidationError(_("A report cannot be merged into itself."))
    if into.duplicate_of_id or into.status == Status.DUPLICATE:
        raise ValidationError(
            _("The report to keep is itself a duplicate; merge into the original.")
        )
    municipality_id = duplicate.municipality_id
    moved_supports = 0
    existing = set(ReportSupport.objects.filter(report=into).values_list("user_id", flat=True))
    if into.reporter_id:
        existing.add(into.reporter_id)
    for support in ReportSupport.objects.filter(report=duplicate):
        if support.user_id not in existing:
            ReportSupport.objects.create(
                municipality_id=municipality_id, report=into, user_id=support.user_id
            )
            existing.add(support.user_id)
            moved_supports += 1
    # The duplicate's reporter agrees the problem exists: that is a support too.
    if duplicate.reporter_id and duplicate.reporter_id not in existing:
        ReportSupport.objects.create(
            municipality_id=municipality_id, report=into, user_id=duplicate.reporter_id
        )
        moved_supports += 1
    ReportSupport.objects.filter(report=duplicate).delete()
    for follower in ReportFollower.objects.filter(report=duplicate):
        lookup = (
            {"user_id": follower.user_id}
            if follower.user_id
            else {"user": None, "email": follower.email}
        )
        ReportFollower.objects.get_or_create(municipality_id=municipality_id, report=into, **lookup)
    ReportFollower.objects.filter(report=duplicate).delete()
    Report.objects.filter(pk=into.pk).update(
        support_count=F("support_count") + moved_supports, updated_at=timezone.now()
    )
    Report.objects.filter(pk=duplicate.pk).update(support_count=0, duplicate_of=into)
    report_transition(
        report=duplicate,
        actor=actor,
        to_status=Status.DUPLICATE,
        public_note=public_note or _("Merged into %(code)s.") % {"code": into.tracking_code},
        actor_kind=Actor.SYSTEM,
    )
    _event(
        into,
        kind=ReportEvent.Kind.MERGED,
        actor=actor,
        data={"merged": duplicate.tracking_code},
        note=_("%(code)s was merged into this report.") % {"code": duplicate.tracking_code},
    )
    audit_record(
        action="report.merge",
        actor=actor,
        municipality=duplicate.municipality,
        target=duplicate,
        data={"into": into.tracking_code, "moved_supports": moved_supports},
    )
    into.refresh_from_db()
    return into


def report_receipt_issue(*, report: Report, actor: User) -> Report:
    """A helper prints a resident's receipt: it carries the private follow link, so it is
    only for the helper who took the report and for staff who may act on it, and audited."""
    helped = report.assisted_by_id is not None and report.assisted_by_id == actor.pk
    if report.channel != Report.Channel.ASSISTED or not (
        helped or actor.has_perm("reports.change_report", report)
    ):
        raise PermissionDenied(_("Only the helper who took this report can print its receipt."))
    audit_record(
        action="report.receipt_print", actor=actor, municipality=report.municipality, target=report
    )
    return report
