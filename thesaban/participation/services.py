"""Writes of participation: processes and phases, proposals, supports, answers, debates,
comments, consultation positions, moderation and accountability.

Every write is keyword-only, atomic, checks the phase that must be open and the person's
rights, and is audited. Limits on writing are counted from the rows themselves, so they hold
across every app server without a shared cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.models import User
from thesaban.core.audit import audit_record
from thesaban.municipalities.models import Community, Municipality
from thesaban.participation.models import (
    Comment,
    CommentUpvote,
    Debate,
    DocumentSection,
    Flag,
    Participant,
    Phase,
    Process,
    Proposal,
    ProposalSupport,
    Result,
    ResultSource,
    ResultUpdate,
    SectionPosition,
)
from thesaban.reports import photos as photo_rules

# (rows, window): at most this many writes of a kind per person in the window.
RATE_LIMITS = {
    "proposal": (3, timedelta(hours=1)),
    "debate": (3, timedelta(hours=1)),
    "comment": (6, timedelta(minutes=2)),
    "flag": (20, timedelta(hours=1)),
}

_PHONE_OR_EMAIL = ("@",)
# Paths next to the processes in participation/urls.py.
RESERVED_PROCESS_SLUGS = {"profile", "you-said-we-did"}


def _require_open(process: Process, action: str) -> Phase:
    if not process.is_published:
        raise PermissionDenied(_("This process is not open."))
    now = timezone.now()
    for phase in process.phases.all():
        if phase.allows(action, now):
            return phase
    raise ValidationError(_("This is not possible in the current phase of the process."))


def _require_staff_writer(user: User, municipality: Municipality) -> None:
    if not user.has_perm("participation.manage_process", municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _rate_limit(kind: str, *, queryset: models.QuerySet) -> None:
    limit, window = RATE_LIMITS[kind]
    if queryset.filter(created_at__gte=timezone.now() - window).count() >= limit:
        minutes = max(1, int(window.total_seconds() // 60))
        raise ValidationError(
            _(
                "You are writing too quickly: at most %(limit)s in %(minutes)s minutes. Try again later."
            )
            % {"limit": limit, "minutes": minutes}
        )


def _next_number(model: type[models.Model], process: Process) -> int:
    # The process row is locked by the caller, so two writers never take the same number.
    current = model.objects.filter(process=process).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def _lock(process: Process) -> Process:
    return Process.objects.select_for_update().get(pk=process.pk)


# --- Participants ---------------------------------------------------------------------------


def participant_get_or_create(*, municipality: Municipality, user: User) -> Participant:
    participant, _created = Participant.objects.get_or_create(municipality=municipality, user=user)
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, pseudonym: str, community: Community | None
) -> Participant:
    pseudonym = " ".join(pseudonym.split())
    if community is not None and community.municipality_id != participant.municipality_id:
        raise ValidationError({"community": _("Choose a community of this municipality.")})
    if (
        any(mark in pseudonym for mark in _PHONE_OR_EMAIL)
        or sum(ch.isdigit() for ch in pseudonym) >= 6
    ):
        raise ValidationError(
            {
                "pseudonym": _(
                    "Choose a public name that is not an e-mail address or a phone number."
                )
            }
        )
    if pseudonym and (
        Participant.objects.filter(municipality=participant.municipality_id, pseudonym=pseudonym)
        .exclude(pk=participant.pk)
        .exists()
    ):
        raise ValidationError({"pseudonym": _("Someone already uses this public name.")})
    if community != participant.community:
        participant.community_verified = False
    participant.pseudonym = pseudonym
    participant.community = community
    participant.save()
    return participant


def _author(process: Process, user: User, *, is_anonymous: bool) -> Participant:
    participant = participant_get_or_create(municipality=process.municipality, user=user)
    if is_anonymous and not process.allows_anonymous:
        raise ValidationError(_("This process does not allow anonymous participation."))
    if not is_anonymous and not participant.pseudonym:
        raise ValidationError(
            {
                "is_anonymous": _(
                    "Choose a public name in your participation profile first, or take part "
                    "anonymously where the process allows it."
                )
            }
        )
    return participant


# --- Processes and phases (staff) -----------------------------------------------------------


@transaction.atomic
def process_save(*, process: Process, actor: User) -> Process:
    """Create or update a process that a staff form filled in."""
    _require_staff_writer(actor, process.municipality)
    if process.slug in RESERVED_PROCESS_SLUGS:
        raise ValidationError({"slug": _("This short name is used by the site; choose another.")})
    created = process.pk is None
    process.full_clean()
    process.save()
    audit_record(
        action="participation.process_create" if created else "participation.process_update",
        actor=actor,
        municipality=process.municipality,
        target=process,
        data={"slug": process.slug, "published": process.is_published},
    )
    return process


@transaction.atomic
def phase_save(*, phase: Phase, actor: User) -> Phase:
    _require_staff_writer(actor, phase.process.municipality)
    if phase.process.municipality_id != phase.municipality_id:
        raise ValidationError(_("The phase and its process belong to different municipalities."))
    unknown = set(phase.actions or []) - set(Phase.Action.values)
    if unknown:
        raise ValidationError({"actions": _("Unknown action: %(a)s") % {"a": sorted(unknown)[0]}})
    if phase.starts_at and phase.ends_at and phase.ends_at <= phase.starts_at:
        raise ValidationError({"ends_at": _("A phase must end after it starts.")})
    created = phase.pk is None
    phase.save()
    audit_record(
        action="participation.phase_create" if created else "participation.phase_update",
        actor=actor,
        municipality=phase.process.municipality,
        target=phase,
        data={"kind": phase.kind, "actions": phase.actions},
    )
    return phase


@transaction.atomic
def phase_delete(*, phase: Phase, actor: User) -> None:
    _require_staff_writer(actor, phase.process.municipality)
    audit_record(
        action="participation.phase_delete",
        actor=actor,
        municipality=phase.process.municipality,
        target=phase,
        data={"kind": phase.kind},
    )
    phase.delete()


# --- Proposals ------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    process: Process,
    user: User,
    title: str,
    body: str,
    topic: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    image: Any = None,
    is_anonymous: bool = False,
    idempotency_key: str = "",
) -> Proposal:
    idempotency_key = idempotency_key.strip()[:64]
    if idempotency_key:
        existing = Proposal.objects.filter(
            municipality=process.municipality_id, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    _require_open(process, Phase.Action.PROPOSE)
    author = _author(process, user, is_anonymous=is_anonymous)
    _rate_limit("proposal", queryset=Proposal.objects.filter(author=author))
    if not title.strip() or not body.strip():
        raise ValidationError(_("A proposal needs a title and a description."))
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    cleaned_image = photo_rules.clean_photo(image) if image else None
    process = _lock(process)
    proposal = Proposal(
        municipality=process.municipality,
        process=process,
        number=_next_number(Proposal, process),
        author=author,
        is_anonymous=is_anonymous,
        title=title.strip(),
        body=body.strip(),
        topic=topic,
        lat=lat,
        lng=lng,
        address=address.strip(),
        idempotency_key=idempotency_key,
    )
    proposal.full_clean(exclude=["image", "author", "process", "municipality"])
    if cleaned_image is not None:
        proposal.image.save(
            f"proposal-{process.pk}-{proposal.number}.jpg", cleaned_image.image, save=False
        )
    proposal.save()
    audit_record(
        action="participation.proposal_create",
        actor=user,
        municipality=process.municipality,
        target=proposal,
        data={"process": process.slug, "number": proposal.number},
    )
    return proposal


@transaction.atomic
def proposal_support(*, proposal: Proposal, user: User) -> bool:
    """One support per verified resident; True when it was counted now, False if already."""
    if proposal.is_hidden:
        raise ValidationError(_("This proposal was hidden by a moderator."))
    _require_open(proposal.process, Phase.Action.SUPPORT)
    if not user.national_id_verified:
        raise PermissionDenied(
            _("Only verified residents can support proposals: verify your national ID first.")
        )
    try:
        with transaction.atomic():
            ProposalSupport.objects.create(
                municipality=proposal.municipality, proposal=proposal, user=user
            )
    except IntegrityError:
        return False
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    proposal.refresh_from_db(fields=["support_count"])
    audit_record(
        action="participation.proposal_support",
        actor=user,
        municipality=proposal.municipality,
        target=proposal,
    )
    return True


@transaction.atomic
def proposal_answer(*, proposal: Proposal, actor: User, answer: str, reason: str) -> Proposal:
    _require_staff_writer(actor, proposal.municipality)
    if answer not in (
        Proposal.Answer.EVALUATING,
        Proposal.Answer.ACCEPTED,
        Proposal.Answer.REJECTED,
    ):
        raise ValidationError({"answer": _("Choose accepted, rejected or being evaluated.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason residents will read.")})
    proposal.answer = answer
    proposal.answer_reason = reason.strip()
    proposal.answered_at = timezone.now()
    proposal.answered_by = actor
    proposal.save(update_fields=["answer", "answer_reason", "answered_at", "answered_by"])
    audit_record(
        action="participation.proposal_answer",
        actor=actor,
        municipality=proposal.municipality,
        target=proposal,
        data={"answer": answer},
    )
    return proposal


# --- Debates --------------------------------------------------------------------------------


@transaction.atomic
def debate_create(
    *, process: Process, user: User, title: str, body: str, is_anonymous: bool = False
) -> Debate:
    _require_open(process, Phase.Action.DEBATE)
    author = _author(process, user, is_anonymous=is_anonymous)
    _rate_limit("debate", queryset=Debate.objects.filter(author=author))
    if not title.strip() or not body.strip():
        raise ValidationError(_("A debate needs a title and an opening statement."))
    process = _lock(process)
    debate = Debate.objects.create(
        municipality=process.municipality,
        process=process,
        number=_next_number(Debate, process),
        author=author,
        is_anonymous=is_anonymous,
        title=title.strip()[:150],
        body=body.strip()[:5000],
    )
    audit_record(
        action="participation.debate_create",
        actor=user,
        municipality=process.municipality,
        target=debate,
    )
    return debate


# --- Comments -------------------------------------------------------------------------------


CommentTarget = Proposal | Debate | DocumentSection


def _target_process(target: CommentTarget) -> Process:
    if isinstance(target, DocumentSection):
        return target.document.process
    return target.process


@transaction.atomic
def comment_create(
    *,
    target: CommentTarget,
    user: User,
    body: str,
    alignment: str = Comment.Alignment.NEUTRAL,
    parent: Comment | None = None,
    is_anonymous: bool = False,
    idempotency_key: str = "",
) -> Comment:
    process = _target_process(target)
    action = Phase.Action.CONSULT if isinstance(target, DocumentSection) else Phase.Action.COMMENT
    author = _author(process, user, is_anonymous=is_anonymous)
    idempotency_key = idempotency_key.strip()[:64]
    if idempotency_key:
        existing = Comment.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    _require_open(process, action)
    if getattr(target, "is_hidden", False):
        raise ValidationError(_("This was hidden by a moderator."))
    if not body.strip():
        raise ValidationError({"body": _("Write a comment first.")})
    if alignment not in Comment.Alignment.values:
        raise ValidationError({"alignment": _("Choose in favour, neutral or against.")})
    _rate_limit("comment", queryset=Comment.objects.filter(author=author))
    field = {Proposal: "proposal", Debate: "debate", DocumentSection: "section"}[type(target)]
    depth = 1
    if parent is not None:
        if getattr(parent, f"{field}_id") != target.pk:
            raise ValidationError(_("The reply does not belong to this thread."))
        if parent.depth >= Comment.MAX_DEPTH:
            raise ValidationError(_("Replies nest at most three levels deep."))
        depth = parent.depth + 1
    comment = Comment.objects.create(
        municipality=process.municipality,
        process=process,
        parent=parent,
        depth=depth,
        author=author,
        is_anonymous=is_anonymous,
        alignment=alignment,
        body=body.strip()[:3000],
        idempotency_key=idempotency_key,
        **{field: target},
    )
    type(target).objects.filter(pk=target.pk).update(comment_count=F("comment_count") + 1)
    audit_record(
        action="participation.comment_create",
        actor=user,
        municipality=process.municipality,
        target=comment,
        data={field: target.pk, "alignment": alignment},
    )
    return comment


@transaction.atomic
def comment_upvote(*, comment: Comment, user: User) -> bool:
    if comment.is_hidden:
        raise ValidationError(_("This was hidden by a moderator."))
    if comment.author.user_id == user.pk:
        raise ValidationError(_("You cannot up-vote your own comment."))
    try:
        with transaction.atomic():
            CommentUpvote.objects.create(
                municipality=comment.municipality, comment=comment, user=user
            )
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(upvote_count=F("upvote_count") + 1)
    return True


# --- Consultation ---------------------------------------------------------------------------


@transaction.atomic
def section_position_set(*, section: DocumentSection, user: User, stance: str) -> SectionPosition:
    if stance not in SectionPosition.Stance.values:
        raise ValidationError({"stance": _("Choose agree or disagree.")})
    _require_open(section.document.process, Phase.Action.CONSULT)
    position, _created = SectionPosition.objects.update_or_create(
        municipality=section.municipality, section=section, user=user, defaults={"stance": stance}
    )
    # Recount rather than increment: a changed position moves one count to the other.
    counts = dict(
        SectionPosition.objects.filter(section=section)
        .values_list("stance")
        .annotate(n=models.Count("id"))
    )
    DocumentSection.objects.filter(pk=section.pk).update(
        agree_count=counts.get(SectionPosition.Stance.AGREE, 0),
        disagree_count=counts.get(SectionPosition.Stance.DISAGREE, 0),
    )
    return position


# --- Moderation -----------------------------------------------------------------------------

Flaggable = Proposal | Debate | Comment


@transaction.atomic
def flag_create(*, target: Flaggable, user: User | None, reason: str, details: str = "") -> Flag:
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    field = {Proposal: "proposal", Debate: "debate", Comment: "comment"}[type(target)]
    if user is not None:
        existing = Flag.objects.filter(
            **{field: target}, reporter=user, decision=Flag.Decision.PENDING
        ).first()
        if existing is not None:
            return existing
        _rate_limit("flag", queryset=Flag.objects.filter(reporter=user))
    return Flag.objects.create(
        municipality=target.municipality,
        reporter=user,
        reason=reason,
        details=details.strip()[:500],
        **{field: target},
    )


@transaction.atomic
def moderation_decide(*, flag: Flag, actor: User, hide: bool, reason: str = "") -> Flag:
    """Hide the flagged content (a placeholder with the reason stays visible) or keep it; every
    open flag of the same content is settled by the one decision."""
    if not actor.has_perm("participation.moderate", flag.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))
    target = flag.target
    if hide:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason shown in place of the content.")})
        type(target).objects.filter(pk=target.pk).update(
            is_hidden=True, hidden_reason=reason.strip()[:300]
        )
    field = {Proposal: "proposal", Debate: "debate", Comment: "comment"}[type(target)]
    decision = Flag.Decision.HIDDEN if hide else Flag.Decision.KEPT
    now = timezone.now()
    Flag.objects.filter(**{field: target}, decision=Flag.Decision.PENDING).update(
        decision=decision, decided_by=actor, decided_at=now
    )
    flag.refresh_from_db()
    audit_record(
        action="participation.moderation_hide" if hide else "participation.moderation_keep",
        actor=actor,
        municipality=flag.municipality,
        target=target,
        data={"reason": reason.strip()[:300]} if hide else {},
    )
    return flag


# --- Accountability -------------------------------------------------------------------------


def _source_rows(result: Result, sources: Iterable[models.Model]) -> list[ResultSource]:
    rows = []
    for source in sources:
        municipality_id = getattr(source, "municipality_id", None)
        if municipality_id is not None and municipality_id != result.municipality_id:
            raise ValidationError(_("A source belongs to another municipality."))
        rows.append(
            ResultSource(
                municipality_id=result.municipality_id,
                result=result,
                content_type=ContentType.objects.get_for_model(source),
                object_id=str(source.pk),
            )
        )
    return rows


@transaction.atomic
def accountability_result_create(
    *,
    process: Process,
    title_th: str,
    title_en: str = "",
    description_th: str = "",
    description_en: str = "",
    budget: Decimal | None = None,
    sources: Iterable[models.Model] = (),
    actor: User,
) -> Result:
    """A result residents can follow, linked to the input it came from (proposals, comments,
    poll options, budget projects, reports). Participatory-budget winners arrive here."""
    _require_staff_writer(actor, process.municipality)
    if not title_th.strip():
        raise ValidationError({"title_th": _("Give the result a Thai title.")})
    process = _lock(process)
    result = Result.objects.create(
        municipality=process.municipality,
        process=process,
        number=_next_number(Result, process),
        title_th=title_th.strip()[:200],
        title_en=title_en.strip()[:200],
        description_th=description_th,
        description_en=description_en,
        budget=budget,
    )
    ResultSource.objects.bulk_create(_source_rows(result, sources), ignore_conflicts=True)
    audit_record(
        action="participation.result_create",
        actor=actor,
        municipality=process.municipality,
        target=result,
        data={"sources": result.sources.count()},
    )
    return result


@transaction.atomic
def result_source_add(*, result: Result, sources: Iterable[models.Model], actor: User) -> None:
    _require_staff_writer(actor, result.municipality)
    ResultSource.objects.bulk_create(_source_rows(result, sources), ignore_conflicts=True)
    audit_record(
        action="participation.result_link",
        actor=actor,
        municipality=result.municipality,
        target=result,
    )


@transaction.atomic
def result_update_add(
    *,
    result: Result,
    actor: User,
    status: str,
    progress: int,
    spent: Decimal,
    note_th: str,
    note_en: str = "",
) -> ResultUpdate:
    _require_staff_writer(actor, result.municipality)
    errors: dict[str, str] = {}
    if status not in Result.Status.values:
        errors["status"] = _("Choose a status.")
    if not 0 <= progress <= 100:
        errors["progress"] = _("Progress is a percentage from 0 to 100.")
    if spent < 0:
        errors["spent"] = _("Money spent cannot be negative.")
    if not note_th.strip():
        errors["note_th"] = _("Say in Thai what happened.")
    if errors:
        raise ValidationError(errors)
    update = ResultUpdate.objects.create(
        municipality=result.municipality,
        result=result,
        status=status,
        progress=progress,
        spent=spent,
        note_th=note_th.strip(),
        note_en=note_en.strip(),
        author=actor,
    )
    result.status, result.progress, result.spent = status, progress, spent
    result.save(update_fields=["status", "progress", "spent", "updated_at"])
    audit_record(
        action="participation.result_update",
        actor=actor,
        municipality=result.municipality,
        target=result,
        data={"status": status, "progress": progress, "spent": str(spent)},
    )
    return update
